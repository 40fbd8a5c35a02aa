"""The reports' open periods and response cycles are written as they
happen from now on; the conversations' history makes them for the past."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["inbox.conversation"].with_context(active_test=False).search([])._inbox_report_rebuild()
