from odoo import models


class CalendarAttendee(models.Model):
    """An attendee's answer makes a card, as a rule says (no chatter here)."""

    _name = "calendar.attendee"
    _inherit = ["calendar.attendee", "inbox.card.mixin"]

    def _inbox_card_target(self):
        return self.event_id

    def _inbox_card_title(self, rule, old=None, new=None):
        if rule.event == "write" and rule.field_name == "state" and self.state in ("accepted", "declined"):
            values = {"person": self.common_name, "event": self.event_id.display_name}
            if staff := self._inbox_answered_for():
                # staff answered for the person (Confirm in the Inbox): who did it
                sentence = self.env._("%(event)s confirmed for %(person)s by %(user)s") if self.state == "accepted" \
                    else self.env._("%(event)s declined for %(person)s by %(user)s")
                return sentence % dict(values, user=staff.name)
            sentence = self.env._("%(person)s accepted %(event)s") if self.state == "accepted" \
                else self.env._("%(person)s declined %(event)s")
            return sentence % values
        return super()._inbox_card_title(rule, old, new)

    def _inbox_answered_for(self):
        """The colleague who answers for the attendee, if the attendee does
        not answer themself (their invitation link runs as the public user or
        as them; a system job as the superuser, on nobody's behalf)."""
        self.ensure_one()
        user = self.env.user
        if user._is_public() or user._is_superuser() or user.share or user.partner_id == self.partner_id:
            return user.browse()
        return user
