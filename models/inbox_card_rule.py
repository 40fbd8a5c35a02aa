import logging
import re

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)

PLACEHOLDERS = ("record", "old", "new")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
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
        "ir.model", ondelete="set null", domain="[('transient', '=', False)]",
        help="A model with a chatter, or another one made for cards (appointment attendees).")
    model_name = fields.Char(
        required=True, index=True, compute="_compute_model_name", store=True, readonly=False,
        precompute=True,
        help="The technical name of the model. A rule for the model of an app that is not installed (account.move "
             "without Invoicing) waits for it.")
    installed = fields.Boolean(compute="_compute_installed", help="The model is installed: the rule makes cards.")
    event = fields.Selection(CARD_EVENTS, required=True)
    field_id = fields.Many2one(
        "ir.model.fields", ondelete="set null", domain="[('model_id', '=', model_id)]",
        help="For a change: the field whose new value makes a card. A computed field must be tracked.")
    field_name = fields.Char(
        compute="_compute_field_name", store=True, readonly=False, precompute=True)
    kind = fields.Selection(CARD_KINDS, required=True, default="record", help="How the card looks.")
    partner_field = fields.Char(
        "Person Field", required=True, default="partner_id",
        help="The field of the record that holds the person (or people) it is about.")
    card_title = fields.Char(
        "Card Text", translate=True,
        help="What the card says; {record} is the record's name, {old} and {new} the field's values before and "
             "after a change. Empty: a sentence made from the model, the record and the change.")
    filter_domain = fields.Char(
        "Only For", default="[]",
        help="A card only for the records that match, as they are after the change (e.g. customer invoices "
             "that are paid).")

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

    @api.constrains("model_name", "event", "field_name", "partner_field", "card_title", "filter_domain")
    def _check_fields(self):
        for rule in self:
            unknown = set(PLACEHOLDER.findall(rule.card_title or "")) - set(PLACEHOLDERS)
            if unknown:
                raise ValidationError(self.env._("The card text may only use {record}, {old} and {new}, not %s.",
                                        ", ".join(sorted(unknown))))
            if rule.field_id and rule.field_id.model != rule.model_name:
                raise ValidationError(self.env._("The field %(field)s is not one of %(model)s.",
                                        field=rule.field_id.name, model=rule.model_name))
            if rule.installed and (problem := rule._inbox_problem()):
                raise ValidationError(problem)

    def _inbox_problem(self):
        """Why the rule cannot make cards for its (installed) model, if so.
        Checked when it is saved, and again when a rule that waited for its
        app first runs."""
        self.ensure_one()
        model = self.env[self.model_name]
        description = self.env["ir.model"]._get(self.model_name).name
        if not hasattr(model, "_inbox_card_rules"):
            return self.env._("%s cannot have cards.", description)
        field = model._fields.get(self.partner_field)
        if not field or field.comodel_name != "res.partner":
            return self.env._("%(model)s has no field %(field)s to a person.", model=description,
                              field=self.partner_field)
        try:
            model.sudo().search(self._inbox_domain(), limit=1)
        except (ValueError, SyntaxError, KeyError) as error:
            return self.env._("The filter of the rule is not a valid domain of %(model)s: %(error)s",
                     model=description, error=error)
        if self.event != "write":
            return False
        changed = model._fields.get(self.field_name)
        if not changed:
            return self.env._("A card on a change names a field of %s.", description)
        if changed.compute and changed.readonly and not changed.inverse \
                and not model._inbox_card_tracked(self.field_name):
            return self.env._("%(field)s of %(model)s is computed: its changes make cards only if the field is "
                              "tracked.",
                     field=changed.string, model=description)
        return False

    def _inbox_domain(self):
        return safe_eval(self.filter_domain or "[]")

    def _inbox_text(self, name, old, new):
        """The rule's card text, its placeholders replaced (never a format
        string: the text is typed by an administrator or a translator)."""
        values = {"record": name, "old": old or "—", "new": new or "—"}
        return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), self.card_title)

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
        for rule in rules:
            # a rule shipped for an app installed later is checked now
            if problem := rule._inbox_problem():
                _logger.warning("Activity card rule %s (%s) is skipped: %s", rule.id, rule.name, problem)
                rules -= rule
        return {event: tuple((rule.id, rule.field_name) for rule in rules if rule.event == event)
                for event, _label in CARD_EVENTS}

    @api.model
    @tools.ormcache()
    def _inbox_rule_models(self):
        """The names of the models that have active rules: the others ask
        nothing more of the database (cached for the registry, cleared when a
        rule changes)."""
        return frozenset(self.sudo().search_fetch([], ["model_name"]).mapped("model_name"))

    @api.model
    @tools.ormcache()
    def _inbox_any_conversation(self):
        """Whether the Inbox has a conversation at all: until it has one, no
        card has anywhere to go, and records change at no cost (cached for the
        registry, cleared when the first conversation is created)."""
        return bool(self.env["inbox.conversation"].sudo().with_context(active_test=False).search([], limit=1))

    @api.model
    def _inbox_rules(self, model_name, event, fields_changed=None):
        """The active rules of ``model_name`` on ``event`` (on a change: of one
        of ``fields_changed``). None while no conversation can show a card."""
        if model_name not in self._inbox_rule_models() or not self._inbox_any_conversation():
            return self.sudo().browse()
        found = [rule_id for rule_id, field in self._inbox_rules_cache(model_name)[event]
                 if fields_changed is None or field in fields_changed]
        return self.sudo().browse(found)

    def _inbox_matching(self, records):
        """Those of ``records`` the rule makes cards for (its filter read once)."""
        domain = self._inbox_domain()
        return records.sudo().filtered_domain(domain).with_env(records.env) if domain else records

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
