import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import channels
from ..providers.sandbox import SandboxAdapter

# seconds a simulated inbound call lasts: answered, or a voicemail
ANSWERED_DURATION = 95
VOICEMAIL_DURATION = 14


class InboxSimulateInbound(models.TransientModel):
    """Make the person write to us through a sandbox sender account: the
    message takes the same path as a provider's webhook. For demos, trials
    and tours."""

    _name = "inbox.simulate.inbound"
    _description = "Inbox: Simulate an Inbound Message"

    conversation_id = fields.Many2one("inbox.conversation", required=True)
    sender_id = fields.Many2one(
        "inbox.sender", string="To", required=True,
        domain="[('provider_id.provider_type', '=', 'sandbox')]")
    body = fields.Text()
    subject = fields.Char()
    sender_calls = fields.Boolean(compute="_compute_sender_calls")
    call_answered = fields.Boolean(
        "Answered", help="You answer the call; else nobody does, and the caller leaves a voicemail.")

    @api.depends("sender_id")
    def _compute_sender_calls(self):
        for wizard in self:
            wizard.sender_calls = bool(wizard.sender_id) and channels.get(wizard.sender_id.channel).calls

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "sender_id" in fields_list and not values.get("sender_id"):
            conversation = self.env["inbox.conversation"].browse(values.get("conversation_id"))
            values["sender_id"] = self._inbox_sandbox_senders(conversation)[:1].id
        return values

    @api.model
    def _inbox_sandbox_senders(self, conversation, sender_id=None):
        """The sandbox sender accounts of the conversation's company (the
        current one's without a conversation); refused when there is none."""
        domain = [("provider_id.provider_type", "=", "sandbox"),
                  ("company_id", "=", (conversation.company_id or self.env.company).id)]
        if sender_id:
            domain.append(("id", "=", sender_id))
        senders = self.env["inbox.sender"].sudo().search(domain)
        if not senders:
            raise UserError(self.env._("There is no sandbox sender account in this company."))
        return senders

    @api.model
    def inbox_simulate(self, conversation_id, body, sender_id=None, subject=None, answered=False):
        """Make the person of ``conversation_id`` write ``body`` to a sandbox
        sender account (the first one of its company if none is given),
        through the same signed webhook path as a real provider. To an account
        of calls, the person calls (``answered`` by the current user, or not)."""
        conversation = self.env["inbox.conversation"].browse(conversation_id)
        conversation.check_access("read")
        sender = self._inbox_sandbox_senders(conversation, sender_id)[:1]
        partner = conversation.partner_id
        from_address = conversation._inbox_recipient_address(sender.channel, sender)
        if not from_address:
            raise UserError(self.env._("%(name)s has no address for %(channel)s.", name=partner.display_name,
                                       channel=dict(sender._fields["channel"].selection)[sender.channel]))
        if channels.get(sender.channel).calls:
            return self._inbox_simulate_call(sender, from_address, answered=answered)
        if not (body or "").strip():
            raise UserError(self.env._("Write what the person says."))
        provider = sender.provider_id
        request = SandboxAdapter.signed_request(provider.webhook_url, provider.webhook_secret, [{
            "type": "message",
            "id": f"SBIN{uuid.uuid4().hex}",
            "channel": sender.channel,
            "from": from_address,
            "to": sender.address,
            "name": partner.name,
            "subject": subject or "",
            "body": body,
        }])
        self._inbox_post(provider, request, apply_now=True)
        return True

    def _inbox_post(self, provider, request, apply_now=False):
        status, _content_type, answer = provider._inbox_handle_webhook(request, apply_now=apply_now)
        if status != 200:
            raise UserError(self.env._("The sandbox refused the message: %s", answer))

    def _inbox_simulate_call(self, sender, from_address, answered):
        """The person calls ``sender``'s number: it rings (applied now, in
        the Inbox at once), then the current user answers and they talk, or
        nobody does and a voicemail is left (both recorded), as the
        sandbox's webhook reports it to the event queue."""
        provider = sender.provider_id
        sid = f"SBCA{uuid.uuid4().hex}"
        self._inbox_post(provider, SandboxAdapter.signed_request(provider.webhook_url, provider.webhook_secret, [{
            "type": "call", "id": sid, "leg": "caller", "status": "ringing", "from": from_address,
            "to": sender.address,
        }]), apply_now=True)
        later = []
        if answered:
            later.append({"type": "call", "id": f"SBAG{uuid.uuid4().hex}", "call": sid, "leg": "agent",
                          "status": "in_progress", "to": self.env.user.phone or ""})
        duration = ANSWERED_DURATION if answered else VOICEMAIL_DURATION
        later.append({"type": "call", "id": sid, "leg": "caller", "status": "completed", "duration": duration})
        if sender.call_recording or not answered:
            later.append({"type": "recording", "id": f"SBRE{uuid.uuid4().hex}", "call": sid, "status": "completed",
                          "duration": duration})
        self._inbox_post(provider, SandboxAdapter.signed_request(provider.webhook_url, provider.webhook_secret, later))
        return True

    def action_simulate(self):
        self.ensure_one()
        self.inbox_simulate(self.conversation_id.id, self.body, sender_id=self.sender_id.id, subject=self.subject,
                            answered=self.call_answered)
        return {"type": "ir.actions.act_window_close"}
