"""An anonymous live chat visitor who gives the chatbot their email or
phone number becomes the person who has it: the visitor's conversation
joins that person's (one person, one conversation, nothing lost)."""
from odoo import models
from odoo.tools import email_normalize, html2plaintext

from .. import channels


class ChatbotScriptStep(models.Model):
    _inherit = "chatbot.script.step"

    def _process_answer(self, discuss_channel, message_body):
        next_step = super()._process_answer(discuss_channel, message_body)
        if self.step_type in ("question_email", "question_phone"):
            self._inbox_identify(discuss_channel, html2plaintext(message_body).strip())
        return next_step

    def _inbox_identify(self, session, answer):
        sender = session._inbox_sender()
        address, _name, contact = session._inbox_visitor()
        if not sender or not address or contact:
            return
        Partner = self.env["res.partner"].sudo()
        visitor = Partner._inbox_find(channels.SCOPED, address, sender.provider_id)
        if self.step_type == "question_email":
            kind, value, field = channels.EMAIL, email_normalize(answer), "email"
        else:
            kind, field = channels.PHONE, "phone"
            value = self.env["inbox.sender"]._inbox_normalize(channels.PHONE, answer, raise_exception=False)
        if not visitor or not value:
            return
        known = Partner._inbox_find(kind, value)
        if known and known != visitor:
            known._inbox_merge(visitor)
        elif not known and not visitor[field]:
            visitor[field] = value
