from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

CARD_EVENTS = [("create", "Created"), ("write", "Changed"), ("unlink", "Deleted")]
CARD_KINDS = [("opportunity", "Opportunity"), ("appointment", "Appointment"), ("invoice", "Invoice"),
              ("record", "Record")]


class InboxCardRule(models.Model):
    """When a record of a model is created, changed (one field) or deleted,
    show a card in the conversation of the person it is about. Any model
    with a chatter gets cards by a rule, without code."""

    _name = "inbox.card.rule"
    _description = "Inbox Activity Card Rule"
    _order = "model_name, event, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model", string="Model", ondelete="set null", domain="[('transient', '=', False)]",
        help="A model with a chatter, or another one made for cards (appointment attendees).")
    model_name = fields.Char(
        "Model Name", required=True, index=True, compute="_compute_model_name", store=True, readonly=False,
        precompute=True,
        help="The technical name of the model. A rule for the model of an app that is not installed (account.move "
             "without Invoicing) waits for it.")
    installed = fields.Boolean(compute="_compute_installed", help="The model is installed: the rule makes cards.")
    event = fields.Selection(CARD_EVENTS, required=True)
    field_id = fields.Many2one(
        "ir.model.fields", string="Field", ondelete="set null", domain="[('model_id', '=', model_id)]",
        help="For a change: the field whose new value makes a card. A computed field must be tracked.")
    field_name = fields.Char(
        "Field Name", compute="_compute_field_name", store=True, readonly=False, precompute=True)
    kind = fields.Selection(CARD_KINDS, required=True, default="record", help="How the card looks.")
    partner_field = fields.Char(
        "Person Field", required=True, default="partner_id",
        help="The field of the record that holds the person (or people) it is about.")
    card_title = fields.Char(
        "Card Text", translate=True,
        help="What the card says; {record} is the record's name, {old} and {new} the field's values before and "
             "after a change. Empty: a sentence made from the model, the record and the change.")

    @api.depends("model_id")
    def _compute_model_name(self):
        for rule in self.filtered("model_id"):
            rule.model_name = rule.model_id.model

    @api.depends("field_id")
    def _compute_field_name(self):
        for rule in self.filtered("field_id"):
            rule.field_name = rule.field_id.name

    @api.depends("model_name")
    def _compute_installed(self):
        for rule in self:
            rule.installed = rule.model_name in self.env

    @api.constrains("model_name", "event", "field_name", "partner_field", "card_title")
    def _check_fields(self):
        for rule in self:
            if rule.card_title:
                try:
                    rule.card_title.format(record="", old="", new="")
                except (KeyError, IndexError, ValueError) as error:
                    raise ValidationError(_(
                        "The card text may only use {record}, {old} and {new} (%s).", error)) from error
            if not rule.installed:
                continue  # checked when its app is installed
            model = self.env[rule.model_name]
            description = self.env["ir.model"]._get(rule.model_name).name
            if not hasattr(model, "_inbox_card_rules"):
                raise ValidationError(_("%s cannot have cards.", description))
            field = model._fields.get(rule.partner_field)
            if not field or field.comodel_name != "res.partner":
                raise ValidationError(_("%(model)s has no field %(field)s to a person.",
                                        model=description, field=rule.partner_field))
            if rule.event != "write":
                continue
            changed = model._fields.get(rule.field_name)
            if not changed:
                raise ValidationError(_("A card on a change names a field of %s.", description))
            if changed.compute and changed.readonly and not changed.inverse \
                    and not model._inbox_card_tracked(rule.field_name):
                raise ValidationError(_(
                    "%(field)s of %(model)s is computed: its changes make cards only if the field is tracked.",
                    field=changed.string, model=description))

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache("model_name")
    def _inbox_rules_cache(self, model_name):
        """``{event: ((rule id, field name), ...)}`` of the active rules of a model."""
        rules = self.sudo().search([("model_name", "=", model_name)])
        return {event: tuple((rule.id, rule.field_name) for rule in rules if rule.event == event)
                for event, _label in CARD_EVENTS}

    @api.model
    def _inbox_rules(self, model_name, event, fields_changed=None):
        """The active rules of ``model_name`` on ``event`` (on a change: of one
        of ``fields_changed``)."""
        found = [rule_id for rule_id, field in self._inbox_rules_cache(model_name)[event]
                 if fields_changed is None or field in fields_changed]
        return self.sudo().browse(found)

    def _inbox_card(self, record, title, deleted=False):
        """``(people, company, card)``: what a card of ``record`` needs, read
        now (a deleted record is read before it goes)."""
        self.ensure_one()
        record = record.sudo()
        people = record[self.partner_field]
        company = record.company_id if "company_id" in record._fields else self.env["res.company"]
        target = record._inbox_card_target()
        card = {"kind": self.kind, "event": self.event, "model": target._name,
                "res_id": False if deleted else target.id, "title": title}
        return people | people.commercial_partner_id, company, card

    @api.model
    def _inbox_post(self, people, company, card):
        """Post ``card`` in the latest conversation of each of ``people`` (in
        ``company`` if set); nobody without a conversation gets one."""
        if not people:
            return
        domain = [("partner_id", "in", people.ids)] + ([("company_id", "=", company.id)] if company else [])
        conversations = self.env["inbox.conversation"].sudo().search(
            domain, order="last_message_date desc nulls last, id desc")
        for partner in conversations.partner_id:
            conversations.filtered(lambda c, partner=partner: c.partner_id == partner)[:1]._inbox_post_card(card)
