from . import (
    crm_lead,
    inbox_conversation,
    inbox_event,
    inbox_label,
    inbox_provider,
    inbox_read_state,
    inbox_sender,
    inbox_snippet,
    inbox_template,
    mail_message,
    res_config_settings,
    res_partner,
)
