import re

from odoo import api, fields, models
from odoo.tools import format_date, format_datetime, formatLang

# where a card's sentence says a time (private use characters: never in a name)
TIME_MARK = "\ue000%s\ue001"
TIME_MARKS = re.compile("\ue000(old|new)\ue001")


class InboxCardMixin(models.AbstractModel):
    """Activity cards: records of a model with this mixin (every model with
    a chatter has it), created, changed or deleted, show as cards in the
    conversation of the person they are about, as the rules
    (inbox.card.rule) say."""

    _name = "inbox.card.mixin"
    _description = "Inbox Activity Cards"

    def _inbox_card_rules(self, event, fields_changed=None):
        if self._name == "inbox.conversation":
            return self.env["inbox.card.rule"]
        return self.env["inbox.card.rule"]._inbox_rules(self._name, event, fields_changed)

    @api.model_create_multi
    def create(self, vals_list):
        if self._name == "inbox.conversation":
            first = not self.env["inbox.card.rule"]._inbox_any_conversation()
            records = super().create(vals_list)
            if first:
                # the cards of every model have somewhere to go now
                self.env.registry.clear_cache()
            return records
        records = super().create(vals_list)
        for rule in records._inbox_card_rules("create"):
            for record in rule._inbox_matching(records):
                rule._inbox_post(*rule._inbox_card(record, record._inbox_card_title(rule)))
        return records

    def write(self, vals):
        rules = self._inbox_card_rules("write", set(vals)) if self else self.env["inbox.card.rule"]
        rules = rules.filtered(lambda rule: not self._inbox_card_tracked(rule.field_name))
        before = {(rule.id, record.id): record._inbox_card_value(rule.field_name)
                  for rule in rules for record in self}
        result = super().write(vals)
        for rule in rules:
            for record in self:
                record._inbox_card_change(rule, before[rule.id, record.id])
        return result

    def _inbox_card_tracked(self, field_name):
        """Whether the changes of a field make cards through the tracking
        (mail.thread: a computed field it tracks) rather than ``write``."""
        return False

    def _inbox_card_change(self, rule, old):
        """A card of ``rule`` if the field it watches changed from ``old``
        (as shown)."""
        self.ensure_one()
        new = self._inbox_card_value(rule.field_name)
        if old == new or not rule._inbox_matching(self):
            return
        if self._fields[rule.field_name].type != "datetime":
            rule._inbox_post(*rule._inbox_card(self, self._inbox_card_title(rule, old, new)))
            return
        # the card is stored once for every reader: its times are kept as
        # data (UTC) for each reader's client to show in their own time zone;
        # its text (the message body) says them in UTC
        times = {"old": old, "new": new}
        marked = self._inbox_card_title(rule, *(old and TIME_MARK % "old", new and TIME_MARK % "new"))
        people, company, card = rule._inbox_card(self, TIME_MARKS.sub(
            lambda match: self.env._("%s UTC", format_datetime(self.env, times[match[1]], tz="UTC")), marked))
        card["title_parts"] = [
            {"datetime": times[part]} if index % 2 else part
            for index, part in enumerate(TIME_MARKS.split(marked)) if part or index % 2
        ]
        rule._inbox_post(people, company, card)

    def unlink(self):
        # read before the records go: who they were about, what they were
        cards = [rule._inbox_card(record, record._inbox_card_title(rule), deleted=True)
                 for rule in self._inbox_card_rules("unlink") for record in rule._inbox_matching(self)]
        result = super().unlink()
        for people, company, card in cards:
            self.env["inbox.card.rule"]._inbox_post(people, company, card)
        return result

    def _inbox_card_value(self, field_name, value=None):
        """The value of a field (its current one, or ``value``) as a card
        shows it."""
        self.ensure_one()
        field = self._fields[field_name]
        value = self.sudo()[field_name] if value is None else value
        if field.type in ("many2one", "many2many", "one2many"):
            return ", ".join(value.sudo().mapped("display_name"))
        if value in (False, None):
            return ""
        if field.type in ("float", "monetary"):
            return formatLang(self.env, value)
        if field.type == "datetime":
            # as data: each reader sees it in their own time zone
            return fields.Datetime.to_string(value)
        if field.type == "date":
            return format_date(self.env, value)
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        return field.convert_to_display_name(value, self.sudo())

    def _inbox_card_noun(self):
        """What a card calls the record (its model's name)."""
        return self.env["ir.model"]._get(self._name).name

    def _inbox_card_target(self):
        """The record a card's View opens."""
        return self

    def _inbox_card_title(self, rule, old=None, new=None):
        """The sentence of a card; models may say more (crm.lead: won, lost)."""
        self.ensure_one()
        description = self._inbox_card_noun()
        name = self.sudo().display_name
        if rule.card_title:
            return rule._inbox_text(name, old, new)
        if rule.event == "create":
            return self.env._("%(model)s created: %(name)s", model=description, name=name)
        if rule.event == "unlink":
            return self.env._("%(model)s deleted: %(name)s", model=description, name=name)
        return self.env._("%(model)s %(name)s: %(field)s %(old)s → %(new)s", model=description, name=name,
                 field=self._fields[rule.field_name]._description_string(self.env), old=old or "—", new=new or "—")
