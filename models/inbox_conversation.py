
from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from .. import channels


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
    team_id = fields.Many2one("crm.team", index="btree_not_null", tracking=True, check_company=True)
    label_ids = fields.Many2many("inbox.label", string="Labels")

    last_message_date = fields.Datetime(readonly=True)
    last_message_preview = fields.Char(readonly=True)
    last_message_channel = fields.Selection(channels.selection(), readonly=True)
    last_message_direction = fields.Selection([("inbound", "Inbound"), ("outbound", "Outbound")], readonly=True)
    channels = fields.Char(
        "Channels Used", readonly=True,
        help="The channels of the conversation's messages, space-separated: what the Inbox's channel filter "
             "searches (a stored column, not a scan of the messages).")
    last_inbound_message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null")
    last_inbound_date = fields.Datetime(readonly=True)
    last_sender_id = fields.Many2one("inbox.sender", string="Last Sender Account", readonly=True, ondelete="set null")
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
        res = super().init()
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
        return res

    @api.model_create_multi
    def create(self, vals_list):
        starting = set()
        context = self.env.context
        for vals in vals_list:
            partner_id = vals.get("partner_id") or context.get("default_partner_id")
            if vals.get("state", context.get("default_state", "open")) == "open" and partner_id:
                key = (partner_id, vals.get("company_id") or context.get("default_company_id") or self.env.company.id)
                if key in starting:
                    raise UserError(self.env._("A person has one open conversation per company."))
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
        moving = vals.keys() & {"user_id", "team_id", "company_id"}
        readers_before = {conversation: conversation._inbox_readers() for conversation in self} if moving else {}
        result = super().write(vals)
        for conversation, readers in readers_before.items():
            conversation._inbox_tell_gone(readers - conversation._inbox_readers())
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
            raise UserError(self.env._("Unsupported search on Unread."))
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
            raise UserError(self.env._("%(user)s is already attending the conversation with %(person)s.",
                                       user=taken[0].user_id.name, person=taken[0].partner_id.name))
        self.inbox_assign(self.env.uid)
        return True

    def inbox_assign(self, user_id, notify=False):
        """Assign the conversations to ``user_id`` (False: unassign); with
        ``notify``, the assignee gets a notification by email or in Odoo,
        as they prefer."""
        user = self.env["res.users"].browse(user_id).exists() if user_id else self.env["res.users"]
        if user and not user.has_group("unified_inbox.group_inbox_user"):
            raise UserError(self.env._("%s has no access to the Inbox.", user.name))
        # Odoo's own "you have been assigned" email is not ours to send: the
        # assignee hears of it only when asked for, once, as they prefer
        self.with_context(mail_auto_subscribe_no_notify=True).write({"user_id": user.id})
        if user:
            self.message_subscribe(partner_ids=user.partner_id.ids)
        if user and notify and user != self.env.user:
            for conversation in self:
                conversation.message_notify(
                    partner_ids=user.partner_id.ids,
                    subject=self.env._("Conversation with %s assigned to you", conversation.partner_id.name),
                    body=self.env._("%(assigner)s assigned you the conversation with %(person)s.",
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
            raise UserError(self.env._("This label no longer exists."))
        self.write({"label_ids": [Command.link(label.id) if active else Command.unlink(label.id)]})
        return self._inbox_list_row()["labels"]

    def action_mark_read(self, message=None):
        """Mark the conversations read for the current user, up to
        ``message`` or their latest inbound message."""
        self.check_access("read")
        self._inbox_mark_read(message)
        return True

    def _inbox_mark_read(self, message=None):
        ReadState = self.env["inbox.read.state"].sudo()
        for conversation in self:
            upto = message.id if message else conversation.last_inbound_message_id.id
            if upto:
                ReadState._inbox_mark(conversation, self.env.user, upto)

    def action_new_message(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Message"),
            "res_model": "inbox.compose",
            "view_mode": "form",
            "target": "new",
            "context": {"default_conversation_id": self.id, "default_partner_id": self.partner_id.id},
        }




