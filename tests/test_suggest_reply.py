import json
import socket
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..models import inbox_conversation_suggest
from ..tools import chat_completions
from .common import InboxCommon
from .fake_chat_completions import FakeChatCompletions


@tagged("post_install", "-at_install")
class TestSuggestReply(InboxCommon):
    """✦ asks the company's chat-completions endpoint for a draft built from
    the recent history, within bounds, and never sends anything itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeChatCompletions().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.company.write({"inbox_ai_base_url": cls.fake.url, "inbox_ai_model": "local-llama",
                           "inbox_ai_api_key": "sk-test"})

    def setUp(self):
        super().setUp()
        self.fake.requests.clear()
        self.fake.delay = 0

    def suggest(self, channel="sms", user=None):
        return self.conversation.with_user(user or self.user_a).inbox_suggest_reply(channel)

    def sent(self):
        _path, _headers, body = self.fake.requests[-1]
        return body

    def test_a_draft_from_the_recent_history(self):
        self.receive(self.conversation, "sms", "Can I move my appointment to Saturday?")
        self.conversation.message_inbox_send("note", "<p>She prefers mornings.</p>")
        messages_before = self.env["mail.message"].search_count([])

        self.assertEqual(self.suggest(), "Happy to help! Does Saturday at 11:00 suit you?")

        path, headers, body = self.fake.requests[-1]
        self.assertEqual((path, headers["Authorization"], body["model"]),
                         ("/v1/chat/completions", "Bearer sk-test", "local-llama"))
        system, transcript = body["messages"]
        self.assertEqual((system["role"], transcript["role"]), ("system", "user"))
        self.assertIn("Agent A of", system["content"])
        self.assertIn("answers Alice Customer on SMS", system["content"])
        self.assertIn("ideally within 160 characters, never more than 1600", system["content"])
        self.assertTrue(transcript["content"].endswith(
            "[Alice Customer] Can I move my appointment to Saturday?\n"
            "[Internal note] She prefers mornings.\n\nDraft the team's next reply to Alice Customer on SMS."))
        self.assertEqual(self.env["mail.message"].search_count([]), messages_before, "nothing is sent by it")
        raw = json.dumps(body)
        for secret in (self.provider.sudo().webhook_secret, "sk-test"):
            self.assertNotIn(secret, raw, "no secret goes in the prompt")

    def transcript_lines(self):
        return [line for line in self.sent()["messages"][1]["content"].splitlines() if line.startswith("[")]

    def test_the_newest_messages_only(self):
        for number in range(1, 31):
            self.conversation.message_inbox_send("note", f"Note {number:02d}")
        self.suggest()
        self.assertEqual(self.transcript_lines(), [f"[Internal note] Note {number:02d}" for number in range(11, 31)],
                         "the newest HISTORY_MESSAGES, oldest first")

    def test_the_history_is_bounded_in_characters(self):
        self.conversation.message_inbox_send("note", "An older note")
        for letter in "abcde":
            self.conversation.message_inbox_send("note", letter * 5000)
        self.suggest()
        limit = inbox_conversation_suggest.MESSAGE_CHARS
        # each message cut to MESSAGE_CHARS; the newest that fit in HISTORY_CHARS, and nothing older
        self.assertEqual(self.transcript_lines(), [f"[Internal note] {letter * limit}" for letter in "cde"])

    def test_an_sms_draft_never_exceeds_the_channel(self):
        self.fake.reply = "y" * 2000
        self.assertEqual(len(self.suggest("sms")), 1600)

    def test_why_no_draft_came_in_one_line(self):
        cases = [
            ((401, {"error": {"message": "Incorrect API key provided."}}),
             r"^The assistant refused the request \(HTTP 401: Incorrect API key provided\.\)\.$"),
            ((500, {}), r"^The assistant refused the request \(HTTP 500\)\.$"),
            ((200, {"choices": [{"message": {"role": "assistant", "content": None,
                                             "refusal": "I can't help with that."}}]}),
             "^The assistant declined to suggest a reply.$"),
            ((200, {"choices": [{"finish_reason": "content_filter", "message": {"content": "..."}}]}),
             "^The assistant declined to suggest a reply.$"),
            ((200, {"choices": [{"message": {"content": "   "}}]}), "^The assistant suggested nothing.$"),
            ((200, {"choices": []}), "^The assistant's answer could not be read.$"),
        ]
        for answer, message in cases:
            self.fake.answer = answer
            with self.assertRaisesRegex(UserError, message):
                self.suggest()

    def test_a_slow_or_absent_assistant(self):
        # Odoo's tests make any shorter timeout 10 seconds
        self.fake.delay = 10.5
        with patch.object(chat_completions, "TIMEOUT", 10), \
                self.assertRaisesRegex(UserError, "did not answer within 10 seconds"):
            self.suggest()
        self.fake.delay = 0
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        self.company.inbox_ai_base_url = f"http://127.0.0.1:{port}/v1"
        with self.assertRaisesRegex(UserError, "could not be reached"):
            self.suggest()

    def test_no_draft_where_nothing_could_be_sent(self):
        with self.assertRaisesRegex(UserError, "WhatsApp window is closed|not written in the last 24 hours"):
            self.suggest("whatsapp")
        self.assertFalse(self.fake.requests, "the assistant is not asked")
        with self.assertRaises(AccessError):
            self.suggest(user=self.user_b)
        with self.assertRaisesRegex(UserError, "not of notes"):
            self.suggest("note")
        self.company.inbox_ai_base_url = False
        with self.assertRaisesRegex(UserError, "No assistant is connected"):
            self.suggest()
        self.assertFalse(self.fake.requests)

    def test_an_endpoint_of_blanks_is_none(self):
        Conversation = self.env["inbox.conversation"]
        self.assertEqual(Conversation._inbox_assistant(self.company)["model"], "local-llama")
        self.company.inbox_ai_base_url = " "
        self.assertIsNone(Conversation._inbox_assistant(self.company))


@tagged("post_install", "-at_install")
class TestSandboxAssistant(InboxCommon, HttpCase):
    """The demo's assistant speaks the protocol over real HTTP, on this Odoo."""

    def test_the_demo_drafts_without_an_outside_service(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.company.write({"inbox_ai_base_url": "/unified_inbox/sandbox/assistant/v1", "inbox_ai_model": "sandbox"})
        # the Inbox calls it as any endpoint: without the cookie of the tests' own requests
        with self.allow_requests(all_requests=True):
            draft = self.conversation.with_user(self.user_a).inbox_suggest_reply("sms")
        self.assertEqual(draft, "Hi Alice, thank you for your message! Let me check and get back to you shortly.")

    def test_a_malformed_request_is_refused(self):
        url = "/unified_inbox/sandbox/assistant/v1/chat/completions"
        for body in (b"not json", b'{"messages": "hi"}', b"{}"):
            response = self.url_open(url, data=body, headers={"Content-Type": "application/json"})
            self.assertEqual(response.status_code, 400, body)
            self.assertIn("list of messages", response.json()["error"]["message"])
