from odoo import models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _inbox_card_noun(self):
        return self.env._("Appointment")

    def action_inbox_confirm(self):
        """The person confirmed they come: the attendees outside the company
        (portal users included) who have not answered accept (each answer is
        a card); colleagues answer for themselves."""
        for event in self:
            event.attendee_ids.filtered(
                lambda attendee: attendee.state in ("needsAction", "tentative")
                and not attendee.partner_id.user_ids.filtered(lambda user: not user.share)
            ).do_accept()
        return True

    def action_inbox_cancel(self):
        """Cancel the appointment (its card says so) and close the panel."""
        self.unlink()
        return {"type": "ir.actions.act_window_close"}
