"""Calls in the conversation: who an inbound call rings, its entry, a missed
call's text-back, and a call from the Inbox (click to call)."""
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .. import channels
from ..channels.builtin import CALL, SMS
from ..providers import CallRouting
from .inbox_assignment_rule import UNAVAILABLE_STATUSES
from .inbox_event import InboxEventWaiting

# agents an inbound call rings, at most, before the voicemail
MAX_AGENTS_RUNG = 5
# a call from the Inbox not over after this long is no reason to refuse another
CALL_IN_PROGRESS_FOR = timedelta(hours=2)


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Inbound: who it rings (in the webhook), its entry (in the event queue)
    # ------------------------------------------------------------------

    @api.model
    def _inbox_call_routing(self, provider, step):
        """Who a call on the line rings, in turn: the assignee of the
        caller's open conversation, else the available agents of the
        account's teams (or of every team), each by their own phone. Read
        only: the webhook answers at once, the entry comes from the event."""
        sender = self.env["inbox.sender"].sudo()._inbox_account(provider, CALL.key, "", step.to_address)
        routing = CallRouting(numbers=step.pending, ring_seconds=sender.call_ring_seconds or 20,
                              record=sender.call_recording, greeting=sender.call_greeting or "")
        if step.pending is not None:
            return routing  # the agents left, as listed when the call arrived
        number = sender._inbox_normalize_address(CALL.key, step.from_address, raise_exception=False)
        conversation = self.browse()
        if number:
            partners = self.env["res.partner"].sudo().search([("phone_sanitized", "=", number)])
            conversation = self.sudo().search([
                ("partner_id", "in", partners.ids), ("company_id", "=", sender.company_id.id), ("state", "=", "open"),
            ], limit=1)
        group = self.env.ref("unified_inbox.group_inbox_user")
        teams = conversation.team_id or sender.team_ids
        agents = teams.member_ids if teams else group.sudo().all_user_ids
        agents = conversation.user_id | agents.filtered(
            lambda user: user.active and not user.share and group in user.all_group_ids
            and not user.is_out_of_office and user.manual_im_status not in UNAVAILABLE_STATUSES
            and sender.company_id in user.company_ids).sorted("id")
        numbers = []
        for agent in agents:
            phone = agent._inbox_phone()
            if phone and phone not in numbers and phone != number:
                numbers.append(phone)
        routing.numbers = numbers[:MAX_AGENTS_RUNG]
        return routing

    @api.model
    def _inbox_apply_call(self, provider, event):
        """A leg of a call reached a status: its entry moves forward (made
        when the call arrives; a leg heard of before waits for it)."""
        Message = self.env["mail.message"].sudo()
        entry = Message._inbox_find(provider, event.call_sid)
        if not entry:
            if event.leg != "caller":
                raise InboxEventWaiting(
                    self.env._("No call with the provider's id %s (yet).", event.call_sid), event.call_sid)
            entry = self._inbox_receive_call(provider, event)
            self.env["inbox.event"]._inbox_wake(provider, event.call_sid)
        entry._inbox_apply_call_leg(event)
        return entry

    @api.model
    def _inbox_receive_call(self, provider, event):
        """The entry of a call to one of our numbers, on the caller's
        conversation (the person found or made once, as for an SMS)."""
        Sender = self.env["inbox.sender"].sudo()
        key = CALL.key
        sender = Sender._inbox_account(provider, key, "", event.to_address)
        number = Sender._inbox_normalize_address(key, event.from_address, raise_exception=False)
        if number:
            partner = self.env["res.partner"].sudo()._inbox_find_or_create(
                channels.PHONE, number, "", sender.company_id, provider=provider, seen=True, channel=key)
        else:
            # a withheld number: a person of their own, never somebody else's history
            partner = self.env["res.partner"].sudo().create({
                "name": self.env._("Unknown caller"), "company_id": sender.company_id.id})
        conversation = self.sudo()._inbox_route(partner, sender)
        entry = conversation._inbox_message_create([{
            "model": self._name,
            "res_id": conversation.id,
            "body": plaintext2html(self.env._("Incoming call: Ringing")),
            "author_id": partner.id,
            "message_type": "comment",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("unified_inbox.mt_inbox_message"),
            "record_company_id": conversation.company_id.id,
            "inbox_channel": key,
            "inbox_direction": "inbound",
            "inbox_status": "received",
            "inbox_call_status": "ringing",
            "inbox_sender_id": sender.id,
            "inbox_provider_id": provider.id,
            "inbox_provider_message_id": event.call_sid,
            "inbox_address": number or False,
        }])
        conversation._inbox_touch(entry, {"last_sender_id": sender.id})
        return entry

    def _inbox_after_missed_call(self, entry):
        """Nobody answered: the conversation is unread (and open) for the
        team, and the account's text-back goes by SMS, once."""
        self.ensure_one()
        sender = entry.inbox_sender_id
        self._inbox_after_inbound(entry, None)
        template = sender.call_text_back_template_id
        if not template:
            return
        sms = self.env["inbox.sender"].sudo().search([
            ("provider_id", "=", sender.provider_id.id), ("channel", "=", SMS.key),
            ("address", "=", sender.address),
        ], limit=1)
        try:
            # as the system, scheduled now: an automated message waits for
            # the end of quiet hours; opt-out, DND and readiness refuse it
            self.sudo().with_context(mail_create_nosubscribe=True).message_inbox_send(
                SMS.key, None, sender_id=sms.id or None, template_id=template.id,
                scheduled_date=fields.Datetime.now())
        except UserError as error:
            entry.inbox_error = self.env._("No text-back was sent: %s", error.args[0])

    # ------------------------------------------------------------------
    # Outbound: a call from the Inbox
    # ------------------------------------------------------------------

    def action_inbox_call(self, sender_id=None):
        """Call the person: the provider rings the user's own phone, then
        the person, the account's number as caller id. The entry is there
        at once ("Calling"); the dispatch queue places the call, exactly
        once, as it sends messages. A UserError says why it cannot be."""
        self.ensure_one()
        self.check_access("write")
        key = CALL.key
        own_phone = self.env.user._inbox_phone()
        if not own_phone:
            raise UserError(self.env._(
                "Add your own phone number to your preferences first: the call rings it, then %s.",
                self.partner_id.display_name))
        sender = self._inbox_check_sender(key, sender_id)
        reason = self._inbox_unavailable_reason(key, sender)
        if reason:
            raise UserError(reason)
        if self.env["mail.message"].sudo().search_count([
            ("model", "=", self._name), ("res_id", "=", self.id), ("inbox_channel", "=", key),
            ("inbox_call_user_id", "=", self.env.uid),
            ("inbox_call_status", "in", ("queued", "ringing", "in_progress")),
            ("inbox_status", "not in", ("failed", "canceled")),
            ("date", ">", fields.Datetime.now() - CALL_IN_PROGRESS_FOR),
        ], limit=1):
            raise UserError(self.env._("You are calling %s already.", self.partner_id.display_name))
        entry = self._inbox_post(
            body=plaintext2html(self.env._("Outgoing call: Calling")),
            message_type="comment",
            subtype_xmlid="unified_inbox.mt_inbox_message",
            inbox_channel=key,
            inbox_direction="outbound",
            inbox_status="queued",
            inbox_call_status="queued",
            inbox_call_user_id=self.env.uid,
            inbox_sender_id=sender.id,
            inbox_provider_id=sender.provider_id.id,
            inbox_address=self._inbox_recipient_address(key, sender),
            inbox_next_attempt=fields.Datetime.now(),
        )
        self.sudo().last_sender_id = sender
        self._inbox_touch(entry)
        self.env["mail.message"]._inbox_trigger_dispatch()
        self._inbox_team_reached_out(entry, self.env.user)
        return entry.id
