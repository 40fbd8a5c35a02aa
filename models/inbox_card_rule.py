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
        "ir.model", string="Model", required=True, ondelete="cascade", domain="[('transient', '=', False)]",
        help="A model with a chatter, or another one made for cards (appointment attendees).")
    model_name = fields.Char("Model Name", related="model_id.model", store=True, index=True)
    event = fields.Selection(CARD_EVENTS, required=True)
    field_id = fields.Many2one(
        "ir.model.fields", string="Field", ondelete="cascade", domain="[('model_id', '=', model_id)]",
        help="For a change: the field whose new value makes a card.")
    kind = fields.Selection(CARD_KINDS, required=True, default="record", help="How the card looks.")
    partner_field = fields.Char(
        "Person Field", required=True, default="partner_id",
        help="The field of the record that holds the person (or people) it is about.")

    @api.constrains("model_id", "event", "field_id", "partner_field")
    def _check_fields(self):
        for rule in self:
            model = self.env[rule.model_id.model]
            if not hasattr(model, "_inbox_card_rules"):
                raise ValidationError(_("%s cannot have cards.", rule.model_id.name))
            field = model._fields.get(rule.partner_field)
            if not field or field.comodel_name != "res.partner":
                raise ValidationError(_("%(model)s has no field %(field)s to a person.",
                                        model=rule.model_id.name, field=rule.partner_field))
            if rule.event == "write" and rule.field_id.model_id != rule.model_id:
                raise ValidationError(_("A card on a change names a field of %s.", rule.model_id.name))

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
        return {event: tuple((rule.id, rule.field_id.name) for rule in rules if rule.event == event)
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
