from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged

from .. import channels
from ..providers import provider_types


@tagged("post_install", "-at_install")
class TestChannelRegistry(HttpCase):
    """One registry of channels: the models' selections, the providers and
    the web client all read it."""

    def test_fields_and_providers_read_the_registry(self):
        keys = [channel.key for channel in channels.all_channels()]
        for model, field in (("mail.message", "inbox_channel"), ("inbox.conversation", "last_message_channel")):
            self.assertEqual([key for key, _label in self.env[model]._fields[field].selection], keys, model)
        # the New Message dialog writes: calls are placed with the Call button
        written = [key for key in keys if not channels.get(key).calls]
        self.assertEqual([key for key, _label in self.env["inbox.compose"]._fields["channel"].selection], written)
        self.assertEqual(written, [key for key in keys if key != "call"])
        external = channels.keys()
        for model in ("inbox.sender", "inbox.template", "inbox.consent"):
            self.assertEqual([key for key, _label in self.env[model]._fields["channel"].selection], external)
        for provider_type, adapter in provider_types().items():
            for key in adapter.channels:
                self.assertIn(key, external, f"{provider_type} carries a channel the registry does not know")
        self.assertEqual(channels.keys(identity=channels.PHONE), ["whatsapp", "sms", "call"])

    def session_info(self):
        return self.url_open("/web/session/get_session_info", json={"jsonrpc": "2.0", "params": {}}).json()

    def test_web_client_gets_the_rules_once(self):
        self.authenticate("admin", "admin")
        company = self.env["res.users"].browse(self.session.uid).company_id
        company.inbox_ai_base_url = False  # the demo data connects the sandbox's assistant
        info = self.session_info()
        sent = {channel["key"]: channel for channel in info["result"]["inbox_channels"]}
        self.assertEqual(list(sent), [channel.key for channel in channels.all_channels()])
        self.assertEqual(sent["whatsapp"]["reply_window"], 24 * 3600)
        self.assertEqual(sent["sms"]["max_length"], 1600)
        self.assertTrue(sent["note"]["internal"] and not sent["email"]["send_with_enter"] and sent["email"]["subject"])
        self.assertTrue(sent["call"]["calls"] and not sent["sms"]["calls"])
        self.assertFalse(info["result"]["inbox_suggest"], "no assistant connected: no ✦ in the composer")
        company.inbox_ai_base_url = "/unified_inbox/sandbox/assistant/v1"
        self.assertTrue(self.session_info()["result"]["inbox_suggest"])

    def test_registry_refuses_a_second_entry_or_an_unknown_identity(self):
        with self.assertRaises(ValueError):
            channels.register(channels.get("sms"))
        with self.assertRaises(ValueError):
            channels.register(channels.Channel(key="pigeon", label="Pigeon", icon="fa-twitter", sequence=99,
                                               identity="feather"))
        self.assertNotIn("pigeon", channels.keys())

    def test_a_provider_is_its_adapter_and_its_selection_add(self):
        """Each provider type's settings are fields of inbox.provider that
        administrators alone read, and the provider form shows them under
        that type by itself (no view of the provider's own)."""
        Provider = self.env["inbox.provider"]
        types = [key for key, _label in Provider._fields["provider_type"].selection]
        self.assertEqual(sorted(types), sorted(provider_types()))
        arch = etree.fromstring(Provider.get_views([(False, "form")])["views"]["form"]["arch"])
        page = arch.find(".//page[@name='credentials']")
        for provider_type, adapter in provider_types().items():
            names = [*adapter.required_settings, *adapter.optional_settings]
            group = page.find(f"group[@name='credentials_{provider_type}']")
            if not names:
                self.assertIsNone(group, provider_type)
                self.assertNotIn(repr(provider_type), page.get("invisible"), "no page for nothing to fill in")
                continue
            self.assertIn(repr(provider_type), page.get("invisible"))
            self.assertEqual(group.get("invisible"), f"provider_type != {provider_type!r}")
            self.assertEqual([node.get("name") for node in group.iter("field")], names)
            for name in names:
                self.assertEqual(Provider._fields[name].groups, "base.group_system", name)
                self.assertEqual(group.find(f"field[@name='{name}']").get("password") == "True",
                                 name in adapter.secret_settings, name)
        self.assertIn(("twilio_auth_token", "True"),
                      [(node.get("name"), node.get("password")) for node in page.iter("field")])
        manager = new_test_user(self.env, "provider_reader", groups="unified_inbox.group_inbox_manager")
        arch = Provider.with_user(manager).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("twilio_auth_token", arch)
        self.assertNotIn('name="credentials"', arch)
