from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from .. import channels


class ResPartner(models.Model):
    _inherit = "res.partner"

    inbox_conversation_ids = fields.One2many("inbox.conversation", "partner_id", string="Conversations")
    inbox_bot = fields.Boolean(
        "Bot Answers", copy=False,
        help="The company's bot answers what this person writes in the Inbox, until somebody of the team writes or "
             "takes over.")
    inbox_conversation_count = fields.Integer("Conversation Count", compute="_compute_inbox_conversation_count")
    inbox_consent_ids = fields.One2many(
        "inbox.consent", "partner_id", string="Do Not Disturb",
        help="Channels on which nobody writes to the person from the Inbox for now.")
    inbox_identity_ids = fields.One2many(
        "inbox.identity", "partner_id", string="Identities",
        help="The numbers, addresses and provider ids the Inbox reaches the person at.")

    # the Inbox's search by email (any part) and by number (normalized)
    _inbox_email_trigram_index = models.Index(
        lambda registry: registry.has_trigram and "USING gin (email_normalized gin_trgm_ops)")
    _inbox_phone_sanitized_index = models.Index("(phone_sanitized) WHERE phone_sanitized IS NOT NULL")

    def _compute_inbox_conversation_count(self):
        counts = dict(self.env["inbox.conversation"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.inbox_conversation_count = counts.get(partner, 0)

    # ------------------------------------------------------------------
    # Identities: how the person is reached, by kind (see channels/)
    # ------------------------------------------------------------------

    # the person's field holding each kind of identity that Odoo keeps
    # normalized (the source for it), and the field it is written to
    _INBOX_IDENTITY_FIELDS = {
        channels.PHONE: ("phone_sanitized", "phone"),
        channels.EMAIL: ("email_normalized", "email"),
    }

    def write(self, vals):
        if not vals.keys() & {"email", *self._phone_get_sanitize_triggers()}:
            return super().write(vals)
        before = {partner: partner._inbox_source_addresses() for partner in self}
        result = super().write(vals)
        self._inbox_drop_replaced_identities(before)
        return result

    def _inbox_source_addresses(self):
        """The person's number and email address as Odoo keeps them, by kind."""
        self.ensure_one()
        return {kind: self[source] for kind, (source, _field) in self._INBOX_IDENTITY_FIELDS.items()}

    def _inbox_drop_replaced_identities(self, before):
        """Keep the identity rows in step with the people's own fields: a
        number or an address replaced in Odoo no longer finds the person
        (the rows of the others they wrote from, kept by a merge, stay)."""
        replaced = [(partner.id, kind, address) for partner in self
                    for kind, address in before[partner].items()
                    if address and address != partner._inbox_source_addresses()[kind]]
        if not replaced:
            return
        domain = Domain.OR(Domain([("partner_id", "=", partner_id), ("kind", "=", kind), ("address", "=", address)])
                           for partner_id, kind, address in replaced)
        self.env["inbox.identity"].sudo().search(domain).unlink()

    def _inbox_address(self, identity, provider=None, channel=None):
        """The person's normalized address of the ``identity`` kind (for an
        id a provider gave, the one ``provider`` gave, on ``channel`` if
        given), or False (always False for a channel reaching nobody
        outside)."""
        self.ensure_one()
        source = self._INBOX_IDENTITY_FIELDS.get(identity)
        if source:
            return self[source[0]]
        if identity != channels.SCOPED or not provider:
            return False
        return self.sudo().inbox_identity_ids.filtered(
            lambda row: row.kind == identity and row.provider_id == provider
            and (not channel or row.channel == channel))[:1].address

    def _inbox_no_address_reason(self, identity):
        """What the user is told when the person has no address of this kind."""
        if identity == channels.EMAIL:
            return self.env._("%s has no valid email address.", self.display_name)
        if identity == channels.PHONE:
            return self.env._("%s has no valid phone number.", self.display_name)
        return self.env._("%s cannot be reached on this channel.", self.display_name)

    @api.model
    def _inbox_find(self, identity, address, provider=None):
        """The person with this normalized address of the ``identity`` kind
        (``provider``: the one that gave an id of the ``SCOPED`` kind), among
        those the current user may read."""
        return self._inbox_find_row(identity, address, provider)[0]

    @api.model
    def _inbox_find_row(self, identity, address, provider=None):
        """The person (as for :meth:`_inbox_find`) and the identity's row."""
        if identity == channels.SCOPED and not provider:
            raise ValueError("An id of the scoped kind is found with the provider that gave it.")
        row = self.env["inbox.identity"]._inbox_lookup(identity, address, provider)
        partner = row._inbox_holder().with_env(self.env)._filtered_access("read") if row else self.browse()
        source = self._INBOX_IDENTITY_FIELDS.get(identity)
        if not partner and source:
            partner = self.search([(source[0], "=", address)], order="id", limit=1)
        return partner, row

    @api.model
    def _inbox_find_or_create(self, identity, address, name, company, provider=None, seen=False, channel=None):
        """The person behind ``address`` (of the ``identity`` kind; for an id
        of the ``SCOPED`` kind, the one ``provider`` gave on ``channel``),
        created once if nobody has it, and kept as holding it (with
        ``seen``: they just wrote from it)."""
        if identity not in channels.IDENTITY_KINDS:
            raise ValueError(f"Unknown identity kind {identity}.")
        key = f"{identity}:{provider.id if identity == channels.SCOPED else ''}:{address}"
        self.env["inbox.lock"]._inbox_acquire(key)
        partner, row = self._inbox_find_row(identity, address, provider)
        try:
            with self.env.cr.savepoint():
                if not partner:
                    values = {"name": name or address, "company_id": False}
                    source = self._INBOX_IDENTITY_FIELDS.get(identity)
                    if source:
                        values[source[1]] = address
                    partner = self.create(values)
                self.env["inbox.identity"]._inbox_record(
                    row, partner, identity, address, provider, seen=seen, channel=channel)
        except IntegrityError as error:
            if "inbox_identity_identity_unique" in str(error):
                raise ConcurrencyError(self.env._("Another request recorded %s at the same time.", address)) from error
            raise
        return partner

    def _inbox_merge(self, duplicate):
        """Make ``duplicate`` one person with this one (an Inbox manager
        found they are the same human): their conversations join this
        person's, one per company, both histories in order; their
        identities, opportunities, cards and everything else Odoo links to
        a contact follow (Odoo's own contact merge); for each channel the
        stricter consent of the two holds. ``duplicate`` is deleted."""
        self.ensure_one()
        duplicate = duplicate.sudo()
        if not duplicate or duplicate == self:
            raise UserError(self.env._("Choose another person to merge into %s.", self.display_name))
        Consent = self.env["inbox.consent"].sudo()
        for line in duplicate.inbox_consent_ids:
            mine = self._inbox_consent(line.channel)
            Consent._inbox_set(self, line.channel, dnd=line.dnd or mine.dnd, opted_out=line.opted_out or mine.opted_out)
        duplicate.inbox_consent_ids.unlink()
        Conversation = self.env["inbox.conversation"].sudo()
        for company in duplicate.inbox_conversation_ids.company_id:
            domain = [("company_id", "=", company.id)]
            order = "state desc, last_message_date desc nulls last, id desc"  # the open one first
            theirs = Conversation.search([*domain, ("partner_id", "=", duplicate.id)], order=order)
            keep = Conversation.search([*domain, ("partner_id", "=", self.id)], order=order, limit=1) or theirs[:1]
            keep._inbox_absorb(theirs)
        self.env["base.partner.merge.automatic.wizard"].sudo()._merge(
            (self | duplicate).ids, dst_partner=self.sudo(), extra_checks=False)
        self.invalidate_recordset()

    @api.model
    def _inbox_from_lead_answers(self, answers, company):
        """The person who filled in a lead form: found by their number, then
        their email, else created once."""
        Sender = self.env["inbox.sender"]
        phone = (answers.get("phone_number") or "").strip()
        email = (answers.get("email") or "").strip()
        # a form may ask for only one of them: an empty answer is no number
        # (formatting "" would need a record to read a number from)
        number = phone and Sender._inbox_normalize(channels.PHONE, phone, raise_exception=False)
        email = email and Sender._inbox_normalize(channels.EMAIL, email, raise_exception=False)
        if not (number or email):
            raise ValueError("A lead form answer without a valid phone number or email.")
        name = answers.get("full_name") or " ".join(
            filter(None, [answers.get("first_name"), answers.get("last_name")]))
        partner = (number and self._inbox_find(channels.PHONE, number)) \
            or (email and self._inbox_find(channels.EMAIL, email))
        if not partner:
            partner = self._inbox_find_or_create(
                channels.PHONE if number else channels.EMAIL, number or email, name, company)
        if number and email and not partner.email:
            partner.email = email
        return partner

    # ------------------------------------------------------------------
    # Consent: opt-out lists and do-not-disturb, per channel
    # ------------------------------------------------------------------

    # Odoo's opt-out lists (a channel's ``opt_out_list``): the person's
    # field the list holds (sanitized number, normalized email), the list's
    # own field, Odoo's flag saying the person is on it, and whether the list
    # takes its addresses as a list (phone.blacklist) or one by one
    _INBOX_OPT_OUT_LISTS = {
        "phone.blacklist": ("phone_sanitized", "number", "phone_sanitized_blacklisted", True),
        "mail.blacklist": ("email_normalized", "email", "is_blacklisted", False),
    }

    inbox_opt_out_lists = fields.Json(
        compute="_compute_inbox_opt_out_lists", compute_sudo=True, groups="base.group_user",
        help="Odoo's opt-out lists the person is on (phone.blacklist, mail.blacklist).")

    @api.depends("phone_sanitized", "email_normalized")
    def _compute_inbox_opt_out_lists(self):
        """What Odoo's flags (``phone_sanitized_blacklisted``,
        ``is_blacklisted``) say, for all the people read together: one
        indexed lookup per list of the values Odoo keeps sanitized. (Odoo's
        phone flag searches its list through the number's field, which
        parses every number again, on every read.)"""
        lists = {partner.id: [] for partner in self}
        for list_model, (partner_field, list_field, _flag, _as_list) in self._INBOX_OPT_OUT_LISTS.items():
            values = {value for value in self.mapped(partner_field) if value}
            if not values:
                continue
            List = self.env[list_model]
            List.flush_model([list_field, "active"])
            self.env.cr.execute(SQL(
                "SELECT %s FROM %s WHERE active AND %s IN %s", SQL.identifier(list_field),
                SQL.identifier(List._table), SQL.identifier(list_field), tuple(values)))
            listed = {value for value, in self.env.cr.fetchall()}
            for partner in self:
                if partner[partner_field] in listed:
                    lists[partner.id].append(list_model)
        for partner in self:
            partner.inbox_opt_out_lists = lists[partner.id]

    def _inbox_consent(self, channel):
        self.ensure_one()
        return self.inbox_consent_ids.filtered(lambda line: line.channel == channel)[:1]

    def _inbox_is_opted_out(self, channel):
        self.ensure_one()
        entry = channels.get(channel)
        if entry.internal:
            return False
        if entry.opt_out_list:
            return entry.opt_out_list in (self.inbox_opt_out_lists or ())
        return self._inbox_consent(channel).opted_out

    def _inbox_is_dnd(self, channel):
        self.ensure_one()
        return not channels.get(channel).internal and self._inbox_consent(channel).dnd

    def _inbox_set_opt_out(self, channel, opted_out, reason):
        """Put the person on the channel's opt-out list or take them off
        it (every channel sharing the list follows, as a STOP reply does)."""
        self.ensure_one()
        entry = channels.get(channel)
        if not entry.opt_out_list:
            self.env["inbox.consent"]._inbox_set(self, channel, opted_out=opted_out)
            return
        address = self._inbox_address(entry.identity)
        if not address:
            raise UserError(self.env._("%(name)s has no address for %(channel)s.", name=self.display_name,
                                       channel=entry.label))
        _field, _list_field, flag, as_list = self._INBOX_OPT_OUT_LISTS[entry.opt_out_list]
        Blacklist = self.env[entry.opt_out_list].sudo()
        (Blacklist._add if opted_out else Blacklist._remove)([address] if as_list else address, message=reason)
        self.invalidate_recordset([flag, "inbox_opt_out_lists"])

    def _inbox_set_dnd(self, channel, dnd):
        self.ensure_one()
        self.env["inbox.consent"].sudo()._inbox_set(self, channel, dnd=dnd)

    def _inbox_apply_keyword(self, keyword, number):
        """STOP-like keywords put the number on Odoo's phone blacklist (the
        provider blocks it anyway), START-like ones take it off."""
        Blacklist = self.env["phone.blacklist"].sudo()
        if keyword == "stop":
            Blacklist._add([number], message=self.env._("Opted out by replying STOP."))
        elif keyword == "start":
            Blacklist._remove([number], message=self.env._("Opted in again by replying START."))
        self.invalidate_recordset(["phone_sanitized_blacklisted", "inbox_opt_out_lists"])

    def inbox_feed_conversation(self, create=False):
        """The conversation the person's form shows: their latest one (in
        the current company); with ``create``, a new one when they have
        none. Returns its id or False."""
        self.ensure_one()
        return self.env["inbox.conversation"]._inbox_feed(self, create=create)

    def action_view_inbox_conversations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("unified_inbox.inbox_conversation_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
