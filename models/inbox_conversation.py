import uuid
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import IntegrityError

from odoo import Command, _, api, fields, models
from odoo.addons.mail.tools.discuss import Store
from odoo.addons.phone_validation.tools import phone_validation
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, escape_psql, hmac, html2plaintext, is_html_empty, plaintext2html
from odoo.tools.mail import email_normalize, email_normalize_all, email_split_tuples, html_to_inner_content

from ..providers import ATTACHMENT_EXTENSIONS, InboundMessage, MediaFetch
from ..providers.sandbox import SandboxAdapter
from .inbox_sender import CHANNELS

INBOX_CHANNELS = [("note", "Internal Note"), *CHANNELS]
# WhatsApp's customer service window: free text only within this time after
# the customer's last message.
WHATSAPP_WINDOW = timedelta(hours=24)
# a scheduled date this far in the past is taken as "now" (clocks differ)
CLOCK_SKEW = timedelta(minutes=1)
PREVIEW_LENGTH = 120
# an agent asks to join a conversation at most once in this time
JOIN_REQUEST_DELAY = timedelta(hours=1)
# the Inbox's tab counts stop there (shown as "999+")
COUNT_CAP = 1000
# a search matching more conversations is run as a subquery, not as ids
SEARCH_IDS_LIMIT = 5000
# tab counts of at most this many conversations are made in one pass
SMALL_SET = 5000
SMS_MAX_LENGTH = 1600
WHATSAPP_MAX_LENGTH = 4096
# attachment limits per channel, in bytes (0: the channel takes no files)
ATTACHMENT_MAX_SIZE = {"note": 25 << 20, "email": 25 << 20, "whatsapp": 16 << 20, "sms": 0}


class InboxConversation(models.Model):
    """One conversation with a person, across channels."""

    _name = "inbox.conversation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Inbox Conversation"
    _order = "last_message_date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["partner_id.name", "partner_id.phone_sanitized", "partner_id.email_normalized"]

    name = fields.Char(related="partner_id.name", string="Person Name", store=True, index="trigram")
    partner_id = fields.Many2one(
        "res.partner", string="Person", required=True, index=True, ondelete="restrict", tracking=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index="btree_not_null", check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")], default="open", required=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Assignee", index="btree_not_null", tracking=True,
                              domain="[('share', '=', False)]")
    team_id = fields.Many2one("crm.team", string="Team", index="btree_not_null", tracking=True, check_company=True)
    label_ids = fields.Many2many("inbox.label", string="Labels")

    last_message_date = fields.Datetime(readonly=True)
    last_message_preview = fields.Char(readonly=True)
    last_message_channel = fields.Selection(INBOX_CHANNELS, readonly=True)
    last_message_direction = fields.Selection([("inbound", "Inbound"), ("outbound", "Outbound")], readonly=True)
    channels = fields.Char(
        "Channels Used", readonly=True,
        help="The channels of the conversation's messages, space-separated: what the Inbox's channel filter "
             "searches (a stored column, not a scan of the messages).")
    last_inbound_message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null")
    last_inbound_date = fields.Datetime(readonly=True)
    last_sender_id = fields.Many2one("inbox.sender", string="Last Sender Account", readonly=True, ondelete="set null")
    whatsapp_window_expiry = fields.Datetime(
        "WhatsApp Window Ends", readonly=True,
        help="Free-form WhatsApp messages can be sent until then; afterwards only approved templates.")

    display_status = fields.Selection(
        [("open", "Open"), ("closed", "Closed"), ("outbound_only", "Outbound Only")],
        string="Status", compute="_compute_display_status")
    is_unread = fields.Boolean("Unread", compute="_compute_is_unread", search="_search_is_unread")
    channel_availability = fields.Json(
        compute="_compute_channel_availability",
        help="Per channel: whether the current user can send on it, from which accounts, and why not.")

    # the Inbox's list order, whatever the filter: a first page reads 40 rows
    _inbox_list_order_index = models.Index("(last_message_date DESC NULLS LAST, id DESC)")
    _inbox_state_index = models.Index("(state, user_id)")
    # one open conversation per person and company, whoever starts it: the
    # last line of defence behind the lock every creation path takes
    _inbox_one_open_per_person = models.UniqueIndex(
        "(partner_id, company_id) WHERE state = 'open'",
        "This person already has an open conversation in this company.")

    def init(self):
        super().init()
        # conversations kept from before the rule: the person's latest open
        # one stays open, the others are closed (their messages stay)
        self.env.cr.execute("""
            UPDATE inbox_conversation c SET state = 'closed'
              FROM inbox_conversation newer
             WHERE c.state = 'open' AND newer.state = 'open'
               AND newer.partner_id = c.partner_id AND newer.company_id = c.company_id
               AND (COALESCE(newer.last_message_date, newer.create_date), newer.id)
                 > (COALESCE(c.last_message_date, c.create_date), c.id)
        """)

    @api.model_create_multi
    def create(self, vals_list):
        starting = set()
        context = self.env.context
        for vals in vals_list:
            partner_id = vals.get("partner_id") or context.get("default_partner_id")
            if vals.get("state", context.get("default_state", "open")) == "open" and partner_id:
                key = (partner_id, vals.get("company_id") or context.get("default_company_id") or self.env.company.id)
                if key in starting:
                    raise UserError(_("A person has one open conversation per company."))
                starting.add(key)
                self._inbox_check_none_open(*key)
        # "Conversation created" says nothing in a conversation's timeline
        return super(InboxConversation, self.with_context(mail_create_nolog=True)).create(vals_list)

    def write(self, vals):
        if vals.get("state") == "open" or (vals.keys() & {"partner_id", "company_id"}):
            # reopening (or moving) one must not make a second open one
            for conversation in self:
                if vals.get("state", conversation.state) == "open":
                    self._inbox_check_none_open(
                        vals.get("partner_id", conversation.partner_id.id),
                        vals.get("company_id", conversation.company_id.id), exclude=conversation)
        result = super().write(vals)
        if "label_ids" in vals:
            # a label can route an unassigned conversation to its team
            Rule = self.env["inbox.assignment.rule"].sudo()
            for conversation in self.sudo().filtered(lambda c: c.state == "open" and not c.user_id):
                Rule._inbox_assign(conversation, conversation.last_sender_id, labelled_only=True)
        return result

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("state", "last_inbound_message_id", "last_message_date")
    def _compute_display_status(self):
        for conversation in self:
            if conversation.state == "closed":
                conversation.display_status = "closed"
            elif conversation.last_message_date and not conversation.last_inbound_message_id:
                conversation.display_status = "outbound_only"
            else:
                conversation.display_status = "open"

    @api.depends("last_inbound_message_id")
    @api.depends_context("uid")
    def _compute_is_unread(self):
        read_states = self.env["inbox.read.state"].sudo().search_fetch(
            [("conversation_id", "in", self.ids), ("user_id", "=", self.env.uid)],
            ["conversation_id", "last_read_message_id"])
        last_read = {state.conversation_id.id: state.last_read_message_id.id for state in read_states}
        for conversation in self:
            last_inbound = conversation.last_inbound_message_id.id
            conversation.is_unread = bool(last_inbound) and last_inbound > last_read.get(conversation.id, 0)

    def _search_is_unread(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on Unread."))
        self.flush_model(["last_inbound_message_id"])
        self.env["inbox.read.state"].flush_model()
        uid = self.env.uid

        def to_sql(model, alias, query):
            # correlated on the row: a first page of unread conversations
            # reads the read marks of its rows only
            last_inbound = model._field_to_sql(alias, "last_inbound_message_id", query)
            return SQL("""(%(last_inbound)s IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM inbox_read_state r
                 WHERE r.conversation_id = %(id)s AND r.user_id = %(uid)s
                   AND r.last_read_message_id >= %(last_inbound)s))""",
                       last_inbound=last_inbound, id=model._field_to_sql(alias, "id", query), uid=uid)

        unread = Domain.custom(to_sql=to_sql)
        return unread if (operator == "=") == value else ~unread

    @api.depends("partner_id", "state", "company_id", "whatsapp_window_expiry", "last_sender_id")
    @api.depends_context("uid")
    def _compute_channel_availability(self):
        for conversation in self:
            availability = {}
            for channel, _label in INBOX_CHANNELS:
                senders = conversation._inbox_usable_senders(channel)
                reason = conversation._inbox_unavailable_reason(channel, senders[:1])
                availability[channel] = {
                    "available": not reason,
                    "reason": reason or "",
                    # WhatsApp's window is closed, nothing else: an approved template may go
                    "templates_only": bool(reason) and channel == "whatsapp" and not (
                        conversation._inbox_unavailable_reason(channel, senders[:1], approved_template=True)),
                    "sender_ids": senders.ids,
                    "attachment_max_size": ATTACHMENT_MAX_SIZE[channel],
                }
            conversation.channel_availability = availability

    # ------------------------------------------------------------------
    # Channel rules
    # ------------------------------------------------------------------

    def _inbox_usable_senders(self, channel):
        """The sender accounts of ``channel`` the current user may use here,
        best first: the number or address the conversation last used (the
        person answers there, and WhatsApp's window is per number), then by
        sequence."""
        self.ensure_one()
        if channel == "note":
            return self.env["inbox.sender"]
        senders = self.env["inbox.sender"]._inbox_get_usable(channel, self.company_id)
        last = self.last_sender_id & senders
        return last | (senders - last) if last else senders

    def _inbox_recipient_address(self, channel):
        """The person's address on ``channel`` (E.164 or email), or False."""
        self.ensure_one()
        partner = self.partner_id
        if channel == "email":
            return partner.email_normalized
        if channel in ("sms", "whatsapp"):
            return partner.phone_sanitized
        return False

    def _inbox_unavailable_reason(self, channel, sender, approved_template=False):
        """Why ``channel`` cannot be used to write to this person now through
        ``sender`` (a sentence for the user), or False when it can. A
        degraded provider still sends: only one that is not configured or
        down refuses (a stray unsigned webhook must not stop the outbox)."""
        self.ensure_one()
        if channel == "note":
            return False
        label = dict(INBOX_CHANNELS)[channel]
        if not sender:
            return _("No %s sender account is available to you.", label)
        if sender.channel != channel:
            return _("%(sender)s is not a %(channel)s account.", sender=sender.name, channel=label)
        if sender.state in ("not_configured", "down"):
            return _("%(provider)s is not ready: %(reason)s",
                     provider=sender.provider_id.name,
                     reason=sender.state_reason or dict(sender.provider_id._fields["state"].selection)[sender.state])
        return self._inbox_recipient_reason(channel, sender, approved_template)

    def _inbox_recipient_reason(self, channel, sender, approved_template=False):
        """Why the person cannot be written to on ``channel`` through
        ``sender`` now, whatever the provider's health: no address, opt-out,
        do-not-disturb, WhatsApp window closed (except for an approved
        template). Checked when a message is written and again when it
        goes out."""
        self.ensure_one()
        label = dict(INBOX_CHANNELS)[channel]
        partner = self.partner_id
        if not self._inbox_recipient_address(channel):
            if channel == "email":
                return _("%s has no valid email address.", partner.display_name)
            return _("%s has no valid phone number.", partner.display_name)
        if partner._inbox_is_opted_out(channel):
            return _("%(name)s opted out of %(channel)s messages.", name=partner.display_name, channel=label)
        if partner._inbox_is_dnd(channel):
            return _("%(name)s is in Do Not Disturb for %(channel)s.", name=partner.display_name, channel=label)
        if channel == "whatsapp" and not approved_template and not self._inbox_whatsapp_window_open(sender):
            return _("The WhatsApp window is closed: %s has not written in the last 24 hours. "
                     "Only an approved template can be sent.", partner.display_name)
        return False

    def _inbox_whatsapp_window_open(self, sender=None):
        """Whether free text may go on WhatsApp: the window is per business
        number, so through ``sender`` only if the person wrote to that number
        in the last 24 hours (to any number of the conversation without one)."""
        self.ensure_one()
        if not (self.whatsapp_window_expiry and self.whatsapp_window_expiry > fields.Datetime.now()):
            return False
        if not sender:
            return True
        return bool(self.env["mail.message"].sudo().search_count([
            ("model", "=", self._name), ("res_id", "=", self.id), ("inbox_channel", "=", "whatsapp"),
            ("inbox_direction", "=", "inbound"), ("inbox_sender_id", "=", sender.id),
            ("date", ">", fields.Datetime.now() - WHATSAPP_WINDOW),
        ], limit=1))

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def message_inbox_send(self, channel, body, subject=None, sender_id=None, template_id=None,
                           attachment_ids=None, scheduled_date=None):
        """Write to the person on ``channel``: the one API every composer uses.

        An internal note is posted at once and reaches nobody outside the
        company. Other channels are queued for their sender account's
        provider and go out through the dispatch queue (at
        ``scheduled_date`` if given). Refuses with a UserError whatever the
        channel rules forbid.

        :return: the new ``mail.message``
        """
        self.ensure_one()
        self.check_access("write")
        if channel not in dict(INBOX_CHANNELS):
            raise UserError(_("Unknown channel %s.", channel))
        template = self._inbox_check_template(channel, template_id)
        if template:
            rendered_subject, rendered_body = template._inbox_render(self)
            if channel in ("email", "note"):
                # what the template rendered is text (it carries what
                # customers wrote): never taken as HTML
                rendered_body = template._inbox_rich_text(rendered_body)
            subject, body = subject or rendered_subject, body or rendered_body
            if template.whatsapp_template_name:
                # the provider sends the approved text: the thread shows that, not an edit
                body = rendered_body
        html_body = self._inbox_check_content(channel, body, subject, bool(attachment_ids))
        attachments = self._inbox_check_attachments(channel, attachment_ids or [])

        if channel == "note":
            message = self.message_post(
                body=html_body, message_type="comment", subtype_xmlid="mail.mt_note",
                attachment_ids=attachments.ids, inbox_channel="note")
            self._inbox_touch(message)
            return message

        sender = self._inbox_check_sender(channel, sender_id)
        reason = self._inbox_unavailable_reason(
            channel, sender, approved_template=bool(template.whatsapp_template_name))
        if reason:
            raise UserError(reason)
        if scheduled_date and fields.Datetime.to_datetime(scheduled_date) < fields.Datetime.now() - CLOCK_SKEW:
            raise UserError(_("A message cannot be scheduled in the past."))

        message = self.message_post(
            body=html_body,
            subject=subject or False,
            message_type="comment",
            subtype_xmlid="unified_inbox.mt_inbox_message",
            attachment_ids=attachments.ids,
            inbox_channel=channel,
            inbox_direction="outbound",
            inbox_status="queued",
            inbox_sender_id=sender.id,
            inbox_provider_id=sender.provider_id.id,
            inbox_address=self._inbox_recipient_address(channel),
            inbox_next_attempt=scheduled_date or fields.Datetime.now(),
            inbox_scheduled_date=scheduled_date or False,
            inbox_template=template._inbox_render_whatsapp(self) if template and channel == "whatsapp" else False,
        )
        self.sudo().last_sender_id = sender
        self._inbox_touch(message)
        self.env["mail.message"]._inbox_trigger_dispatch(scheduled_date)
        return message

    def inbox_render_template(self, template_id):
        """``{subject, body, body_html}`` of a template for this conversation,
        to prefill the composer (still editable).

        A template is plain text, and so are the values it shows (a person's
        name, an email's display name): ``body`` is that text, and
        ``body_html``, for the rich text of email and notes, is the same text
        escaped, never a "<" of the result taken for markup. It is sanitized
        all the same, as the composer shows it as HTML."""
        self.ensure_one()
        self.check_access("read")
        template = self.env["inbox.template"].browse(template_id).exists()
        if not template:
            raise UserError(_("This template no longer exists."))
        subject, body = template._inbox_render(self)
        body = str(body or "")
        return {
            "subject": str(subject or ""),
            "body": body,
            "body_html": str(template._inbox_rich_text(body)),
        }

    def _inbox_check_template(self, channel, template_id):
        template = self.env["inbox.template"]
        if not template_id:
            return template
        template = template.browse(template_id).exists()
        if not template or template.channel != channel:
            raise UserError(_("This template is not a %s template.", dict(INBOX_CHANNELS)[channel]))
        template._inbox_check_sendable()
        return template

    def _inbox_check_content(self, channel, body, subject, has_attachments):
        """The body to store (HTML), once the channel's rules on content hold:
        rich text for email and notes, plain text for SMS and WhatsApp."""
        if channel in ("email", "note"):
            html_body = self._inbox_html(body)
            text = "" if is_html_empty(html_body) else html2plaintext(html_body).strip()
        else:
            text = (body or "").strip()
            html_body = plaintext2html(text)
        if not text and not has_attachments:
            raise UserError(_("Write a message before sending."))
        if channel == "email" and not (subject or "").strip():
            raise UserError(_("An email needs a subject."))
        max_length = {"sms": SMS_MAX_LENGTH, "whatsapp": WHATSAPP_MAX_LENGTH}.get(channel)
        if max_length and len(text) > max_length:
            raise UserError(_("A %(channel)s message is limited to %(max)s characters.",
                              channel=dict(INBOX_CHANNELS)[channel], max=max_length))
        return html_body

    def _inbox_check_sender(self, channel, sender_id):
        """The sender account to use: the one asked for if the user may use
        it here, else the best one of the channel (maybe none)."""
        if not sender_id:
            return self._inbox_usable_senders(channel)[:1]
        sender = self.env["inbox.sender"].sudo().browse(sender_id).exists()._inbox_usable_by(self.env.user)
        if not sender or sender.company_id != self.company_id:
            raise UserError(_("You cannot send from this sender account."))
        return sender

    @staticmethod
    def _inbox_html(body):
        """Rich text as Markup (mail.message sanitizes it); plain text converted."""
        if not body:
            return Markup()
        if isinstance(body, Markup) or "<" in body:
            return Markup(body)
        return plaintext2html(body)

    def _inbox_check_attachments(self, channel, attachment_ids):
        attachments = self.env["ir.attachment"].browse(attachment_ids).exists()
        if not attachments:
            return attachments
        max_size = ATTACHMENT_MAX_SIZE[channel]
        if not max_size:
            raise UserError(_("%s messages cannot carry attachments.", dict(INBOX_CHANNELS)[channel]))
        attachments.check_access("read")
        for attachment in attachments:
            extension = (attachment.name or "").rsplit(".", 1)[-1].lower() if "." in (attachment.name or "") else ""
            if extension not in ATTACHMENT_EXTENSIONS:
                raise UserError(_("%s: this type of file cannot be sent.", attachment.name))
            if attachment.file_size > max_size:
                raise UserError(_("%(name)s is larger than %(size)s MB.", name=attachment.name, size=max_size >> 20))
        return attachments

    # ------------------------------------------------------------------
    # One conversation per person and company
    # ------------------------------------------------------------------

    @api.model
    def _inbox_lock_person(self, partner_id, company_id):
        """Serialize the transactions finding or starting the person's
        conversation in the company: inbound routing, the Inbox, forms and
        the API all take this key."""
        self.env["inbox.lock"]._inbox_acquire(f"conversation:{partner_id}:{company_id}")

    @api.model
    def _inbox_check_none_open(self, partner_id, company_id, exclude=None):
        """Refuse a second open conversation of the person in the company,
        saying who handles the first (whoever may read it)."""
        self._inbox_lock_person(partner_id, company_id)
        domain = [("partner_id", "=", partner_id), ("company_id", "=", company_id), ("state", "=", "open")]
        if exclude:
            domain.append(("id", "!=", exclude.id))
        other = self.sudo().search(domain, limit=1)
        if other:
            raise UserError(other._inbox_handled_by_message())

    @api.model
    def _inbox_start(self, partner, company, values=None):
        """The conversation the current user writes to ``partner`` in:
        the person's open one, else their latest one (reopened), else a new
        one made of ``values``. When the open one is another team's, the
        user is told who handles it (and may ask to join), not given a
        second one."""
        self._inbox_lock_person(partner.id, company.id)
        Conversation = self.sudo()  # all of them: the rule holds whoever may read them
        base = [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        conversation = Conversation.search([*base, ("state", "=", "open")], limit=1) or Conversation.search(
            base, order="last_message_date desc nulls last, id desc", limit=1)
        if conversation:
            mine = conversation.with_env(self.env)
            if mine.has_access("read"):
                if mine.state != "open":
                    mine.action_reopen()
                return mine
            if conversation.state == "open":
                raise UserError(conversation._inbox_handled_by_message())
        return self.create({**(values or {}), "partner_id": partner.id, "company_id": company.id})

    def _inbox_handled_by(self):
        """Who handles the conversation (team, assignee): what an Inbox user
        of its company who may not read it is told, and nothing else."""
        self.ensure_one()
        conversation = self.sudo()
        return {"id": conversation.id, "team": conversation.team_id.name or "",
                "user": conversation.user_id.name or ""}

    def _inbox_handled_by_message(self):
        handled = self._inbox_handled_by()
        if handled["team"] and handled["user"]:
            who = _("%(team)s (%(user)s)", team=handled["team"], user=handled["user"])
        else:
            who = handled["team"] or handled["user"] or _("nobody yet")
        return _("%(person)s already has an open conversation, handled by %(who)s. "
                 "Search their number in the Inbox to ask to join it.",
                 person=self.sudo().partner_id.display_name, who=who)

    def _inbox_handlers(self):
        """Who may let somebody in: the assignee, else the team's members,
        else the followers, else the Inbox managers of the company (Inbox
        users of the company all)."""
        self.ensure_one()
        conversation = self.sudo()

        def inbox_users(users):
            return users.filtered(lambda user: user.active and not user.share and user != self.env.user
                                  and conversation.company_id in user.company_ids
                                  and user.has_group("unified_inbox.group_inbox_user"))

        for users in (conversation.user_id, conversation.team_id.member_ids, conversation.message_partner_ids.user_ids):
            if handlers := inbox_users(users):
                return handlers
        return inbox_users(self.env["res.users"].sudo().search(
            [("all_group_ids", "in", self.env.ref("unified_inbox.group_inbox_manager").id)]))

    def inbox_request_join(self):
        """Ask those who handle the conversation to let the current user in:
        they get a notification with a link to let them in (as a follower:
        the access rules do the rest) and one to decline. For the Inbox
        users of its company who cannot read it. Returns who handles it."""
        self.ensure_one()
        user = self.env.user
        conversation = self.sudo()
        if not user.has_group("unified_inbox.group_inbox_user") or conversation.company_id not in user.company_ids:
            raise AccessError(_("You cannot ask to join this conversation."))
        if self.has_access("read"):
            return dict(conversation._inbox_handled_by(), joined=True)
        if self.env["mail.message"].sudo().search_count([
            ("model", "=", self._name), ("res_id", "=", self.id), ("message_type", "=", "user_notification"),
            ("author_id", "=", user.partner_id.id), ("date", ">", fields.Datetime.now() - JOIN_REQUEST_DELAY),
        ], limit=1):
            # asked already: those who handle it are not asked again so soon
            return dict(conversation._inbox_handled_by(), requested=True)
        handlers = conversation._inbox_handlers()
        if not handlers:
            raise UserError(_("Nobody handles this conversation yet: ask an Inbox manager."))
        base_url = conversation.get_base_url()
        accept, decline = (f"{base_url}{conversation._inbox_join_path(user, decision)}"
                           for decision in ("accept", "decline"))
        team = user.sudo().crm_team_ids[:1].name
        body = Markup("<p>%s</p><p><a href=\"%s\">%s</a> · <a href=\"%s\">%s</a></p>") % (
            _("%(user)s%(team)s asks to join the conversation with %(person)s.", user=user.name,
              team=f" ({team})" if team else "", person=conversation.partner_id.display_name),
            accept, _("Let them in"), decline, _("Decline"))
        conversation.message_notify(
            partner_ids=handlers.partner_id.ids, body=body,
            subject=_("%s asks to join a conversation", user.name))
        return dict(conversation._inbox_handled_by(), requested=True)

    def _inbox_join_path(self, user, decision):
        """The link that lets ``user`` in (or declines): signed, so that only
        the notification's readers can make it, and used as one who may
        write the conversation."""
        self.ensure_one()
        signature = hmac(self.env(su=True), "unified_inbox-join", (self.id, user.id, decision))
        return f"/unified_inbox/join/{self.id}/{user.id}/{decision}/{signature}"

    def _inbox_decide_join(self, requester, accept):
        """Let ``requester`` in, as a follower, or decline; by a user who may
        write the conversation. The requester is told either way."""
        self.ensure_one()
        self.check_access("write")
        person = self.partner_id.display_name
        if accept:
            self.sudo().message_subscribe(partner_ids=requester.partner_id.ids)
            self.message_post(body=_("%(user)s let %(requester)s in.", user=self.env.user.name,
                                     requester=requester.name),
                              message_type="notification", subtype_xmlid="mail.mt_note")
            self.sudo().message_notify(
                partner_ids=requester.partner_id.ids, subject=_("You joined the conversation with %s", person),
                body=_("%(user)s let you in the conversation with %(person)s.", user=self.env.user.name,
                       person=person))
        else:
            # the requester may not read the conversation: a notification of no record
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=requester.partner_id.ids, subject=_("Request to join declined"),
                body=_("%(user)s declined your request to join the conversation with %(person)s.",
                       user=self.env.user.name, person=person))
        return True

    # ------------------------------------------------------------------
    # Receiving
    # ------------------------------------------------------------------

    @api.model
    def _inbox_receive(self, provider, event: InboundMessage):
        """Store an inbound message exactly once, on the right person's
        conversation. Returns the new message, or an empty recordset when
        the provider had already delivered it."""
        Message = self.env["mail.message"].sudo()
        sender, from_address = self.env["inbox.sender"].sudo()._inbox_for_inbound(provider, event)
        duplicate = Message.search_count([
            ("inbox_provider_id", "=", provider.id),
            ("inbox_provider_message_id", "=", event.provider_message_id),
        ], limit=1)
        if duplicate:
            return Message
        try:
            with self.env.cr.savepoint():
                partner = self.env["res.partner"].sudo()._inbox_find_or_create(
                    event.channel, from_address, event.profile_name, sender.company_id)
                conversation = self.sudo()._inbox_route(partner, sender)
                message = conversation._inbox_post_inbound(sender, event, from_address)
                if event.keyword:
                    partner._inbox_apply_keyword(event.keyword, from_address)
                if event.media:
                    provider._inbox_schedule_events(
                        [(0, MediaFetch(event.provider_message_id, event.media))])
        except IntegrityError as error:
            if error.pgcode == "23505" and "inbox_provider_message" in str(error):
                # the same message was stored by a concurrent request
                return Message
            raise
        return message

    @api.model
    def _inbox_route(self, partner, sender, company=None):
        """The conversation an inbound message of ``partner`` to ``sender``
        belongs to: their open one (the one with this sender if several),
        else their latest one (reopened by the message), else a new one."""
        company = sender.company_id or company or self.env.company
        self._inbox_lock_person(partner.id, company.id)
        conversations = self.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            order="last_message_date desc nulls last, id desc")
        open_ones = conversations.filtered(lambda c: c.state == "open")
        conversation = (open_ones.filtered(lambda c: c.last_sender_id == sender)[:1]
                        or open_ones[:1] or conversations[:1])
        if conversation:
            return conversation
        conversation = self.with_context(mail_create_nosubscribe=True).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "team_id": sender.team_ids[:1].id,
        })
        self.env["inbox.assignment.rule"].sudo()._inbox_assign(conversation, sender)
        return conversation

    def _inbox_post_inbound(self, sender, event, from_address):
        self.ensure_one()
        body = self._inbox_html(event.body) if event.channel == "email" else plaintext2html(event.body or "")
        # The thin path of message_post: a message from the person notifies
        # nobody (see _notify_thread) and needs no reply-to, parent or author
        # lookup, and every webhook pays for those.
        message = self._message_create([{
            "model": self._name,
            "res_id": self.id,
            "body": body,
            "subject": event.subject or False,
            "author_id": self.partner_id.id,
            "email_from": self.partner_id.email_formatted or False,
            "reply_to": self.partner_id.email_formatted or False,
            "message_type": "comment",
            "subtype_id": self.env.ref("unified_inbox.mt_inbox_message").id,
            "record_company_id": self.company_id.id,
            "inbox_channel": event.channel,
            "inbox_direction": "inbound",
            "inbox_status": "received",
            "inbox_sender_id": sender.id,
            "inbox_provider_id": sender.provider_id.id,
            "inbox_provider_message_id": event.provider_message_id,
            "inbox_address": from_address,
        }])
        self._inbox_after_inbound(message, sender)
        return message

    def _inbox_after_inbound(self, message, sender):
        """The person wrote: unread, reopened, window opened for WhatsApp."""
        values = {"last_inbound_message_id": message.id, "last_inbound_date": message.date}
        if sender:
            values["last_sender_id"] = sender.id
        if message.inbox_channel == "whatsapp":
            values["whatsapp_window_expiry"] = message.date + WHATSAPP_WINDOW
        if self.state != "open":
            values["state"] = "open"
        self._inbox_touch(message, values)

    # ------------------------------------------------------------------
    # Email in, through Odoo's mail gateway
    # ------------------------------------------------------------------

    @api.model
    def _inbox_receive_email(self, provider, event):
        """An email posted by an inbound email service: Odoo's gateway routes
        it (a reply by In-Reply-To/References to its conversation, a new one
        through :meth:`message_new`) and drops a Message-Id it already has."""
        self.env["mail.thread"].sudo().message_process(self._name, event.mime)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A new email: the sender's conversation, found or created, never a
        second person."""
        email = email_normalize(msg_dict.get("email_from") or "")
        if not email:
            raise ValueError("An email without a valid sender address.")
        recipients = email_normalize_all(",".join(filter(None, [msg_dict.get("to"), msg_dict.get("cc")])))
        Sender = self.env["inbox.sender"].sudo()
        sender = Sender.search([("channel", "=", "email"), ("address", "in", recipients)], limit=1) \
            or Sender.search([("channel", "=", "email"), ("company_id", "=", self.env.company.id)], limit=1)
        company = sender.company_id or self.env.company
        name = (email_split_tuples(msg_dict.get("email_from") or "") or [("", "")])[0][0]
        partner = self.env["res.partner"].sudo()._inbox_find_or_create("email", email, name, company)
        return self.sudo()._inbox_route(partner, sender, company)

    def _inbox_email_references(self, message):
        """References of the outgoing email ``message``: the conversation's
        earlier emails, for the person's mail client to thread them."""
        self.ensure_one()
        message_ids = self.env["mail.message"].sudo().search([
            ("model", "=", self._name), ("res_id", "=", self.id), ("inbox_channel", "=", "email"),
            ("message_id", "!=", False), ("id", "<", message.id),
        ], order="id desc", limit=10).mapped("message_id")
        return " ".join(reversed(message_ids))

    # ------------------------------------------------------------------
    # Thread overrides
    # ------------------------------------------------------------------

    def _get_message_create_valid_field_names(self):
        return super()._get_message_create_valid_field_names() | {
            "inbox_channel", "inbox_direction", "inbox_status", "inbox_sender_id", "inbox_provider_id",
            "inbox_provider_message_id", "inbox_address", "inbox_next_attempt", "inbox_scheduled_date",
            "inbox_template", "inbox_card",
        }

    def _message_post_after_hook(self, message, msg_values):
        if not message.inbox_channel:
            if message.message_type == "email" and message.author_id == self.partner_id:
                # the person's email, through Odoo's mail gateway
                recipients = email_normalize_all(msg_values.get("incoming_email_to") or "")
                sender = self.env["inbox.sender"].sudo().search(
                    [("channel", "=", "email"), ("address", "in", recipients)], limit=1) \
                    or self.last_sender_id.filtered(lambda s: s.channel == "email")
                message.sudo().write({
                    "inbox_channel": "email", "inbox_direction": "inbound", "inbox_status": "received",
                    "inbox_address": self.partner_id.email_normalized, "inbox_sender_id": sender.id,
                })
                self._inbox_after_inbound(message, sender)
            elif message.subtype_id.internal and message.message_type == "comment":
                # notes logged from the chatter are notes of the conversation too
                message.sudo().inbox_channel = "note"
                self._inbox_touch(message)
        return super()._message_post_after_hook(message, msg_values)

    def _notify_thread(self, message, msg_vals=False, **kwargs):
        # A message exchanged with the person travels on its channel only: no
        # follower email, no out-of-office auto-reply to the person. The team
        # hears of it through the Inbox's own pushes (_inbox_bus_send).
        if message.subtype_id == self.env.ref("unified_inbox.mt_inbox_message"):
            return []
        return super()._notify_thread(message, msg_vals=msg_vals, **kwargs)

    def _message_get_suggested_recipients_batch(self, **kwargs):
        # Customers are written to through message_inbox_send, on the channel
        # chosen; the chatter must not offer to email them behind its back.
        return {conversation.id: [] for conversation in self}

    @api.model
    def _inbox_is_exchanged(self, message):
        """Whether ``message`` was sent or received: a canceled message, or
        one scheduled for later, is not the conversation's last message."""
        if message.inbox_status == "canceled":
            return False
        return not (message.inbox_status == "queued" and message.inbox_scheduled_date
                    and message.inbox_scheduled_date > fields.Datetime.now())

    @api.model
    def _inbox_preview_values(self, message):
        # plain text: the list shows no formatting marks (*bold*, links)
        preview = html_to_inner_content(message.body or "").strip() or message.subject or ""
        if not preview and message.attachment_ids:
            preview = _("Attachment: %s", message.attachment_ids[0].name)
        return {
            "last_message_date": message.date,
            "last_message_preview": preview[:PREVIEW_LENGTH],
            "last_message_channel": message.inbox_channel,
            "last_message_direction": message.inbox_direction or False,
        }

    def _inbox_refresh_preview(self):
        """Show the last message sent or received in the list (after a
        cancel, or when a scheduled message goes)."""
        Message = self.env["mail.message"].sudo()
        for conversation in self:
            # _inbox_is_exchanged as a domain: the newest one only, not the
            # whole history
            last = Message.search([
                ("model", "=", self._name), ("res_id", "=", conversation.id), ("inbox_channel", "!=", False),
                ("inbox_status", "!=", "canceled"),
                "|", "|", ("inbox_status", "!=", "queued"), ("inbox_scheduled_date", "=", False),
                ("inbox_scheduled_date", "<=", fields.Datetime.now()),
            ], order="date desc, id desc", limit=1)
            if last:
                conversation.sudo().write(self._inbox_preview_values(last))

    def _inbox_touch(self, message, values=None):
        """Keep the list columns in step with the latest message (and write
        ``values`` with them, in one update)."""
        self.ensure_one()
        exchanged = self._inbox_is_exchanged(message)
        self.sudo().write({
            **(values or {}),
            **(self._inbox_preview_values(message) if exchanged else {}),
            "channels": " ".join(sorted(set((self.channels or "").split()) | {message.inbox_channel} - {False})),
        })
        if message.inbox_direction != "inbound":
            self.action_mark_read(message)
        self._inbox_bus_send(message)

    def _inbox_sync_from_messages(self):
        """Recompute the list columns from the stored messages (after an
        import of messages, e.g. the demo data)."""
        Message = self.env["mail.message"].sudo()
        for conversation in self:
            messages = Message.search([
                ("model", "=", self._name), ("res_id", "=", conversation.id), ("inbox_channel", "!=", False),
            ], order="date desc, id desc")
            if not messages:
                continue
            inbound = messages.filtered(lambda m: m.inbox_direction == "inbound")
            whatsapp_in = inbound.filtered(lambda m: m.inbox_channel == "whatsapp")[:1]
            with_sender = messages.filtered("inbox_sender_id")[:1]
            conversation.sudo().write({
                "channels": " ".join(sorted(set(messages.mapped("inbox_channel")))),
                "last_inbound_message_id": inbound[:1].id,
                "last_inbound_date": inbound[:1].date,
                "last_sender_id": with_sender.inbox_sender_id.id,
                "whatsapp_window_expiry": whatsapp_in and whatsapp_in.date + WHATSAPP_WINDOW,
            })
            conversation._inbox_touch(messages[0])
            conversation._inbox_refresh_preview()

    # ------------------------------------------------------------------
    # The Inbox list
    # ------------------------------------------------------------------

    @api.model
    def _inbox_tab_domains(self):
        return {
            "open": [("state", "=", "open")],
            "unread": [("is_unread", "=", True)],
            "unassigned": [("state", "=", "open"), ("user_id", "=", False)],
            "mine": [("user_id", "=", self.env.uid)],
            "closed": [("state", "=", "closed")],
            "all": [],
        }

    @api.model
    def _inbox_tab_counts(self, domain):
        """The count of each status tab within ``domain``. A filter that
        leaves few conversations (a label, a sender, a search) is counted
        exactly in one pass over them; a large inbox tab by tab, up to
        ``COUNT_CAP``."""
        self.env.cr.execute(self._search(domain, limit=SMALL_SET + 1).select())
        ids = [row[0] for row in self.env.cr.fetchall()]
        tabs = self._inbox_tab_domains()
        if len(ids) > SMALL_SET:
            return self._inbox_capped_counts({name: Domain(domain) & Domain(tab) for name, tab in tabs.items()})
        self.flush_model(["state", "user_id"])
        self.env.cr.execute(SQL("SELECT state, user_id FROM inbox_conversation WHERE id = ANY(%s)", ids))
        rows = self.env.cr.fetchall()
        counts = {
            "open": sum(state == "open" for state, _user in rows),
            "unread": self.search_count([("id", "in", ids), *tabs["unread"]]),
            "unassigned": sum(state == "open" and not user for state, user in rows),
            "mine": sum(user == self.env.uid for _state, user in rows),
            "closed": sum(state == "closed" for state, _user in rows),
            "all": len(rows),
        }
        return {name: min(count, COUNT_CAP) for name, count in counts.items()}

    @api.model
    def _inbox_capped_counts(self, domains):
        """``{name: count}`` of the conversations of each domain of
        ``domains``, counted up to ``COUNT_CAP`` (the Inbox shows more as
        "999+"): an exact count of a large inbox would read all of it on
        every refresh. One query for all of them."""
        counts = [
            SQL("(SELECT COUNT(*) FROM (%s) AS capped)", self._search(domain, limit=COUNT_CAP).select(SQL("1")))
            for domain in domains.values()
        ]
        self.env.cr.execute(SQL("SELECT %s", SQL(", ").join(counts)))
        return dict(zip(domains, self.env.cr.fetchone(), strict=True))

    @api.model
    def _inbox_search_domain(self, search, number):
        """The conversations whose person's name or email, or one of whose
        messages, contains ``search``, or whose person has the E.164
        ``number``: one indexed lookup per source, united (an OR across
        tables would defeat every index and read all conversations). The
        ids are read once when they are few, so that the page and the six
        counts do not search again."""
        self.flush_model(["name", "partner_id"])
        self.env["res.partner"].flush_model(["email_normalized", "phone_sanitized"])
        self.env["mail.message"].flush_model(["model", "res_id", "body", "message_type"])
        like = f"%{escape_psql(search)}%"
        partners = SQL("SELECT id FROM res_partner WHERE email_normalized ILIKE %s", like)
        if number:
            partners = SQL("%s UNION SELECT id FROM res_partner WHERE phone_sanitized = %s", partners, number)
        # the literal model name lets PostgreSQL use the partial trigram index on bodies
        matching = SQL("""
            SELECT id FROM inbox_conversation WHERE name ILIKE %(like)s
             UNION SELECT id FROM inbox_conversation WHERE partner_id IN (%(partners)s)
             UNION SELECT res_id FROM mail_message
                    WHERE model = 'inbox.conversation' AND message_type != 'user_notification' AND body ILIKE %(like)s
        """, like=like, partners=partners)
        self.env.cr.execute(SQL("%s LIMIT %s", matching, SEARCH_IDS_LIMIT + 1))
        ids = [row[0] for row in self.env.cr.fetchall()]
        return Domain("id", "in", ids if len(ids) <= SEARCH_IDS_LIMIT else matching)

    @api.model
    def _inbox_filter_domain(self, channel=None, sender_id=None, user_id=None, label_id=None, search=None):
        """The domain of the list's filters (all but the status tab), and
        the E.164 number the search is, if it is a valid one."""
        domain = []
        if channel:
            if channel not in dict(INBOX_CHANNELS):
                raise UserError(_("Unknown channel %s.", channel))
            # no channel's key is part of another's
            domain.append(Domain("channels", "ilike", channel))
        if sender_id:
            domain.append(Domain("last_sender_id", "=", sender_id))
        if user_id:
            domain.append(Domain("user_id", "=", user_id))
        if label_id:
            # from the label's side: a few labelled conversations among many
            # are found by the relation's index, not by probing every row
            self.flush_model(["label_ids"])
            domain.append(Domain("id", "in", SQL(
                "SELECT inbox_conversation_id FROM inbox_conversation_inbox_label_rel WHERE inbox_label_id = %s",
                label_id)))
        number = False
        search = (search or "").strip()
        if search:
            # a valid number is searched normalized; a partial or invalid one is no phone search
            if sum(char.isdigit() for char in search) >= 6:
                number = self._inbox_search_number(search)
            domain.append(self._inbox_search_domain(search, number))
        return Domain.AND(domain), number

    @api.model
    def _inbox_search_number(self, search):
        """The E.164 number ``search`` is, or False. International formats
        stand alone; a national one ("0470 12 34 56") is read in the country
        of the current company, else of its sender numbers (a company whose
        country is not set), else of the user's other companies."""
        Partner = self.env["res.partner"]
        number = self.env["inbox.sender"]._inbox_normalize_address("sms", search, raise_exception=False)
        if number:
            return number
        senders = self.env["inbox.sender"].sudo().search(
            [("company_id", "=", self.env.company.id), ("channel", "in", ("sms", "whatsapp"))])
        codes = {phone_validation.phone_get_country_code_for_number(address) for address in senders.mapped("address")}
        countries = self.env.company.country_id | self.env["res.country"].search([("code", "in", list(codes))]) \
            | self.env.companies.country_id
        for country in countries:
            number = Partner._phone_format(number=search, country=country, raise_exception=False)
            if number:
                return number
        return False

    @api.model
    def _inbox_handled_elsewhere(self, number=False, email=False):
        """Who handles the open conversation, in the current company, of the
        person with exactly this number or email address, when the user may
        not read it: team and assignee, nothing of its content."""
        if not (number or email):
            return []
        partners = self.env["res.partner"].sudo().search(
            [("phone_sanitized", "=", number)] if number else [("email_normalized", "=", email)])
        if not partners:
            return []
        domain = [("partner_id", "in", partners.ids), ("company_id", "=", self.env.company.id), ("state", "=", "open")]
        hidden = self.sudo().search(domain, order="id") - self.search(domain).sudo()
        return [conversation._inbox_handled_by() for conversation in hidden]

    @api.model
    def inbox_list(self, tab="open", channel=None, sender_id=None, user_id=None, label_id=None, search=None,
                   sort="recent", offset=0, limit=40):
        """One page of the Inbox's conversation list, with the count of each
        status tab under the same filters. A constant number of queries
        whatever the page size."""
        tabs = self._inbox_tab_domains()
        if tab not in tabs:
            raise UserError(_("Unknown status tab %s.", tab))
        domain, number = self._inbox_filter_domain(channel, sender_id, user_id, label_id, search)
        order = "last_message_date desc nulls last, id desc"
        full_domain = Domain(domain) & Domain(tabs[tab])
        if sort == "oldest_unanswered":
            full_domain &= Domain("last_message_direction", "=", "inbound")
            order = "last_message_date asc nulls first, id asc"
        conversations = self.search_fetch(full_domain, [
            "partner_id", "state", "user_id", "last_message_date", "last_message_preview", "last_message_channel",
            "last_inbound_message_id", "label_ids",
        ], offset=offset, limit=limit, order=order)
        conversations.partner_id.fetch(["name", "phone", "email", "phone_sanitized"])
        conversations.user_id.fetch(["name"])
        conversations.label_ids.fetch(["name", "color"])
        counts = self._inbox_tab_counts(domain)
        total = counts[tab]
        if sort == "oldest_unanswered":
            total = self._inbox_capped_counts({"list": full_domain})["list"]
        # the person of the number or address may be another team's: say who
        # handles them (the user may ask to join), never offer a second conversation
        email = search and "@" in search and email_normalize(search.strip())
        handled_by = self._inbox_handled_elsewhere(number, email)
        return {
            "conversations": [conversation._inbox_list_row() for conversation in conversations],
            "counts": counts,
            "total": total,
            "count_cap": COUNT_CAP,
            "new_number": number if number and not counts["all"] and not handled_by else False,
            "handled_by": handled_by,
        }

    def inbox_details(self):
        """The person panel of the Inbox: contact data, per-channel opt-out
        and do-not-disturb, open opportunities and upcoming appointments."""
        self.ensure_one()
        self.check_access("read")
        partner = self.partner_id
        # what the user may see of the CRM and the calendar, by their own rights
        Lead, Event = self.env["crm.lead"], self.env["calendar.event"]
        leads = Lead.search(
            [("partner_id", "=", partner.id), ("type", "=", "opportunity")],
            order="date_deadline asc, id desc", limit=5) if Lead.has_access("read") else Lead
        events = Event.search(
            [("partner_ids", "in", partner.id), ("stop", ">=", fields.Datetime.now())],
            order="start asc", limit=5) if Event.has_access("read") else Event
        return {
            "partner": {
                "id": partner.id, "name": partner.name, "phone": partner.phone or "", "email": partner.email or "",
                "address": partner._display_address(without_company=True).strip(),
                "company": partner.parent_id.name or partner.company_name or "",
                "tags": partner.category_id.mapped("name"),
            },
            "channels": {
                channel: {"opted_out": partner._inbox_is_opted_out(channel), "dnd": partner._inbox_is_dnd(channel),
                          "address": self._inbox_recipient_address(channel) or ""}
                for channel, _label in CHANNELS
            },
            "opportunities": [{
                "id": lead.id, "name": lead.name, "stage": lead.stage_id.name or "",
                "expected_revenue": lead.expected_revenue, "currency": lead.company_currency.symbol or "",
                "user": lead.user_id.name or "", "linked": lead == self.lead_id,
            } for lead in leads],
            "can_create_opportunity": Lead.has_access("create"),
            "can_book": Event.has_access("create"),
            "appointments": [{
                "id": event.id, "name": event.name, "start": event.start, "allday": event.allday,
                "organizer": event.user_id.name or "",
            } for event in events],
        }

    def inbox_list_row(self):
        """The Inbox list's row of this conversation, to open one that is not
        on the page shown (one just started, under other filters)."""
        self.ensure_one()
        self.check_access("read")
        return self._inbox_list_row()

    def _inbox_list_row(self):
        self.ensure_one()
        partner = self.partner_id
        return {
            "id": self.id,
            "partner": {"id": partner.id, "name": partner.name, "phone": partner.phone or "",
                        "email": partner.email or ""},
            "avatar_text": _avatar_text(partner),
            "status": self.display_status,
            "user": {"id": self.user_id.id, "name": self.user_id.name} if self.user_id else False,
            "last_message_date": self.last_message_date,
            "last_message_preview": self.last_message_preview or "",
            "last_message_channel": self.last_message_channel or False,
            "is_unread": self.is_unread,
            "labels": [{"id": label.id, "name": label.name, "color": label.color} for label in self.label_ids],
        }

    # ------------------------------------------------------------------
    # Real time
    # ------------------------------------------------------------------

    def _inbox_readers(self):
        """Active Inbox users who may read the conversation, by the same
        rules as the record rules: the assignee, the team's members, its
        followers, and the managers of its company."""
        self.ensure_one()
        return self.env["res.users"].sudo().search([
            ("company_ids", "in", self.company_id.id),
            ("all_group_ids", "in", self.env.ref("unified_inbox.group_inbox_user").id),
            "|", "|", "|",
            ("id", "=", self.user_id.id),
            ("id", "in", self.team_id.member_ids.ids),
            ("partner_id", "in", self.sudo().message_partner_ids.ids),
            ("all_group_ids", "in", self.env.ref("unified_inbox.group_inbox_manager").id),
        ])

    def _inbox_bus_send(self, messages, extra_fields=()):
        """Push ``messages`` (new, or with a new delivery status) to every
        user who may read the conversation, and to nobody else. The bus
        sends after commit."""
        self.ensure_one()
        for user in self.sudo()._inbox_readers():
            store = Store(bus_channel=user)
            store.add(messages.with_user(user).sudo(), [
                "inbox_channel", "inbox_direction", "inbox_status", "inbox_error", *extra_fields,
            ])
            store.bus_send()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_close(self):
        self.write({"state": "closed"})

    def action_reopen(self):
        self.write({"state": "open"})

    def action_assign_to_me(self):
        """Attend: take the conversation. When two agents attend it at the
        same moment, one wins and the other is told who took it."""
        self.flush_recordset(["user_id"])
        # a concurrent attend that committed first makes this lock fail with
        # a serialization error: the request is retried on a fresh snapshot,
        # which sees the winner
        self.env.cr.execute(SQL("SELECT id FROM inbox_conversation WHERE id IN %s FOR UPDATE", tuple(self.ids)))
        self.invalidate_recordset(["user_id"])
        taken = self.filtered(lambda c: c.user_id and c.user_id != self.env.user)
        if taken:
            raise UserError(_("%(user)s is already attending the conversation with %(person)s.",
                              user=taken[0].user_id.name, person=taken[0].partner_id.name))
        self.inbox_assign(self.env.uid)
        return True

    def inbox_assign(self, user_id, notify=False):
        """Assign the conversations to ``user_id`` (False: unassign); with
        ``notify``, the assignee gets a notification by email or in Odoo,
        as they prefer."""
        user = self.env["res.users"].browse(user_id).exists() if user_id else self.env["res.users"]
        if user and not user.has_group("unified_inbox.group_inbox_user"):
            raise UserError(_("%s has no access to the Inbox.", user.name))
        # Odoo's own "you have been assigned" email is not ours to send: the
        # assignee hears of it only when asked for, once, as they prefer
        self.with_context(mail_auto_subscribe_no_notify=True).write({"user_id": user.id})
        if user:
            self.message_subscribe(partner_ids=user.partner_id.ids)
        if user and notify and user != self.env.user:
            for conversation in self:
                conversation.message_notify(
                    partner_ids=user.partner_id.ids,
                    subject=_("Conversation with %s assigned to you", conversation.partner_id.name),
                    body=_("%(assigner)s assigned you the conversation with %(person)s.",
                           assigner=self.env.user.name, person=conversation.partner_id.name),
                )
        return True

    def inbox_set_label(self, label_id, active=True):
        """Put the label ``label_id`` on the conversation (``active``) or
        take it off, from the thread's header. Returns the conversation's
        labels as the Inbox shows them."""
        self.ensure_one()
        self.check_access("write")
        label = self.env["inbox.label"].browse(label_id).exists()
        if not label:
            raise UserError(_("This label no longer exists."))
        self.write({"label_ids": [Command.link(label.id) if active else Command.unlink(label.id)]})
        return self._inbox_list_row()["labels"]

    def inbox_set_consent(self, channel, opted_out=None, dnd=None):
        """Opt the person out of ``channel`` or back in (``opted_out``), or
        set its do-not-disturb (``dnd``), from the Inbox's person panel.
        Opt-outs are Odoo's blacklists: the phone one covers SMS and
        WhatsApp, the email one email, as STOP and START replies do. The
        change is written in the conversation for the team."""
        self.ensure_one()
        self.check_access("write")
        if channel not in dict(CHANNELS):
            raise UserError(_("Unknown channel %s.", channel))
        partner = self.partner_id.sudo()
        label = dict(CHANNELS)[channel]
        changes = []
        if opted_out is not None and bool(opted_out) != partner._inbox_is_opted_out(channel):
            address = self._inbox_recipient_address(channel)
            if not address:
                raise UserError(_("%(name)s has no address for %(channel)s.", name=partner.display_name,
                                  channel=label))
            Blacklist = self.env["mail.blacklist" if channel == "email" else "phone.blacklist"].sudo()
            reason = _("Changed from the Inbox by %s.", self.env.user.name)
            if opted_out:
                Blacklist._add([address] if channel != "email" else address, message=reason)
                changes.append(_("opted out of %s", label))
            else:
                Blacklist._remove([address] if channel != "email" else address, message=reason)
                changes.append(_("opted in to %s", label))
            partner.invalidate_recordset(["phone_sanitized_blacklisted", "is_blacklisted"])
        if dnd is not None and bool(dnd) != partner._inbox_is_dnd(channel):
            partner[f"inbox_dnd_{channel}"] = bool(dnd)
            changes.append(_("Do Not Disturb on for %s", label) if dnd else _("Do Not Disturb off for %s", label))
        if changes:
            title = _("%(name)s: %(changes)s (by %(user)s).", name=partner.display_name,
                      changes=", ".join(changes), user=self.env.user.name)
            self._inbox_post_card(
                {"kind": "consent", "event": "write", "model": "res.partner", "res_id": partner.id, "title": title})
        return True

    def _inbox_post_card(self, card):
        """Post an activity card (see inbox.card.rule): for the team, carried
        by no channel, pushed to the conversation's readers."""
        self.ensure_one()
        message = self.sudo().message_post(body=card["title"], message_type="notification",
                                           subtype_xmlid="mail.mt_note", inbox_card=card)
        self._inbox_bus_send(message, extra_fields=("inbox_card",))
        return message

    @api.model
    def _inbox_feed(self, partner, lead=None, create=False):
        """The conversation shown on a person's or an opportunity's form (see
        ``inbox_feed_conversation``), within the user's access rights."""
        self.check_access("read")
        order = "last_message_date desc nulls last, id desc"
        base = [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)]
        conversation = (lead and self.search([*base, ("lead_id", "=", lead.id)], order=order, limit=1)) \
            or self.search(base, order=order, limit=1)
        if not conversation and create:
            self.check_access("create")
            # the person's one conversation, unless another team has it open
            conversation = self.with_context(mail_create_nosubscribe=True)._inbox_start(partner, self.env.company, {
                "lead_id": lead.id if lead else False,
                "team_id": (lead.team_id if lead else self.env.user.crm_team_ids[:1]).id,
                "user_id": self.env.uid,
            })
        return conversation.id or False

    def inbox_create_opportunity(self):
        """Create an opportunity for the person, prefilled from the
        conversation, and link it. Returns its id."""
        self.ensure_one()
        self.check_access("write")
        Lead = self.env["crm.lead"]
        if not Lead.has_access("create"):
            raise UserError(_("You cannot create opportunities: ask for access to the CRM."))
        partner = self.partner_id
        lead = Lead.create({
            "name": partner.name,
            "type": "opportunity",
            "partner_id": partner.id,
            "team_id": self.team_id.id,
            # who creates it follows it up: the CRM's own-documents rule allows no other
            "user_id": self.env.user.id,
            "company_id": self.company_id.id,
        })
        self._inbox_link_lead(lead)
        return lead.id

    def inbox_link_opportunity(self, lead_id):
        """Link an existing opportunity of the person (``False``: unlink)."""
        self.ensure_one()
        self.check_access("write")
        lead = self.env["crm.lead"].browse(lead_id).exists() if lead_id else self.env["crm.lead"]
        if lead:
            lead.check_access("read")
            if lead.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
                raise UserError(_("%(lead)s is not an opportunity of %(person)s.", lead=lead.name,
                                  person=self.partner_id.name))
        self._inbox_link_lead(lead)
        return True

    def _inbox_link_lead(self, lead):
        self.sudo().lead_id = lead
        if lead:
            self.message_post(body=_("Linked to the opportunity %s.", lead.name),
                              message_type="notification", subtype_xmlid="mail.mt_note")

    def action_mark_read(self, message=None):
        """Mark the conversations read for the current user, up to
        ``message`` or their latest inbound message."""
        ReadState = self.env["inbox.read.state"].sudo()
        for conversation in self:
            conversation.check_access("read")
            upto = message.id if message else conversation.last_inbound_message_id.id
            if upto:
                ReadState._inbox_mark(conversation, self.env.user, upto)
        return True

    def action_new_message(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("New Message"),
            "res_model": "inbox.compose",
            "view_mode": "form",
            "target": "new",
            "context": {"default_conversation_id": self.id, "default_partner_id": self.partner_id.id},
        }

    def inbox_simulate_inbound(self, body, sender_id=None, subject=None):
        """Make the person write ``body`` to a sandbox sender account (the
        first one of the company if none is given), through the same signed
        webhook path as a real provider. For demos, trials and tours."""
        self.ensure_one()
        self.check_access("read")
        Sender = self.env["inbox.sender"].sudo()
        domain = [("provider_id.provider_type", "=", "sandbox"), ("company_id", "=", self.company_id.id)]
        sender = Sender.search(domain + ([("id", "=", sender_id)] if sender_id else []), limit=1)
        if not sender:
            raise UserError(_("There is no sandbox sender account in this company."))
        partner = self.partner_id
        from_address = partner.email_normalized if sender.channel == "email" else partner.phone_sanitized
        if not from_address:
            raise UserError(_("%(name)s has no address for %(channel)s.", name=partner.display_name,
                              channel=dict(sender._fields["channel"].selection)[sender.channel]))
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
        status, _content_type, answer = provider._inbox_handle_webhook(request, apply_now=True)
        if status != 200:
            raise UserError(_("The sandbox refused the message: %s", answer))
        return True

    def action_simulate_inbound(self):
        """Open the sandbox's "simulate an inbound message" dialog."""
        self.ensure_one()
        if not self.env["inbox.sender"].sudo().search_count(
                [("provider_id.provider_type", "=", "sandbox"), ("company_id", "=", self.company_id.id)], limit=1):
            raise UserError(_("There is no sandbox sender account in this company."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Simulate an Inbound Message"),
            "res_model": "inbox.simulate.inbound",
            "view_mode": "form",
            "target": "new",
            "context": {"default_conversation_id": self.id},
        }


def _avatar_text(partner):
    """Initials of the person, or the last two digits of their number when
    the name is only a number."""
    name = (partner.name or "").strip()
    if not name or not any(char.isalpha() for char in name):
        digits = [char for char in (partner.phone_sanitized or name) if char.isdigit()]
        return "".join(digits[-2:])
    words = [word for word in name.split() if word[0].isalpha()]
    return "".join(word[0] for word in words[:2]).upper()
