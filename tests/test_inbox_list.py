from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models import inbox_conversation_list
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestInboxList(InboxCommon):
    """The conversation list of the Inbox: tabs, filters, search, order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner, Conversation = cls.env["res.partner"], cls.env["inbox.conversation"]
        cls.bob = Partner.create({"name": "Bob Builder", "phone": "+32 470 11 11 11", "email": "bob@build.example.com"})
        cls.number_only = Partner.create({"name": "+32470222233", "phone": "+32 470 22 22 33"})
        cls.conv_bob = Conversation.create({"partner_id": cls.bob.id, "team_id": cls.team_a.id})
        cls.conv_number = Conversation.create({"partner_id": cls.number_only.id, "team_id": cls.team_a.id})
        cls.label = cls.env["inbox.label"].create({"name": "VIP"})

    def setUp(self):
        super().setUp()
        self.receive(self.conversation, "sms", "Is the clinic open?")
        self.conv_bob.message_inbox_send("note", "Called him back")
        self.receive(self.conv_number, "whatsapp", "Hello, who is this?")
        self.conv_bob.label_ids = self.label

    def ids(self, user=None, **params):
        result = self.env["inbox.conversation"].with_user(user or self.user_a).inbox_list(**params)
        return [row["id"] for row in result["conversations"]], result

    def test_tabs_and_counts(self):
        ids, result = self.ids()
        self.assertEqual(ids, [self.conv_number.id, self.conv_bob.id, self.conversation.id], "most recent first")
        self.assertEqual(result["counts"], {"open": 3, "unread": 2, "unassigned": 3, "mine": 0, "closed": 0,
                                            "all": 3})
        self.conversation.with_user(self.user_a).action_assign_to_me()
        self.conv_bob.action_close()
        self.assertEqual(self.ids(tab="mine")[0], [self.conversation.id])
        self.assertEqual(self.ids(tab="closed")[0], [self.conv_bob.id])
        self.assertEqual(set(self.ids(tab="unread")[0]), {self.conversation.id, self.conv_number.id})
        # the counts are what each tab lists
        Conversation = self.env["inbox.conversation"].with_user(self.user_a)
        counts = self.ids()[1]["counts"]
        self.assertEqual(counts, {tab: Conversation.search_count(domain)
                                  for tab, domain in Conversation._inbox_tab_domains().items()})
        self.assertEqual((counts["mine"], counts["closed"], counts["unassigned"]), (1, 1, 1))
        # a large inbox is counted tab by tab, to the same figures
        with patch.object(inbox_conversation_list, "SMALL_SET", 1):
            self.assertEqual(self.ids()[1]["counts"], counts)
        with patch.object(inbox_conversation_list, "SMALL_SET", 1), \
                patch.object(inbox_conversation_list, "COUNT_CAP", 2):
            self.assertEqual(self.ids()[1]["counts"]["all"], 2, "counted up to the cap")
        with patch.object(inbox_conversation_list, "COUNT_CAP", 2):
            self.assertEqual(self.ids()[1]["counts"]["all"], 2, "counted up to the cap")
        with self.assertRaisesRegex(UserError, "Unknown status tab"):
            self.ids(tab="bogus")

    def test_filters(self):
        self.assertEqual(self.ids(channel="whatsapp")[0], [self.conv_number.id])
        # any channel the conversation used, not only its last one
        self.conv_number.message_inbox_send("note", "Unknown number, ask who it is")
        self.assertEqual(self.conv_number.last_message_channel, "note")
        self.assertEqual(self.ids(channel="whatsapp")[0], [self.conv_number.id])
        self.assertEqual(self.ids(channel="note")[0], [self.conv_number.id, self.conv_bob.id])
        with self.assertRaisesRegex(UserError, "Unknown channel"):
            self.ids(channel="fax")
        self.assertEqual(self.ids(label_id=self.label.id)[0], [self.conv_bob.id])
        self.assertEqual(self.ids(sender_id=self.sender_sms.id)[0], [self.conversation.id])
        self.conv_bob.user_id = self.user_b
        self.assertEqual(self.ids(user_id=self.user_b.id)[0], [self.conv_bob.id])

    def test_search(self):
        self.assertEqual(self.ids(search="builder")[0], [self.conv_bob.id])
        self.assertEqual(self.ids(search="bob@build")[0], [self.conv_bob.id])
        self.assertEqual(self.ids(search="clinic open")[0], [self.conversation.id], "message text")
        for number in ("0470 11 11 11", "+32470111111", "+32 (470) 11-11-11"):
            self.assertEqual(self.ids(search=number)[0], [self.conv_bob.id], number)
        ids, result = self.ids(search="0470 99 88 77")
        self.assertEqual((ids, result["new_number"]), ([], "+32470998877"), "start a new conversation")
        ids, result = self.ids(search="4701")
        self.assertEqual((ids, result["new_number"]), ([], False), "a partial number is no phone search")

    def test_oldest_unanswered(self):
        ids, result = self.ids(sort="oldest_unanswered")
        self.assertEqual(ids, [self.conversation.id, self.conv_number.id], "only those waiting for us, oldest first")
        self.assertEqual(result["total"], 2)

    def test_rows(self):
        _ids, result = self.ids()
        rows = {row["id"]: row for row in result["conversations"]}
        self.assertEqual(rows[self.conv_bob.id]["avatar_text"], "BB")
        self.assertEqual(rows[self.conv_number.id]["avatar_text"], "33", "no name: the number's last digits")
        self.assertEqual(rows[self.conv_bob.id]["labels"],
                         [{"id": self.label.id, "name": "VIP", "color": self.label.color}])
        self.assertEqual(rows[self.conv_bob.id]["last_message_channel"], "note")
        self.assertTrue(rows[self.conversation.id]["is_unread"])
        self.assertEqual(rows[self.conversation.id]["status"], "open")

    def test_access(self):
        self.assertEqual(self.ids(user=self.user_b)[0], [], "another team's conversations stay hidden")
        self.assertEqual(self.ids(user=self.user_b)[1]["counts"]["all"], 0)

    def test_constant_queries_whatever_the_page_size(self):
        Conversation = self.env["inbox.conversation"]
        for index in range(12):
            partner = self.env["res.partner"].create({"name": f"Person {index}", "phone": f"+32 470 33 00 {index:02d}"})
            conversation = Conversation.create({"partner_id": partner.id, "team_id": self.team_a.id})
            conversation.label_ids = self.label
            self.receive(conversation, "sms", f"Message {index}")
        Conversation = Conversation.with_user(self.user_a)
        Conversation.inbox_list(limit=1)  # warm the caches of rules and groups
        counts = []
        for limit in (2, 14):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            result = Conversation.inbox_list(limit=limit)
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len(result["conversations"]), limit)
        self.assertEqual(counts[0], counts[1], f"queries for 2 and 14 rows: {counts}")


@tagged("post_install", "-at_install")
class TestInboxDetails(InboxCommon):

    def test_person_panel(self):
        salesman = self.env.ref("base.user_admin")
        lead = self.env["crm.lead"].create({
            "name": "Implants", "type": "opportunity", "partner_id": self.partner.id, "expected_revenue": 2400,
            "user_id": salesman.id})
        self.env["crm.lead"].create({"name": "Someone else's", "type": "opportunity"})
        event = self.env["calendar.event"].create({
            "name": "Check-up", "start": "2099-01-05 09:00:00", "stop": "2099-01-05 10:00:00",
            "partner_ids": [(4, self.partner.id)], "user_id": salesman.id})
        self.env["calendar.event"].create({
            "name": "Past visit", "start": "2000-01-05 09:00:00", "stop": "2000-01-05 10:00:00",
            "partner_ids": [(4, self.partner.id)]})
        self.partner._inbox_set_dnd("whatsapp", True)
        self.env["mail.blacklist"].sudo()._add(self.partner.email)
        self.assertEqual(self.conversation.with_user(self.manager).inbox_details()["opportunities"], [],
                         "no Sales rights: no opportunity shown")
        self.manager.group_ids = [(4, self.env.ref("sales_team.group_sale_salesman_all_leads").id)]
        details = self.conversation.with_user(self.manager).inbox_details()
        self.assertEqual(details["partner"]["phone"], self.partner.phone)
        self.assertEqual([o["id"] for o in details["opportunities"]], [lead.id])
        self.assertEqual(details["opportunities"][0]["user"], salesman.name)
        self.assertEqual([a["id"] for a in details["appointments"]], [event.id], "upcoming ones only")
        self.assertEqual(details["channels"]["whatsapp"], {"opted_out": False, "dnd": True, "address": "+32470617283"})
        self.assertEqual(details["channels"]["email"],
                         {"opted_out": True, "dnd": False, "address": "alice@customer.example.com"})

    def test_person_panel_follows_access(self):
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).inbox_details()


@tagged("post_install", "-at_install")
class TestAssign(InboxCommon):

    def notifications(self, user):
        return self.env["mail.message"].search([
            ("message_type", "=", "user_notification"), ("partner_ids", "in", user.partner_id.id)])

    def test_assign_with_notification(self):
        self.team_a.member_ids = [(4, self.manager.id)]
        self.conversation.with_user(self.user_a).inbox_assign(self.manager.id, notify=True)
        self.assertEqual(self.conversation.user_id, self.manager)
        self.assertIn(self.manager.partner_id, self.conversation.message_partner_ids)
        [notification] = self.notifications(self.manager)
        self.assertIn("Alice Customer", notification.subject)
        self.assertIn(self.user_a.name, notification.body)

    def test_assign_without_notification_and_to_oneself(self):
        self.conversation.with_user(self.user_a).inbox_assign(self.user_a.id, notify=True)
        self.assertFalse(self.notifications(self.user_a), "nobody is told what they did themselves")
        self.conversation.with_user(self.user_a).inbox_assign(self.manager.id)
        self.assertFalse(self.notifications(self.manager))
        self.conversation.with_user(self.user_a).inbox_assign(False)
        self.assertFalse(self.conversation.user_id)

    def test_assignee_needs_inbox_access(self):
        with self.assertRaisesRegex(UserError, "no access to the Inbox"):
            self.conversation.with_user(self.user_a).inbox_assign(self.employee.id)


@tagged("post_install", "-at_install")
class TestOpportunityFromConversation(InboxCommon):
    """From a conversation: a new opportunity for the person, or an existing one, linked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "inbox_salesman", name="Sales Agent",
                                     groups="unified_inbox.group_inbox_user,sales_team.group_sale_salesman")
        cls.team_a.member_ids = [(4, cls.salesman.id)]

    def test_create_a_prefilled_linked_opportunity(self):
        lead_id = self.conversation.with_user(self.salesman).inbox_create_opportunity()
        lead = self.env["crm.lead"].browse(lead_id)
        self.assertEqual((lead.type, lead.partner_id, lead.user_id, lead.team_id),
                         ("opportunity", self.partner, self.salesman, self.team_a))
        self.assertEqual((lead.email_from, lead.phone), (self.partner.email, self.partner.phone))
        self.assertEqual(self.conversation.lead_id, lead)
        self.assertIn("Linked to the opportunity", self.conversation.message_ids[0].body)
        details = self.conversation.with_user(self.salesman).inbox_details()
        self.assertEqual([(o["id"], o["linked"]) for o in details["opportunities"]], [(lead.id, True)])
        self.assertEqual(self.env["res.partner"].search_count([("email", "=", self.partner.email)]), 1,
                         "no second person")

    def test_link_an_existing_opportunity_of_the_person_only(self):
        Lead = self.env["crm.lead"].with_context(default_user_id=self.salesman.id, default_type="opportunity")
        mine = Lead.create({"name": "Implants", "partner_id": self.partner.id})
        bob = self.env["res.partner"].create({"name": "Bob"})
        other = Lead.create({"name": "Someone else's", "partner_id": bob.id})
        hidden = Lead.create({"name": "Not yours", "partner_id": self.partner.id, "user_id": self.manager.id})
        conversation = self.conversation.with_user(self.salesman)
        with self.assertRaisesRegex(UserError, "not an opportunity of Alice Customer"):
            conversation.inbox_link_opportunity(other.id)
        with self.assertRaises(AccessError, msg="a salesman of his own leads only"):
            conversation.inbox_link_opportunity(hidden.id)
        conversation.inbox_link_opportunity(mine.id)
        self.assertEqual(self.conversation.lead_id, mine)
        conversation.inbox_link_opportunity(False)
        self.assertFalse(self.conversation.lead_id)

    def test_without_crm_rights(self):
        self.assertFalse(self.conversation.with_user(self.user_a).inbox_details()["can_create_opportunity"])
        with self.assertRaisesRegex(UserError, "cannot create opportunities"):
            self.conversation.with_user(self.user_a).inbox_create_opportunity()
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).inbox_link_opportunity(False)


@tagged("post_install", "-at_install")
class TestFormFeed(InboxCommon):
    """The conversation shown on a person's and an opportunity's form."""

    def test_person_form(self):
        partner = self.partner.with_user(self.user_a)
        self.assertEqual(partner.inbox_feed_conversation(), self.conversation.id)
        self.assertFalse(self.partner.with_user(self.user_b).inbox_feed_conversation(),
                         "another team's conversation is not shown")
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "phone": "+32 470 99 88 77"})
        self.assertFalse(newcomer.with_user(self.user_a).inbox_feed_conversation(), "nothing made by looking")
        conversation = self.env["inbox.conversation"].browse(
            newcomer.with_user(self.user_a).inbox_feed_conversation(create=True))
        self.assertEqual((conversation.partner_id, conversation.user_id), (newcomer, self.user_a))
        self.assertEqual(newcomer.with_user(self.user_a).inbox_feed_conversation(create=True), conversation.id,
                         "once")
        # the same rules as in the Inbox
        self.env["phone.blacklist"].sudo()._add([newcomer.phone_sanitized])
        with self.assertRaisesRegex(UserError, "opted out"):
            conversation.with_user(self.user_a).message_inbox_send("sms", "Hello")

    def test_opportunity_form(self):
        lead = self.env["crm.lead"].create({"name": "Implants", "type": "opportunity", "partner_id": self.partner.id})
        self.assertEqual(lead.inbox_feed_conversation(), self.conversation.id, "the person's conversation")
        linked_id = lead.inbox_feed_conversation(create=False)
        self.assertEqual(linked_id, self.conversation.id)
        other = self.env["inbox.conversation"].create(
            {"partner_id": self.partner.id, "lead_id": lead.id, "state": "closed"})
        self.assertEqual(lead.inbox_feed_conversation(), other.id, "the one linked to the opportunity first")
        bare = self.env["crm.lead"].create({"name": "No customer", "type": "opportunity"})
        with self.assertRaisesRegex(UserError, "Set the opportunity's customer"):
            bare.inbox_feed_conversation()
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "email": "new@example.com"})
        fresh = self.env["crm.lead"].create({"name": "Braces", "type": "opportunity", "partner_id": newcomer.id})
        created = self.env["inbox.conversation"].browse(fresh.inbox_feed_conversation(create=True))
        self.assertEqual(created.lead_id, fresh, "started from the opportunity: linked to it")
