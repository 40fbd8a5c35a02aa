from . import inbox_compose, inbox_merge_person, inbox_simulate_inbound
