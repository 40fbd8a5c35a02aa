import json

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from ..providers.sandbox import SIGNATURE_HEADER, sign
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestHttp(InboxCommon, HttpCase):
    """Webhooks over real HTTP, and access through JSON-RPC."""

    def post_webhook(self, payload, secret=None, token=None, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        secret = self.provider.sudo().webhook_secret if secret is None else secret
        response = self.url_open(
            f"/unified_inbox/webhook/{token or self.provider.webhook_token}", data=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)})
        self.run_due_events()  # what the event cron does right after
        return response

    def inbound(self, message_id="http-1", body="Hello over HTTP"):
        return {"events": [{"type": "message", "id": message_id, "channel": "sms", "from": self.partner.phone,
                            "to": self.sender_sms.address, "body": body}]}

    def inbound_count(self):
        return len(self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound"))

    def test_signed_webhook_is_stored_once(self):
        for _i in range(2):
            response = self.post_webhook(self.inbound())
            self.assertEqual(response.status_code, 200)
        self.assertEqual(self.inbound_count(), 1)
        self.assertEqual(self.env["inbox.event"].search([("dedupe_key", "=", "message:http-1")]).state, "done",
                         "the second delivery was not even kept")

    def test_the_webhook_answers_before_the_message_is_applied(self):
        # what this test's webhook triggers (earlier tests on real cursors may have left triggers)
        before = self.env["ir.cron.trigger"].search([], order="id desc", limit=1)
        body = json.dumps(self.inbound("http-2")).encode()
        response = self.url_open(f"/unified_inbox/webhook/{self.provider.webhook_token}", data=body, headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(self.provider.sudo().webhook_secret, body)})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.inbound_count(), 0, "kept for the event cron, which it triggered")
        Event = self.env["inbox.event"]
        triggers = self.env["ir.cron.trigger"].search([("id", ">", before.id or 0)])
        lanes = self.env["ir.cron"].browse(Event._queue_cron_ids())
        self.assertEqual(len(lanes), 2, "the queue's two lanes, by default")
        event = Event.search([("dedupe_key", "=", "message:http-2")])
        theirs = lanes.filtered(lambda lane: lane.inbox_lane == event.lane_key % 2)
        self.assertEqual(triggers.filtered(lambda trigger: trigger.cron_id in lanes).cron_id, theirs,
                         "the lane of the person's events triggered, the other has nothing new")
        (lanes - theirs).method_direct_trigger()
        self.assertEqual(self.inbound_count(), 0, "the other lane leaves it")
        theirs.method_direct_trigger()
        self.assertEqual(self.inbound_count(), 1)

    def test_bad_signature_403(self):
        response = self.post_webhook(self.inbound(), secret="forged")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.inbound_count(), 0)
        self.assertEqual(self.provider.signature_failure_count, 1)
        response = self.url_open(f"/unified_inbox/webhook/{self.provider.webhook_token}",
                                 data=json.dumps(self.inbound()).encode())
        self.assertEqual(response.status_code, 403, "no signature at all")

    def test_malformed_400(self):
        response = self.post_webhook(None, raw=b"{not json")
        self.assertEqual(response.status_code, 400)
        response = self.post_webhook({"events": [{"type": "message", "id": "x"}]})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.inbound_count(), 0)

    def test_unknown_token_404(self):
        response = self.post_webhook(self.inbound(), token="nope")
        self.assertEqual(response.status_code, 404)

    def test_get_not_allowed(self):
        response = self.url_open(f"/unified_inbox/webhook/{self.provider.webhook_token}")
        self.assertEqual(response.status_code, 403, "an unsigned GET is refused like any unsigned request")

    def rpc(self, login, model, method, args, kwargs=None):
        self.authenticate(login, login)
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {},
        })

    def test_rpc_access(self):
        other = self.env["inbox.conversation"].create(
            {"partner_id": self.partner.id, "team_id": self.team_b.id, "state": "closed"})
        found = self.rpc("inbox_user_a", "inbox.conversation", "search_read", [[]], {"fields": ["id"]})
        self.assertEqual({r["id"] for r in found}, {self.conversation.id})
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.rpc("inbox_user_a", "inbox.conversation", "read", [[other.id], ["name"]])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.rpc("inbox_user_a", "inbox.conversation", "message_inbox_send", [[other.id], "note", "hi"])
        message_id = self.rpc("inbox_user_a", "inbox.conversation", "message_inbox_send",
                              [[self.conversation.id], "sms", "From RPC"])
        self.assertEqual(self.env["mail.message"].browse(message_id).inbox_status, "queued")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.rpc("inbox_user_a", "inbox.provider", "read", [[self.provider.id], ["webhook_secret"]])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.rpc("plain_employee", "inbox.conversation", "search_read", [[]], {"fields": ["id"]})
