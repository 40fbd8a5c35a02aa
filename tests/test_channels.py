from odoo.tests import HttpCase, tagged

from .. import channels
from ..providers import provider_types


@tagged("post_install", "-at_install")
class TestChannelRegistry(HttpCase):
    """One registry of channels: the models' selections, the providers and
    the web client all read it."""

    def test_fields_and_providers_read_the_registry(self):
        keys = [channel.key for channel in channels.all_channels()]
        for model, field in (("mail.message", "inbox_channel"), ("inbox.conversation", "last_message_channel"),
                             ("inbox.compose", "channel")):
            self.assertEqual([key for key, _label in self.env[model]._fields[field].selection], keys, model)
        external = channels.keys()
        for model in ("inbox.sender", "inbox.template", "inbox.consent"):
            self.assertEqual([key for key, _label in self.env[model]._fields["channel"].selection], external)
        for provider_type, adapter in provider_types().items():
            for key in adapter.channels:
                self.assertIn(key, external, f"{provider_type} carries a channel the registry does not know")
        self.assertEqual(channels.keys(identity=channels.PHONE), ["whatsapp", "sms"])

    def test_web_client_gets_the_rules_once(self):
        self.authenticate("admin", "admin")
        info = self.url_open("/web/session/get_session_info", json={"jsonrpc": "2.0", "params": {}}).json()
        sent = {channel["key"]: channel for channel in info["result"]["inbox_channels"]}
        self.assertEqual(list(sent), [channel.key for channel in channels.all_channels()])
        self.assertEqual(sent["whatsapp"]["reply_window"], 24 * 3600)
        self.assertEqual(sent["sms"]["max_length"], 1600)
        self.assertTrue(sent["note"]["internal"] and not sent["email"]["send_with_enter"] and sent["email"]["subject"])

    def test_registry_refuses_a_second_entry_or_an_unknown_identity(self):
        with self.assertRaises(ValueError):
            channels.register(channels.get("sms"))
        with self.assertRaises(ValueError):
            channels.register(channels.Channel(key="pigeon", label="Pigeon", icon="fa-twitter", sequence=99,
                                               identity="feather"))
        self.assertNotIn("pigeon", channels.keys())
