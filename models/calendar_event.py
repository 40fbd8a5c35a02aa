from odoo import _, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _inbox_card_noun(self):
        return _("Appointment")
