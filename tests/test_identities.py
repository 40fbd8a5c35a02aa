import importlib.util
import uuid
from pathlib import Path

from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import InboxCommon

MIGRATION = Path(__file__).parent.parent / "migrations" / "19.0.1.2.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
class TestIdentities(InboxCommon):
    """A person's numbers, addresses and provider ids are rows: the person
    behind a message is found by them on every channel, the phone and email
    rows follow the person's own fields, and an id one provider gave is
    never mistaken for another provider's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.Identity = cls.env["inbox.identity"]

    def inbound(self, number, body="Hello", channel="sms", name="Unknown Caller"):
        sender = {"sms": self.sender_sms, "whatsapp": self.sender_whatsapp}[channel]
        self.post_sandbox_events([{
            "type": "message", "id": f"IN-{uuid.uuid4().hex}", "channel": channel, "from": number,
            "to": sender.address, "name": name, "body": body}])
        return self.Partner.search([("phone_sanitized", "=", number)])

    def rows(self, address):
        return self.Identity.search([("address", "=", address)])

    def test_a_new_number_is_a_person_seen_at_it(self):
        person = self.inbound("+32470990001")
        self.assertEqual(person.name, "Unknown Caller")
        row = self.rows("+32470990001")
        self.assertRecordValues(row, [{"partner_id": person.id, "kind": "phone", "verified": True,
                                       "provider_id": False}])
        self.assertTrue(row.last_seen)
        # the same number on another channel is the same person, on one row
        self.inbound("+32470990001", channel="whatsapp")
        self.assertEqual(self.rows("+32470990001"), row)
        self.assertEqual(self.Partner.search([("phone_sanitized", "=", "+32470990001")]), person)
        self.assertEqual(len(person.inbox_conversation_ids), 1)

    def test_a_known_person_gets_the_row_of_the_number_they_write_from(self):
        self.assertFalse(self.rows("+32470617283"), "no row before the Inbox uses the number")
        self.receive(self.conversation, "sms", "Hi")
        self.assertRecordValues(self.rows("+32470617283"), [{"partner_id": self.partner.id, "verified": True}])
        self.receive(self.conversation, "email", "Hi by email")
        self.assertRecordValues(self.rows("alice@customer.example.com"),
                                [{"partner_id": self.partner.id, "kind": "email", "verified": True}])

    def test_the_inbox_keeps_talking_to_the_person_it_knows(self):
        """Two contacts share a number (a family phone): the one the Inbox
        knows at it keeps it, not the older contact."""
        older = self.Partner.create({"name": "Older Contact", "phone": "+32 470 99 00 04"})
        known = self.Partner.create({"name": "Known Contact", "phone": "+32 470 99 00 04"})
        self.assertEqual(self.Partner._inbox_find("phone", "+32470990004"), older, "no row: Odoo's field decides")
        self.Identity.create({"partner_id": known.id, "kind": "phone", "address": "+32470990004", "verified": True})
        self.assertEqual(self.Partner._inbox_find("phone", "+32470990004"), known)
        self.inbound("+32470990004")
        self.assertTrue(known.inbox_conversation_ids)
        self.assertFalse(older.inbox_conversation_ids)

    def test_a_changed_number_no_longer_finds_the_person(self):
        self.receive(self.conversation, "sms", "Hi")
        self.partner.phone = "+32 470 61 72 84"
        self.assertFalse(self.rows("+32470617283"), "the old number's row is gone")
        self.assertFalse(self.Partner._inbox_find("phone", "+32470617283"))
        newcomer = self.inbound("+32470617283", name="New Owner")
        self.assertNotEqual(newcomer, self.partner)
        self.assertEqual(self.rows("+32470617283").partner_id, newcomer)
        # the new number finds Alice, and becomes a row once she writes from it
        self.assertEqual(self.Partner._inbox_find("phone", "+32470617284"), self.partner)
        self.partner.phone = "+32 470 61 72 84"  # an unchanged value keeps the rows
        self.assertEqual(self.rows("+32470617283").partner_id, newcomer)

    def test_an_archived_person_hands_the_number_on(self):
        self.receive(self.conversation, "sms", "Hi")
        self.conversation.unlink()
        self.partner.action_archive()
        newcomer = self.inbound("+32470617283", name="Next Owner")
        self.assertTrue(newcomer and newcomer != self.partner)
        self.assertRecordValues(self.rows("+32470617283"), [{"partner_id": newcomer.id, "verified": True}])

    def test_an_id_a_provider_gave_belongs_to_that_provider(self):
        other = self.env["inbox.provider"].create({"name": "Other Sandbox", "provider_type": "sandbox"})
        company = self.env.company
        sam = self.Partner._inbox_find_or_create("scoped", "PSID-1", "Sam Scoped", company,
                                                 provider=self.provider, seen=True)
        self.assertEqual(sam.name, "Sam Scoped")
        self.assertFalse(sam.phone or sam.email, "an id is no number nor email address")
        self.assertEqual(sam._inbox_address("scoped", self.provider), "PSID-1")
        self.assertFalse(sam._inbox_address("scoped", other))
        self.assertEqual(self.Partner._inbox_find_or_create("scoped", "PSID-1", "Sam", company,
                                                            provider=self.provider), sam)
        # the same id from another provider is another person's
        stranger = self.Partner._inbox_find_or_create("scoped", "PSID-1", "Stranger", company, provider=other)
        self.assertNotEqual(stranger, sam)
        self.assertEqual(len(self.rows("PSID-1")), 2)
        with self.assertRaisesRegex(ValueError, "provider"):
            self.Partner._inbox_find("scoped", "PSID-1")

    @mute_logger("odoo.sql_db")
    def test_one_identity_one_person(self):
        self.receive(self.conversation, "sms", "Hi")
        other = self.Partner.create({"name": "Other"})
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Identity.create({"partner_id": other.id, "kind": "phone", "address": "+32470617283"})
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Identity.create({"partner_id": other.id, "kind": "scoped", "address": "PSID-2"})
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Identity.create({"partner_id": other.id, "kind": "phone", "address": "+32470000077",
                                  "provider_id": self.provider.id})

    def test_identities_follow_the_people_one_may_read(self):
        self.receive(self.conversation, "sms", "Hi")
        elsewhere = self.env["res.company"].create({"name": "Elsewhere"})
        hidden = self.Partner.create({"name": "Hidden", "phone": "+32 470 99 00 02", "company_id": elsewhere.id})
        self.Identity.create({"partner_id": hidden.id, "kind": "phone", "address": "+32470990002"})
        visible = self.Identity.with_user(self.user_a).search([("address", "in", ["+32470617283", "+32470990002"])])
        self.assertEqual(visible.partner_id, self.partner)
        self.assertFalse(self.Partner.with_user(self.user_a)._inbox_find("phone", "+32470990002"))
        self.assertEqual(self.Partner.sudo()._inbox_find("phone", "+32470990002"), hidden)

    def test_upgrade_keeps_who_wrote_from_where(self):
        """A database of the previous version: the people the Inbox created
        were marked on res_partner, and nobody had identity rows."""
        self.receive(self.conversation, "sms", "Hi")
        created = self.inbound("+32470990003")
        marked_only = self.Partner.create({"name": "Marked", "email": "marked@example.com"})
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DELETE FROM inbox_identity")
        cr.execute("ALTER TABLE res_partner ADD COLUMN inbox_identity varchar")
        cr.execute("UPDATE res_partner SET inbox_identity = 'phone:+32470990003' WHERE id = %s", [created.id])
        cr.execute("UPDATE res_partner SET inbox_identity = 'email:marked@example.com' WHERE id = %s",
                    [marked_only.id])

        spec = importlib.util.spec_from_file_location("unified_inbox_post_migrate_identities", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(cr, "19.0.1.1.0")
        self.env.invalidate_all()

        self.assertRecordValues(self.rows("+32470617283"), [{"partner_id": self.partner.id, "verified": True}])
        self.assertRecordValues(self.rows("+32470990003"), [{"partner_id": created.id, "verified": True}])
        self.assertRecordValues(self.rows("marked@example.com"), [{"partner_id": marked_only.id, "verified": False}])
        cr.execute("SELECT 1 FROM information_schema.columns "
                   "WHERE table_name = 'res_partner' AND column_name = 'inbox_identity'")
        self.assertFalse(cr.fetchall(), "the old column is gone")
