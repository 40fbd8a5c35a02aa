from odoo import models


class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _inherit = ["mail.thread", "inbox.card.mixin"]

    def _inbox_card_tracked(self, field_name):
        # a stored computed field nobody writes changes without write (an
        # invoice's payment status when a payment is reconciled): the
        # tracking sees it
        field = self._fields[field_name]
        return bool(field.compute and field.store and field.readonly and not field.inverse
                    and field_name in self._track_get_fields())

    def _message_track(self, fields_iter, initial_values_dict):
        tracking = super()._message_track(fields_iter, initial_values_dict)
        for record in self:
            changes = tracking.get(record.id, (None, None))[0]
            if not changes:
                continue
            for rule in record._inbox_card_rules("write", changes):
                if record._inbox_card_tracked(rule.field_name):
                    old = initial_values_dict[record.id][rule.field_name]
                    record._inbox_card_change(rule, record._inbox_card_value(rule.field_name, old))
        return tracking
