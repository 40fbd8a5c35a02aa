"""Odoo's Live Chat in the Inbox: a website visitor's session is the
"Live chat" channel of their conversation, through Odoo's own routes."""
import threading

from odoo import Command, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import InboxCommon


class LivechatCase(InboxCommon, HttpCase):
    """A Live Chat channel whose operator is Agent A (an Inbox user of Team
    A), connected to the Inbox by a sender account of Team A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_a.group_ids = [Command.link(cls.env.ref("im_livechat.im_livechat_group_user").id)]
        cls.website = cls.env["im_livechat.channel"].create({
            "name": "Website", "user_ids": [Command.set(cls.user_a.ids)]})
        cls.livechat = cls.env["inbox.provider"].create({"name": "Live Chat", "provider_type": "livechat"})
        cls.sender_livechat = cls.env["inbox.sender"].create({
            "name": "Website chat", "provider_id": cls.livechat.id, "channel": "livechat", "address": "Website",
            "external_id": str(cls.website.id), "team_ids": [Command.set(cls.team_a.ids)]})

    def setUp(self):
        super().setUp()
        # the operator is online (as Odoo's own Live Chat tests make them)
        self.env["mail.presence"]._update_presence(self.user_a)

    def start_session(self, **params):
        data = self.make_jsonrpc_request("/im_livechat/get_session", {
            "channel_id": self.website.id, "anonymous_name": "Visitor", "persisted": True, **params})
        return self.env["discuss.channel"].browse(data["channel_id"])

    def visitor_writes(self, session, body):
        return self.make_jsonrpc_request("/mail/message/post", {
            "thread_model": "discuss.channel", "thread_id": session.id,
            "post_data": {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment"}})

    def inbox_messages(self, conversation):
        return self.env["mail.message"].search([
            ("model", "=", "inbox.conversation"), ("res_id", "=", conversation.id), ("inbox_channel", "!=", False),
        ], order="id")

    def conversation_of_visitor(self, session):
        address, _name, _contact = session._inbox_visitor()
        person = self.env["res.partner"]._inbox_find("scoped", address, self.livechat)
        return self.env["inbox.conversation"].search([("partner_id", "=", person.id)])


@tagged("post_install", "-at_install")
class TestLivechatBridge(LivechatCase):

    def test_a_visitor_and_the_agents_one_history_each_side(self):
        self.authenticate(None, None)
        session = self.start_session()
        self.visitor_writes(session, "Hello from the website <b>bold?</b>")
        conversation = self.conversation_of_visitor(session)
        self.assertEqual(len(conversation), 1)
        [inbound] = self.inbox_messages(conversation)
        self.assertEqual((inbound.inbox_channel, inbound.inbox_direction), ("livechat", "inbound"))
        self.assertIn("Hello from the website", str(inbound.body))
        self.assertNotIn("<b>", str(inbound.body), "text, never markup")
        self.assertRegex(conversation.partner_id.name, r"^Visitor #\d+$", "anonymous visitors are told apart")
        self.assertEqual(conversation.user_id, self.user_a, "the session's operator takes the conversation")
        self.assertEqual(conversation.team_id, self.team_a)

        # the operator answers in Discuss: in the Inbox too, as already delivered
        session.with_user(self.user_a).message_post(body="Hi, Agent A here", message_type="comment",
                                                     subtype_xmlid="mail.mt_comment")
        # an agent answers in the Inbox: the visitor's window shows it
        sent = conversation.with_user(self.user_a).message_inbox_send("livechat", "We can help")
        self.run_dispatch()
        self.assertEqual(sent.inbox_status, "delivered")
        posted = self.env["mail.message"].browse(int(sent.inbox_provider_message_id.removeprefix("discuss-")))
        self.assertEqual((posted.model, posted.res_id, posted.author_id), ("discuss.channel", session.id,
                                                                            self.user_a.partner_id))
        messages = self.inbox_messages(conversation)
        self.assertEqual(messages.mapped("inbox_direction"), ["inbound", "outbound", "outbound"],
                         "one copy of each message: the Inbox's own answer is not kept a second time")
        self.assertEqual(messages[1].author_id, self.user_a.partner_id)
        self.assertEqual(len(session.message_ids.filtered(lambda m: m.message_type == "comment")), 3)

    def test_an_ended_session_is_shown_and_cannot_be_answered(self):
        self.authenticate(None, None)
        session = self.start_session()
        self.visitor_writes(session, "Bye")
        self.make_jsonrpc_request("/im_livechat/visitor_leave_session", {"channel_id": session.id})
        conversation = self.conversation_of_visitor(session)
        self.assertTrue(self.env["mail.message"].search_count([
            ("model", "=", "inbox.conversation"), ("res_id", "=", conversation.id),
            ("body", "ilike", "The live chat session ended")]))
        availability = conversation.with_user(self.user_a).channel_availability["livechat"]
        self.assertFalse(availability["available"])
        self.assertIn("has ended", availability["reason"])
        with self.assertRaisesRegex(UserError, "has ended"):
            conversation.with_user(self.user_a).message_inbox_send("livechat", "Still there?")

    def test_a_logged_in_visitor_is_their_own_person(self):
        portal = self.env["res.users"].create({
            "name": "Portal Paula", "login": "paula", "password": "paula-password-1",
            "group_ids": [Command.set(self.env.ref("base.group_portal").ids)]})
        self.authenticate("paula", "paula-password-1")
        session = self.start_session()
        self.visitor_writes(session, "It's me")
        conversation = self.env["inbox.conversation"].search([("partner_id", "=", portal.partner_id.id)])
        self.assertEqual(self.inbox_messages(conversation).mapped("inbox_direction"), ["inbound"])
        self.assertEqual(portal.partner_id.inbox_identity_ids.address, f"partner-{portal.partner_id.id}")

    def test_a_connected_live_chat_channel_only(self):
        other = self.env["im_livechat.channel"].create({"name": "Not in the Inbox", "user_ids": [
            Command.set(self.user_a.ids)]})
        self.authenticate(None, None)
        session = self.start_session(channel_id=other.id)
        self.visitor_writes(session, "Hello")
        self.assertFalse(self.env["mail.message"].search_count([("inbox_provider_id", "=", self.livechat.id)]))

    def test_other_teams_do_not_read_it(self):
        self.authenticate(None, None)
        session = self.start_session()
        self.visitor_writes(session, "Private question")
        conversation = self.conversation_of_visitor(session)
        with self.assertRaises(AccessError):
            conversation.with_user(self.user_b).check_access("read")


@tagged("post_install", "-at_install")
class TestLivechatIdentification(LivechatCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.script = cls.env["chatbot.script"].create({"title": "Greeter", "script_step_ids": [
            Command.create({"step_type": "text", "message": "Welcome!"}),
            Command.create({"step_type": "free_input_single", "message": "How can we help?"}),
            Command.create({"step_type": "question_email", "message": "Your email, please?"}),
            Command.create({"step_type": "text", "message": "Thanks!"}),
        ]})
        cls.website.rule_ids = [Command.create({"chatbot_script_id": cls.script.id})]

    def answer(self, session, body):
        self.visitor_writes(session, body)
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": session.id})

    def test_a_visitor_who_gives_a_known_email_joins_that_person(self):
        before = self.inbox_messages(self.conversation)
        self.authenticate(None, None)
        session = self.start_session(chatbot_script_id=self.script.id)
        self.answer(session, "Where is my order?")
        guest_person = self.conversation_of_visitor(session).partner_id
        self.assertNotEqual(guest_person, self.partner)
        self.answer(session, "alice@customer.example.com")
        # one person, one conversation, both histories
        self.assertFalse(guest_person.exists())
        conversations = self.env["inbox.conversation"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(conversations, self.conversation)
        kept = self.inbox_messages(self.conversation)
        self.assertLessEqual(before, kept)
        self.assertIn("livechat", kept.mapped("inbox_channel"))
        self.assertEqual(self.conversation_of_visitor(session), self.conversation,
                         "the visitor's later messages come to the person")
        self.visitor_writes(session, "One more thing")
        self.assertIn("One more thing", self.inbox_messages(self.conversation)[-1].body)

    def test_a_visitor_who_gives_a_new_email_keeps_their_conversation(self):
        self.authenticate(None, None)
        session = self.start_session(chatbot_script_id=self.script.id)
        self.answer(session, "Hello")
        conversation = self.conversation_of_visitor(session)
        self.answer(session, "New.Person@Example.com")
        self.assertEqual(conversation.partner_id.email, "new.person@example.com")
        self.assertEqual(self.conversation_of_visitor(session), conversation)


@tagged("post_install", "-at_install")
class TestLivechatTours(LivechatCase):

    def answer_when_written(self, text):
        """An agent answers in the Inbox once the visitor's first message is
        kept: in a thread, while the visitor's tour waits for the answer. It
        starts when the request that kept the message is done, and its
        cursor, like the requests', is the test's, one at a time."""
        kept = threading.Event()
        keep = type(self.env["discuss.channel"])._inbox_keep

        def keep_and_tell(session, message):
            keep(session, message)
            kept.set()

        self.patch(type(self.env["discuss.channel"]), "_inbox_keep", keep_and_tell)
        failures = []

        def answer():
            try:
                self.assertTrue(kept.wait(30), "the visitor's message never came")
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, self.user_a.id, {})
                    [inbound] = env["mail.message"].sudo().search([("inbox_provider_id", "=", self.livechat.id)])
                    env["inbox.conversation"].browse(inbound.res_id).message_inbox_send("livechat", text)
                    env["mail.message"].sudo()._inbox_dispatch()
            except Exception as error:  # noqa: BLE001 - reported by the test's thread
                failures.append(error)

        thread = threading.Thread(target=answer, name="inbox agent")
        thread.start()
        return thread, failures

    def test_the_website_visitor_and_the_inbox_agent(self):
        agent, failures = self.answer_when_written("We can help")
        self.start_tour(f"/im_livechat/support/{self.website.id}", "unified_inbox_livechat_visitor_tour")
        agent.join()
        self.assertFalse(failures)
        session = self.env["discuss.channel"].search([("livechat_channel_id", "=", self.website.id)])
        conversation = self.conversation_of_visitor(session)
        self.assertEqual(self.inbox_messages(conversation).mapped("inbox_direction"), ["inbound", "outbound"])
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_livechat_tour", login=self.user_a.login)
        self.run_dispatch()
        self.assertIn("Anything else?", str(session.message_ids.sorted("id")[-1].body))
        self.assertEqual(len(self.inbox_messages(conversation)), 3)
