from . import inbox_compose, inbox_simulate_inbound
