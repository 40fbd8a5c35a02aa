from . import join, webhook
