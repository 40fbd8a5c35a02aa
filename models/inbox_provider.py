import logging
import secrets
import smtplib
import uuid
from datetime import timedelta
from functools import partial

from lxml.builder import E

from odoo import api, fields, models, tools
from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tools import SQL

from ..providers import ProviderError, SendResult, WebhookError, get_adapter_class, provider_types
from ..tools import transaction

_logger = logging.getLogger(__name__)

# Consecutive failed calls after which a provider is "down".
DOWN_AFTER_FAILURES = 3
# How long a webhook signature failure keeps a provider "degraded".
SIGNATURE_FAILURE_WINDOW = timedelta(hours=24)
# Minimum intervals (seconds) between two writes of the same observation,
# so that a burst of webhooks or sends does not make every request update
# the provider's row.
INBOUND_TOUCH_INTERVAL = 60
HEALTH_TOUCH_INTERVAL = 60
# {(database, provider id): its last inbound date, as committed}, as this
# process last knew it: every inbound webhook asks, and the date is recorded
# once a minute at most, so that this process need not read it again until then
_inbound_dates_known = {}


class InboxProvider(models.Model):
    """A connection to a messaging provider, and its observed health."""

    _name = "inbox.provider"
    _description = "Inbox Provider"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    # every other provider adds itself (``selection_add``) with the fields of
    # its credentials, in a file of its own (inbox_provider_<type>.py)
    provider_type = fields.Selection(
        [("sandbox", "Sandbox")],
        string="Type", required=True, default="sandbox",
        help="Sandbox: a built-in provider that delivers within Odoo, for trials and demos.")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company)
    api_base_url = fields.Char(
        "API Base URL",
        help="Leave empty to call the provider's official endpoint. Set it to use a proxy or a test server.")
    sender_ids = fields.One2many("inbox.sender", "provider_id", string="Sender Accounts")
    sender_count = fields.Integer(compute="_compute_sender_count")

    # Webhooks
    webhook_token = fields.Char(
        required=True, readonly=True, copy=False, default=lambda self: uuid.uuid4().hex,
        help="Secret part of the webhook URL that identifies this provider.")
    webhook_secret = fields.Char(
        groups="base.group_system", copy=False, default=lambda self: secrets.token_urlsafe(32),
        help="Key with which the provider signs its webhooks.")
    webhook_url = fields.Char(
        "Webhook URL", compute="_compute_webhook_url",
        help="Paste this URL in the provider's console for inbound messages and status callbacks.")

    # Observed health
    state = fields.Selection(
        [("not_configured", "Not Configured"), ("ready", "Ready"), ("degraded", "Degraded"), ("down", "Down")],
        string="Readiness", compute="_compute_state")
    state_reason = fields.Char("Readiness Details", compute="_compute_state")
    last_success_date = fields.Datetime("Last Successful Call", readonly=True, copy=False)
    last_inbound_date = fields.Datetime("Last Inbound Webhook", readonly=True, copy=False)
    last_error_date = fields.Datetime("Last Error On", readonly=True, copy=False)
    last_error = fields.Char(readonly=True, copy=False)
    consecutive_failures = fields.Integer(readonly=True, copy=False)
    signature_failure_count = fields.Integer("Signature Failures", readonly=True, copy=False)
    last_signature_failure_date = fields.Datetime("Last Signature Failure", readonly=True, copy=False)

    _webhook_token_unique = models.Constraint("UNIQUE(webhook_token)", "The webhook token must be unique.")

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # a token no provider had: see _inbox_id_by_token
        return super().create(vals_list)

    def write(self, vals):
        if vals.keys() & self._inbox_configuration_fields():
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.depends("sender_ids")
    def _compute_sender_count(self):
        counts = dict(self.env["inbox.sender"]._read_group(
            [("provider_id", "in", self.ids)], ["provider_id"], ["__count"]))
        for provider in self:
            provider.sender_count = counts.get(provider, 0)

    @api.depends("webhook_token")
    def _compute_webhook_url(self):
        for provider in self:
            provider.webhook_url = f"{provider.get_base_url()}/unified_inbox/webhook/{provider.webhook_token}"

    @api.depends("active", "provider_type", "consecutive_failures", "last_error", "last_signature_failure_date",
                 "twilio_account_sid", "twilio_auth_token", "meta_access_token", "meta_app_secret",
                 "meta_verify_token")
    @api.depends_context("uid")
    def _compute_state(self):
        now = fields.Datetime.now()
        for provider in self:
            missing = provider._inbox_adapter().missing_settings()
            if not provider.active:
                state, reason = "not_configured", self.env._("The provider is archived.")
            elif missing:
                state, reason = "not_configured", self.env._("Missing settings: %s.", ", ".join(missing))
            elif provider.consecutive_failures >= DOWN_AFTER_FAILURES:
                state, reason = "down", self.env._(
                    "The last %(count)s calls failed: %(error)s",
                    count=provider.consecutive_failures, error=provider.last_error)
            elif provider.consecutive_failures:
                state, reason = "degraded", self.env._("The last call failed: %s", provider.last_error)
            elif (provider.last_signature_failure_date
                  and provider.last_signature_failure_date > now - SIGNATURE_FAILURE_WINDOW):
                state, reason = "degraded", self.env._(
                    "Webhooks with an invalid signature were received (last on %s). "
                    "Check the webhook secret in the provider's console.",
                    provider.last_signature_failure_date)
            else:
                state, reason = "ready", False
            provider.state, provider.state_reason = state, reason

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The form's Credentials page shows the settings each adapter
        declares, under its provider type: a new provider needs no view."""
        arch, view = super()._get_view(view_id, view_type, **options)
        page = arch.find(".//page[@name='credentials']") if view_type == "form" else None
        if page is None:
            return arch, view
        with_settings = []
        for provider_type, adapter_class in provider_types().items():
            names = [*adapter_class.required_settings, *adapter_class.optional_settings]
            if not names:
                continue
            with_settings.append(provider_type)
            page.append(E.group(
                *(E.field(name=name, **({"password": "True"} if name in adapter_class.secret_settings else {}))
                  for name in names),
                name=f"credentials_{provider_type}", invisible=f"provider_type != {provider_type!r}"))
        page.set("invisible", f"provider_type not in {with_settings!r}")
        return arch, view

    # ------------------------------------------------------------------
    # Adapter
    # ------------------------------------------------------------------

    def _inbox_adapter_settings(self):
        """Plain settings handed to the adapter: the webhook secret and the
        fields its protocol requires. Read as superuser: the adapter needs
        credentials that the current user may not read."""
        self.ensure_one()
        provider = self.sudo()
        adapter_class = get_adapter_class(provider.provider_type)
        settings = {"webhook_secret": provider.webhook_secret}
        names = [*adapter_class.required_settings, *adapter_class.optional_settings]
        settings.update({name: provider[name] for name in names})
        return settings

    @api.model
    def _inbox_configuration_fields(self):
        """What the processes keep of a provider between requests (see
        :meth:`_inbox_adapter_config` and :meth:`_inbox_from_token`) is read
        from these fields: changing one makes every process read it again."""
        names = {"active", "provider_type", "api_base_url", "webhook_token", "webhook_secret"}
        for adapter_class in provider_types().values():
            names.update(adapter_class.required_settings, adapter_class.optional_settings)
        return names

    def _inbox_adapter_config(self):
        """``(provider type, settings, API base URL)`` of the provider's
        adapter. Every webhook and every send needs them: a saved provider's
        are read once per process, until its configuration changes; those of
        a provider being edited are the form's."""
        self.ensure_one()
        if isinstance(self.id, int):
            provider_type, settings, api_base_url = self._inbox_stored_adapter_config()
            return provider_type, dict(settings), api_base_url
        return self.provider_type, self._inbox_adapter_settings(), self.api_base_url or None

    @tools.ormcache("self.id")
    def _inbox_stored_adapter_config(self):
        provider = self.sudo()
        return provider.provider_type, tuple(provider._inbox_adapter_settings().items()), provider.api_base_url or None

    def _inbox_adapter(self, sender=None):
        """The provider's protocol, ready to call. Protocols that go through
        Odoo's own transport (email) get it, bound to ``sender``'s server."""
        self.ensure_one()
        provider_type, settings, api_base_url = self._inbox_adapter_config()
        adapter_class = get_adapter_class(provider_type)
        sender = sender or self.env["inbox.sender"]
        return adapter_class(
            settings, api_base_url,
            transport=self._inbox_transport(sender, provider_type),
            transport_check=partial(self._inbox_check_mail_server, sender),
        )

    def _inbox_transport(self, sender, provider_type):
        """What a protocol going through Odoo itself sends with, bound to
        ``sender``: Odoo's outgoing mail (another ``provider_type``'s file
        gives its own)."""
        return partial(self._inbox_send_email, sender)

    def _inbox_recipient_reason(self, sender, address, partner):
        """Why ``partner`` cannot be written to at ``address`` through
        ``sender`` now, as only this provider knows (a sentence), or False."""
        return False

    def _inbox_send_email(self, sender, email):
        try:
            self.env["ir.mail_server"].sudo().send_email(email, mail_server_id=sender.mail_server_id.id or None)
        except MailDeliveryException as error:
            cause = error.__cause__ or (error.args[1] if len(error.args) > 1 else None)
            if isinstance(cause, smtplib.SMTPRecipientsRefused):
                raise ProviderError(self.env._("The recipient's mail server refused the address."),
                                    code="smtp-recipient", recipient_error=True) from error
            raise ProviderError(self.env._("The outgoing mail server failed: %s", cause or error),
                                code="smtp", retryable=True) from error

    def _inbox_check_mail_server(self, sender):
        try:
            self.env["ir.mail_server"].sudo().connect(mail_server_id=sender.mail_server_id.id or None).quit()
        except Exception as error:
            raise ProviderError(self.env._("Cannot connect to the outgoing mail server: %s", error)) from error

    # ------------------------------------------------------------------
    # Health
    # ------------------------------------------------------------------

    def _inbox_record_success(self):
        # the provider works: the last error is history, not its state
        self.sudo().write({"last_success_date": fields.Datetime.now(), "consecutive_failures": 0,
                           "last_error": False})

    def _inbox_record_failure(self, reason, down=False):
        """A call failed for ``reason``; ``down``: the provider refused our
        credentials, and is down at once until they are renewed."""
        for provider in self.sudo():
            failures = provider.consecutive_failures + 1
            provider.write({
                "last_error": reason,
                "last_error_date": fields.Datetime.now(),
                "consecutive_failures": max(failures, DOWN_AFTER_FAILURES) if down else failures,
            })

    def _inbox_after_call(self, outcome):
        """After a send's outcome (its SendResult or ProviderError) is
        recorded, in a transaction of its own so that neither holds up
        sending: wake the delivery receipts that came before it, and record
        the provider's health. A success changes the health only when
        something failed lately or none was recorded for a while. What
        meets a concurrent writer is dropped (the receipts still come in
        their own time)."""
        self.ensure_one()
        provider = self.sudo()
        try:
            if isinstance(outcome, SendResult):
                self.env["inbox.event"]._inbox_wake(provider, outcome.provider_message_id)
            if isinstance(outcome, ProviderError) and not outcome.recipient_error:
                provider._inbox_record_failure(outcome.reason, down=outcome.credentials)
            elif provider.consecutive_failures or not provider.last_success_date or \
                    provider.last_success_date < fields.Datetime.now() - timedelta(seconds=HEALTH_TOUCH_INTERVAL):
                provider._inbox_record_success()
            transaction.commit(self.env)
        except transaction.CONCURRENCY_ERRORS:
            if module.current_test:
                raise
            _logger.info("Provider %s: what followed a send met a concurrent transaction", self.id)
            self.env.cr.rollback()

    def _inbox_touch_from_webhook(self, query):
        """Run ``query`` (an UPDATE of this provider's webhook health,
        returning the date it records) in the webhook's transaction, without
        ever failing the webhook: a concurrent writer of the same row wins,
        this observation is dropped. Returns that date, None when dropped."""
        result = None
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(query, log_exceptions=False)
                result = (self.env.cr.fetchone() or [None])[0]
        except transaction.CONCURRENCY_ERRORS:
            _logger.info("Webhook health of provider %s not recorded: a concurrent transaction", self.id)
        self.invalidate_recordset([
            "last_inbound_date", "signature_failure_count", "last_signature_failure_date"])
        return result

    def _inbox_record_signature_failure(self):
        self.ensure_one()
        self._inbox_touch_from_webhook(SQL(
            """UPDATE inbox_provider
                  SET signature_failure_count = COALESCE(signature_failure_count, 0) + 1,
                      last_signature_failure_date = (now() AT TIME ZONE 'UTC')
                WHERE id = %s
            RETURNING last_signature_failure_date""", self.id))

    def _inbox_record_inbound(self):
        """Record that a webhook brought something in, once a minute at
        most: what this process knows of the date spares it a query until
        then. It knows only what was committed (a test's rollback, or a
        write dropped, leaves it as it was)."""
        self.ensure_one()
        key = (self.env.cr.dbname, self.id)
        recent = fields.Datetime.now() - timedelta(seconds=INBOUND_TOUCH_INTERVAL)
        known = _inbound_dates_known.get(key)
        if known and known > recent:
            return
        # that column only, as it is now
        self.env.cr.execute(SQL("SELECT last_inbound_date FROM inbox_provider WHERE id = %s", self.id))
        last = (self.env.cr.fetchone() or [None])[0]
        if not (last and last > recent):
            last = self._inbox_touch_from_webhook(SQL(
                """UPDATE inbox_provider SET last_inbound_date = (now() AT TIME ZONE 'UTC') WHERE id = %s
                   RETURNING last_inbound_date""", self.id))
        if last:
            self.env.cr.postcommit.add(partial(_inbound_dates_known.__setitem__, key, last))

    def action_test_connection(self):
        """Call a cheap endpoint of the provider and report the result."""
        self.ensure_one()
        # these actions use the provider's credentials or change what the
        # Inbox relies on: for who may change the provider (administrators)
        self.check_access("write")
        adapter = self._inbox_adapter()
        if missing := adapter.missing_settings():
            # nothing to call with: say what to fill in, record no failure
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"type": "warning", "message": self.env._("Fill in first: %s.", ", ".join(missing))},
            }
        try:
            adapter.check_health()
        except ProviderError as error:
            self._inbox_record_failure(error.reason, down=error.credentials)
            notification = {"type": "danger", "message": self.env._("Connection failed: %s", error.reason)}
        else:
            self._inbox_record_success()
            notification = {"type": "success", "message": self.env._("Connection to %s works.", self.name)}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": dict(notification, next={"type": "ir.actions.client", "tag": "soft_reload"}),
        }

    def action_sync_templates(self):
        """Bring the provider's message templates (WhatsApp, with their review
        status) into the Inbox's templates."""
        self.ensure_one()
        self.check_access("write")
        try:
            infos = self._inbox_adapter().list_templates()
        except ProviderError as error:
            raise UserError(self.env._("The templates could not be synchronized: %s", error.reason)) from error
        templates = self.env["inbox.template"].sudo()._inbox_sync_templates(self, infos)
        approved = templates.filtered(lambda template: template.whatsapp_status == "approved")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s templates synchronized, %(approved)s approved.",
                                      count=len(templates), approved=len(approved)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_reset_health(self):
        """Forget the observed failures, e.g. after fixing the configuration."""
        self.check_access("write")
        self.sudo().write({"consecutive_failures": 0, "last_signature_failure_date": False})

    def action_view_senders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("unified_inbox.inbox_sender_action")
        action["domain"] = [("provider_id", "=", self.id)]
        action["context"] = {"default_provider_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Webhooks and events
    # ------------------------------------------------------------------

    @api.model
    def _inbox_from_token(self, token):
        if not token:
            return self.browse()
        return self.sudo().browse(self._inbox_id_by_token(token))

    @api.model
    @tools.ormcache("token")
    def _inbox_id_by_token(self, token):
        """The active provider with this webhook token (its id, or None): kept
        per process until a provider's configuration changes."""
        return self.sudo().search([("webhook_token", "=", token)], limit=1).id or None

    def _inbox_handle_webhook(self, request, apply_now=False):
        """Verify, parse and keep a :class:`WebhookRequest`'s events.

        The single entry point of everything a provider posts to us, used by
        the controller and by the sandbox's "simulate" action alike. The
        events are kept (each once, however often delivered) for the
        event cron, which applies them right after: the provider is answered
        at once, and a burst waits in the queue, not in front of the HTTP
        workers. ``apply_now`` applies them in this transaction instead (a
        user waiting for the result).

        :return: ``(http status, content type, body)``
        """
        self.ensure_one()
        adapter = self._inbox_adapter()
        if answer := adapter.handshake(request):
            return answer
        if not adapter.verify_webhook(request):
            _logger.warning("Webhook with an invalid signature for provider %s", self.id)
            self._inbox_record_signature_failure()
            return 403, "text/plain", "Invalid signature"
        try:
            events = adapter.parse_webhook(request)
        except WebhookError as error:
            _logger.info("Rejected webhook for provider %s: %s", self.id, error)
            return error.status, "text/plain", str(error)
        try:
            # a call on the line: who it rings is the Inbox's to say, now (a
            # number that is none of our accounts is refused like a message's)
            step = adapter.call_step(request)
            routing = step and self.env["inbox.conversation"].sudo()._inbox_call_routing(self, step)
            Event = self.env["inbox.event"]
            if apply_now:
                with self.env.cr.savepoint():
                    for event in events:
                        Event._inbox_apply(self, event)
            else:
                # what the provider can be told now, before anything is
                # written: a message to a number that is none of our sender
                # accounts is refused; the account found goes with the event
                Sender = self.env["inbox.sender"].sudo()
                senders = [Sender._inbox_for_inbound(self, event)[0] if event.kind == "message" else Sender
                           for event in events]
                Event._inbox_schedule(self, [(0, event) for event in events], senders)
        except (UserError, ValueError) as error:
            # nothing of the request is kept (the checks come first; the
            # savepoint rolled back what was applied)
            _logger.info("Webhook for provider %s refused: %s", self.id, error)
            return 400, "text/plain", str(error)
        if any(event.kind in ("message", "reaction", "email", "call") for event in events):
            self._inbox_record_inbound()
        if step:
            return adapter.answer_call(request, step, routing)
        return adapter.webhook_response(request, events)
