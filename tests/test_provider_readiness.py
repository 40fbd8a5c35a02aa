from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..providers.sandbox import SandboxAdapter
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestProviderReadiness(InboxCommon):

    def test_ready_by_default(self):
        self.assertEqual(self.provider.state, "ready")
        self.assertFalse(self.provider.state_reason)

    def test_webhook_url(self):
        base = self.provider.get_base_url()
        self.assertEqual(self.provider.webhook_url, f"{base}/unified_inbox/webhook/{self.provider.webhook_token}")
        other = self.provider.copy()
        self.assertNotEqual(other.webhook_token, self.provider.webhook_token)

    def test_missing_settings_is_not_configured(self):
        with patch.object(SandboxAdapter, "required_settings", {"name": "Name"}):
            self.provider.invalidate_recordset(["state"])
            self.assertEqual(self.provider.state, "ready", "the name is set")
            self.provider.name = ""
            self.provider.invalidate_recordset(["state"])
            self.assertEqual(self.provider.state, "not_configured")
            self.assertIn("Name", self.provider.state_reason)

    def test_archived_is_not_configured(self):
        self.provider.active = False
        self.assertEqual(self.provider.state, "not_configured")

    def test_failures_degrade_then_down(self):
        self.provider._inbox_record_failure("timeout")
        self.assertEqual(self.provider.state, "degraded")
        self.assertIn("timeout", self.provider.state_reason)
        self.provider._inbox_record_failure("timeout")
        self.provider._inbox_record_failure("HTTP 503")
        self.assertEqual(self.provider.state, "down")
        self.assertIn("HTTP 503", self.provider.state_reason)
        self.provider._inbox_record_success()
        self.assertEqual(self.provider.state, "ready")

    def test_signature_failures_degrade_for_a_day(self):
        self.provider._inbox_record_signature_failure()
        self.assertEqual(self.provider.signature_failure_count, 1)
        self.assertEqual(self.provider.state, "degraded")
        self.provider.sudo().last_signature_failure_date = fields.Datetime.now() - timedelta(days=2)
        self.assertEqual(self.provider.state, "ready")

    def test_test_connection(self):
        self.provider._inbox_record_failure("boom")
        action = self.provider.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.provider.state, "ready")
        self.assertTrue(self.provider.last_success_date)
        self.assertFalse(self.provider.last_error, "the old error is cleared by a success")

    def test_test_connection_without_credentials_says_what_is_missing(self):
        twilio = self.env["inbox.provider"].create({"name": "Twilio", "provider_type": "twilio"})
        action = twilio.action_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(action["params"]["message"], "Fill in first: Account SID, Auth Token.")
        self.assertFalse(twilio.consecutive_failures, "nothing was called, nothing failed")
        self.assertEqual(twilio.state, "not_configured")

    def test_credentials_are_for_administrators(self):
        for user in (self.manager, self.user_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.provider.with_user(user).read(["webhook_secret"])
        self.assertTrue(self.provider.with_user(self.admin).read(["webhook_secret"])[0]["webhook_secret"])
        # what users need to see of a provider stays readable
        self.assertEqual(self.provider.with_user(self.user_a).state, "ready")
