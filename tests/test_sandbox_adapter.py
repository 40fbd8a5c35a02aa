import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

from odoo.tests import BaseCase, TransactionCase, tagged

from ..providers import ProviderError, StatusUpdate, WebhookError, get_adapter_class
from ..providers.base import OutboundMessage, WebhookRequest
from ..providers.sandbox import SIGNATURE_HEADER, SandboxAdapter


@tagged("post_install", "-at_install")
class TestSandboxAdapter(BaseCase):
    """The sandbox protocol, without a database."""

    def setUp(self):
        super().setUp()
        self.adapter = SandboxAdapter({"webhook_secret": "s3cret"})

    def _request(self, body, signature=None):
        if signature is None:
            signature = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        return WebhookRequest("POST", "http://127.0.0.1/hook", {SIGNATURE_HEADER: signature}, body)

    def test_registry(self):
        self.assertIs(get_adapter_class("sandbox"), SandboxAdapter)
        self.assertEqual(self.adapter.missing_settings(), [])

    def test_signature(self):
        body = json.dumps({"events": []}).encode()
        self.assertTrue(self.adapter.verify_webhook(self._request(body)))
        self.assertFalse(self.adapter.verify_webhook(self._request(body, signature="sha256=00")))
        self.assertFalse(self.adapter.verify_webhook(self._request(body, signature="")))
        signature_of_body = self._request(body).header(SIGNATURE_HEADER)
        self.assertFalse(self.adapter.verify_webhook(self._request(body + b" ", signature=signature_of_body)),
                         "the signature covers every byte of the body")
        self.assertFalse(SandboxAdapter({"webhook_secret": ""}).verify_webhook(self._request(body)),
                         "without a secret nothing verifies")

    def test_signed_request_round_trip(self):
        request = SandboxAdapter.signed_request("http://127.0.0.1/hook", "s3cret", [
            {"type": "message", "id": "m1", "channel": "sms", "from": "+32470123456", "to": "+32470000001",
             "body": "Hello"},
            {"type": "status", "id": "m0", "status": "read"},
        ])
        self.assertTrue(self.adapter.verify_webhook(request))
        message, status = self.adapter.parse_webhook(request)
        self.assertEqual((message.kind, message.provider_message_id, message.body), ("message", "m1", "Hello"))
        self.assertEqual((status.kind, status.status), ("status", "read"))

    def test_malformed_payloads(self):
        for body in (b"not json", b"{}", b'{"events": {}}', b'{"events": [{"type": "bogus"}]}',
                     b'{"events": [{"type": "status", "id": "x", "status": "exploded"}]}',
                     b'{"events": [{"type": "message", "id": "x", "channel": "fax", "from": "a", "to": "b"}]}'):
            with self.subTest(body=body), self.assertRaises(WebhookError) as caught:
                self.adapter.parse_webhook(self._request(body))
            self.assertEqual(caught.exception.status, 400)

    def test_send(self):
        message = OutboundMessage("sms", "+32470000001", "+32470123456", "Hello")
        result = self.adapter.send(message)
        self.assertTrue(result.provider_message_id.startswith("SB"))
        self.assertEqual(result.status, "sent")
        [(delay, receipt)] = result.followups
        self.assertGreaterEqual(delay, 0)
        self.assertEqual(receipt, StatusUpdate(result.provider_message_id, "delivered"))

    def test_send_errors(self):
        with self.assertRaises(ProviderError) as caught:
            self.adapter.send(OutboundMessage("sms", "a", "b", "please [fail]"))
        self.assertFalse(caught.exception.retryable)
        with self.assertRaises(ProviderError) as caught:
            self.adapter.send(OutboundMessage("sms", "a", "b", "please [busy]"))
        self.assertTrue(caught.exception.retryable)


@tagged("post_install", "-at_install")
class TestAdapterRegistry(TransactionCase):

    def test_the_package_registers_every_provider_type(self):
        """Importing the providers package alone registers every adapter
        (the tests import some modules themselves, which would hide one the
        package forgot)."""
        package = Path(__file__).resolve().parent.parent / "providers"
        code = (
            "import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('p', {str(package / '__init__.py')!r}, "
            f"submodule_search_locations=[{str(package)!r}])\n"
            "module = importlib.util.module_from_spec(spec); sys.modules['p'] = module\n"
            "spec.loader.exec_module(module)\n"
            "print(','.join(sorted(module.provider_types())))\n"
        )
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        expected = sorted(dict(self.env["inbox.provider"]._fields["provider_type"].selection))
        self.assertEqual(output.strip().split(","), expected)
