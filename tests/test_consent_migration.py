import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

MIGRATION = Path(__file__).parent.parent / "migrations" / "19.0.1.1.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
class TestConsentMigration(TransactionCase):
    """A database upgraded from the one-column-per-channel do-not-disturb
    keeps every person's choice, as consent lines."""

    def test_dnd_columns_become_consent_lines(self):
        cr = self.env.cr
        Partner = self.env["res.partner"]
        quiet, both, none = (Partner.create({"name": name}) for name in ("Quiet", "Both", "None"))
        self.env["inbox.consent"].create({"partner_id": both.id, "channel": "sms", "opted_out": False})
        self.env.flush_all()
        # the columns as the previous version left them
        for column in ("inbox_dnd_email", "inbox_dnd_sms", "inbox_dnd_whatsapp"):
            cr.execute(f"ALTER TABLE res_partner ADD COLUMN {column} boolean")
        cr.execute("UPDATE res_partner SET inbox_dnd_whatsapp = TRUE WHERE id IN %s", [(quiet.id, both.id)])
        cr.execute("UPDATE res_partner SET inbox_dnd_sms = TRUE WHERE id = %s", [both.id])

        spec = importlib.util.spec_from_file_location("unified_inbox_post_migrate", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(cr, "19.0.1.0.0")
        self.env.invalidate_all()

        self.assertTrue(quiet._inbox_is_dnd("whatsapp"))
        self.assertFalse(quiet._inbox_is_dnd("sms"))
        self.assertTrue(both._inbox_is_dnd("whatsapp") and both._inbox_is_dnd("sms"), "the existing line is kept")
        self.assertEqual(len(both.inbox_consent_ids), 2)
        self.assertFalse(none.inbox_consent_ids)
        cr.execute("SELECT column_name FROM information_schema.columns "
                   "WHERE table_name = 'res_partner' AND column_name LIKE 'inbox_dnd_%%'")
        self.assertFalse(cr.fetchall(), "the old columns are gone")
