# inbox_card_mixin first: models of other modules inherit it
from . import inbox_card_mixin  # isort: skip
from . import (
    calendar_attendee,
    calendar_event,
    crm_lead,
    inbox_assignment_rule,
    inbox_card_rule,
    inbox_conversation,
    inbox_event,
    inbox_label,
    inbox_lock,
    inbox_provider,
    inbox_read_state,
    inbox_sender,
    inbox_snippet,
    inbox_template,
    mail_message,
    mail_thread,
    res_company,
    res_config_settings,
    res_partner,
)
