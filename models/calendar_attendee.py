from odoo import _, models


class CalendarAttendee(models.Model):
    """An attendee's answer makes a card, as a rule says (no chatter here)."""

    _name = "calendar.attendee"
    _inherit = ["calendar.attendee", "inbox.card.mixin"]

    def _inbox_card_target(self):
        return self.event_id

    def _inbox_card_title(self, rule, old=None, new=None):
        if rule.event == "write" and rule.field_name == "state" and self.state in ("accepted", "declined"):
            sentence = _("%(person)s accepted %(event)s") if self.state == "accepted" \
                else _("%(person)s declined %(event)s")
            return sentence % {"person": self.common_name, "event": self.event_id.display_name}
        return super()._inbox_card_title(rule, old, new)
