from . import (
    inbox_provider,
    inbox_sender,
    inbox_label,
    inbox_template,
    inbox_conversation,
    inbox_read_state,
    inbox_event,
    mail_message,
    res_partner,
    crm_lead,
    res_config_settings,
)
