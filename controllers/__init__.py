from . import join, sandbox_assistant, webhook
