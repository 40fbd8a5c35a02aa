"""The company's bot: per person, it answers what they write (an assistant
with the company's instructions and snippets, or an away message outside
working hours) until somebody of the team writes or takes over."""
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import channels
from ..providers import BotReply
from ..tools import chat_completions

# an away message goes at most once in this long to the same person
AWAY_INTERVAL = timedelta(hours=12)
# characters of the snippets the assistant may use
SNIPPETS_CHARS = 4000


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    bot_available = fields.Boolean(compute="_compute_bot_active", help="The company has a bot.")
    bot_active = fields.Boolean(
        "Bot Answers", compute="_compute_bot_active",
        help="The company's bot answers what the person writes (their Bot Answers is on and the company has a bot).")

    @api.depends("partner_id.inbox_bot", "company_id.inbox_bot_mode")
    def _compute_bot_active(self):
        for conversation in self:
            conversation.bot_available = conversation.company_id.inbox_bot_mode != "none"
            conversation.bot_active = conversation.bot_available and conversation.partner_id.inbox_bot

    def inbox_set_bot(self, active):
        """Turn the bot on or off for the person (off: the team takes over)."""
        self.ensure_one()
        self.check_access("write")
        if active and self.company_id.inbox_bot_mode == "none":
            raise UserError(self.env._("The company has no bot: set one in the Inbox settings."))
        self.partner_id.sudo().inbox_bot = bool(active)
        self._inbox_bus_send(self.env["mail.message"])
        return self.bot_active

    # ------------------------------------------------------------------
    # Answering
    # ------------------------------------------------------------------

    def _inbox_after_inbound(self, message, sender):
        result = super()._inbox_after_inbound(message, sender)
        if self.bot_active and message.inbox_provider_id and not channels.get(message.inbox_channel).calls:
            # after the webhook's event is applied: an assistant may take seconds
            self.env["inbox.event"]._inbox_schedule(message.inbox_provider_id, [(0, BotReply(message.id))])
        return result

    def _inbox_team_reached_out(self, message, user, scheduled=False):
        result = super()._inbox_team_reached_out(message, user, scheduled=scheduled)
        if self.partner_id.inbox_bot:
            # somebody of the team writes: the bot never answers after a human has
            self.partner_id.sudo().inbox_bot = False
        return result

    @api.model
    def _inbox_bot_reply(self, provider, event):
        """The bot answers the inbound message ``event.message_id`` on its
        channel and account, under every channel rule, if it still may: the
        person's bot is on and nobody of the team wrote since."""
        message = self.env["mail.message"].sudo().browse(event.message_id).exists()
        if not message or message.model != self._name:
            return None
        conversation = self.sudo().browse(message.res_id)
        if not conversation.bot_active or conversation._inbox_bot_answered_since(message):
            return None
        text = conversation._inbox_bot_text(message)
        if not text:
            return None
        try:
            reply = conversation.with_context(mail_create_nosubscribe=True).message_inbox_send(
                message.inbox_channel, text, sender_id=message.inbox_sender_id.id)
        except UserError as error:
            # the channel refuses (opt-out, window, provider down): the team sees why
            conversation._inbox_bot_note(self.env._("The bot could not answer: %s", error.args[0]))
            return None
        reply.inbox_bot = True
        reply._inbox_bus_send(["inbox_bot"])
        return reply

    def _inbox_bot_answered_since(self, message):
        """Whether anybody (the team, or the bot) wrote to the person after ``message``."""
        self.ensure_one()
        return bool(self.env["mail.message"].sudo().search_count([
            ("model", "=", self._name), ("res_id", "=", self.id), ("id", ">", message.id),
            ("inbox_direction", "=", "outbound"), ("inbox_status", "!=", "canceled"),
        ], limit=1))

    def _inbox_bot_text(self, message):
        """What the bot says to ``message``: the away message outside working
        hours, or the assistant's answer; "" when it says nothing."""
        self.ensure_one()
        company = self.company_id
        if company.inbox_bot_mode == "away":
            now = fields.Datetime.now()
            calendar = company.resource_calendar_id
            if calendar and calendar.get_work_hours_count(now, now + timedelta(minutes=1)):
                return ""  # open: the team answers
            if self.env["mail.message"].sudo().search_count([
                ("model", "=", self._name), ("res_id", "=", self.id), ("inbox_bot", "=", True),
                ("date", ">", now - AWAY_INTERVAL),
            ], limit=1):
                return ""  # told already
            return (company.inbox_bot_away_message or "").strip()
        assistant = self._inbox_assistant(company)
        if not assistant:
            self._inbox_bot_note(self.env._("The bot could not answer: no assistant is connected."))
            return ""
        entry = channels.get(message.inbox_channel)
        prompt = [
            {"role": "system", "content": self._inbox_bot_instructions(entry)},
            {"role": "user", "content": self._inbox_suggest_transcript(entry)},
        ]
        try:
            text = chat_completions.complete(assistant["base_url"], assistant["model"], assistant["api_key"], prompt,
                                             timeout=chat_completions.TIMEOUT)
        except chat_completions.ChatCompletionError as error:
            self._inbox_bot_note(self.env._("The bot could not answer: %s", self._inbox_suggest_error(error)))
            return ""
        return text[:entry.max_length] if entry.max_length else text

    def _inbox_bot_instructions(self, entry):
        company = self.company_id
        person = self.partner_id.name or self.env._("the person")
        lines = [
            f"You are the assistant of {company.name}, answering {person} on {entry.label} until a person of "
            "the team takes over. Write only the text of your reply, in the language they write in, friendly and "
            "short. Never invent facts, prices or appointments: when you cannot answer from what you are given, "
            "say that the team will answer soon.",
            "Lines marked [Internal note] are the team's own notes: never quote or mention them.",
        ]
        if company.inbox_bot_instructions:
            lines.append(f"The company's instructions:\n{company.inbox_bot_instructions.strip()}")
        snippets, size = [], 0
        for snippet in company.inbox_bot_snippet_ids:
            line = f"- {snippet.body.strip()}"
            if size + len(line) > SNIPPETS_CHARS:
                break
            snippets.append(line)
            size += len(line)
        if snippets:
            lines.append("What you may tell them:\n" + "\n".join(snippets))
        if entry.max_length:
            lines.append(f"Plain text, never more than {entry.max_length} characters.")
        return "\n".join(lines)

    def _inbox_bot_note(self, text):
        """A line for the team in the conversation (not sent to anyone)."""
        self.ensure_one()
        note = self._inbox_post(body=Markup("<p>%s</p>") % text, message_type="comment",
                                 subtype_xmlid="mail.mt_note", inbox_channel="note")
        self._inbox_touch(note)
