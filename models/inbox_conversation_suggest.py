"""Suggested replies: an assistant drafts the next reply from the recent
history, for the agent to review; nothing is ever sent by it."""

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from .. import channels
from ..tools import chat_completions

# what of the history goes to the assistant: the newest messages, within both bounds
HISTORY_MESSAGES = 20
HISTORY_CHARS = 6000
MESSAGE_CHARS = 1500


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    @api.model
    def _inbox_assistant(self, company):
        """The company's endpoint settings, or None when it has none. A base
        URL that is a path is on this Odoo (the sandbox's assistant)."""
        company = company.sudo()
        base_url = (company.inbox_ai_base_url or "").strip()
        if not base_url:
            return None
        if base_url.startswith("/"):
            base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/") + base_url
        return {"base_url": base_url, "model": (company.inbox_ai_model or "").strip(),
                "api_key": company.inbox_ai_api_key or ""}

    def inbox_suggest_reply(self, channel):
        """A draft of the team's next message to the person on ``channel``,
        as plain text, for the composer. A UserError says in one line why
        there is none."""
        self.ensure_one()
        self.check_access("read")
        assistant = self._inbox_assistant(self.company_id)
        if not assistant:
            raise UserError(self.env._("No assistant is connected: set one in the Inbox settings."))
        entry = self._inbox_channel(channel)
        if entry.internal:
            raise UserError(self.env._("Suggestions are drafts of messages to the person, not of notes."))
        reason = self._inbox_unavailable_reason(channel, self._inbox_usable_senders(channel)[:1])
        if reason:
            raise UserError(reason)
        prompt = [
            {"role": "system", "content": self._inbox_suggest_instructions(entry)},
            {"role": "user", "content": self._inbox_suggest_transcript(entry)},
        ]
        try:
            text = chat_completions.complete(
                assistant["base_url"], assistant["model"], assistant["api_key"], prompt,
                timeout=chat_completions.TIMEOUT)
        except chat_completions.ChatCompletionError as error:
            raise UserError(self._inbox_suggest_error(error)) from None
        return text[:entry.max_length] if entry.max_length else text

    def _inbox_suggest_instructions(self, entry):
        person = self.partner_id.name or self.env._("the person")
        lines = [
            f"You draft replies for {self.env.user.name} of {self.company_id.name}, who answers {person} "
            f"on {entry.label}. Write only the text of the next reply, in the language {person} writes in, "
            "friendly and short. Do not invent facts, prices or appointments that the conversation does not give.",
            "Lines marked [Internal note] are the team's own notes: use them as context, never quote or mention "
            "them to the person.",
        ]
        if entry.segment_length:
            lines.append(f"It is sent as an SMS: plain text, ideally within {entry.segment_length} characters, "
                         f"never more than {entry.max_length}.")
        elif entry.max_length:
            lines.append(f"Plain text, never more than {entry.max_length} characters.")
        if entry.reply_window:
            expiry = self._inbox_window_expiry(entry.key, self._inbox_usable_senders(entry.key)[:1])
            lines.append(f"{entry.label} lets the team write freely until {expiry} UTC only; "
                         "do not promise to write later on it.")
        return "\n".join(lines)

    def _inbox_suggest_transcript(self, entry):
        """The newest messages (notes marked as staff-only), oldest first,
        within HISTORY_MESSAGES and HISTORY_CHARS."""
        messages = self.env["mail.message"].sudo().search([
            ("model", "=", self._name), ("res_id", "=", self.id), ("inbox_channel", "!=", False),
            ("message_type", "!=", "notification"), ("inbox_status", "not in", ("canceled", "failed")),
        ], order="id desc", limit=HISTORY_MESSAGES)
        person = self.partner_id.name or self.env._("The person")
        lines, size = [], 0
        for message in messages:
            text = html2plaintext(message.body or "").strip()[:MESSAGE_CHARS]
            if not text:
                continue
            if channels.get(message.inbox_channel).internal:
                who = "[Internal note]"
            elif message.inbox_direction == "inbound":
                who = f"[{person}]"
            else:
                who = f"[{message.author_id.name or self.company_id.name}]"
            line = f"{who} {text}"
            if size + len(line) > HISTORY_CHARS:
                break
            lines.append(line)
            size += len(line)
        history = "\n".join(reversed(lines)) or "(no message yet)"
        return f"The conversation so far, oldest first:\n{history}\n\nDraft the team's next reply to {person} " \
               f"on {entry.label}."

    def _inbox_suggest_error(self, error):
        messages = {
            "timeout": self.env._("The assistant did not answer within %s seconds.", error.detail),
            "unreachable": self.env._("The assistant could not be reached."),
            "http": self.env._("The assistant refused the request (%s).", error.detail),
            "unreadable": self.env._("The assistant's answer could not be read."),
            "refused": self.env._("The assistant declined to suggest a reply."),
            "empty": self.env._("The assistant suggested nothing."),
        }
        return messages[error.kind]
