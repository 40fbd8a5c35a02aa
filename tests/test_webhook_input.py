"""Bad webhook input gets a 4xx, never a 500, and nothing of it is half-kept.

The adapters' parsers are checked on examples of each defect found so far,
then fuzzed with Hypothesis: whatever a request carries, ``parse_webhook``
either answers events that PostgreSQL can keep as they are (``jsonb``: no NUL,
no unpaired surrogate) or raises :class:`WebhookError` with a 4xx status,
never another exception.

The fuzzing is reproducible (``derandomize=True``) and short enough for the
normal suite. ``INBOX_FUZZ_EXAMPLES=5000`` (examples per adapter, 200 by
default) runs it longer, e.g.::

    INBOX_FUZZ_EXAMPLES=5000 dev/run_tests.py --test-tags=/unified_inbox:TestWebhookFuzz
"""
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from odoo.tests import BaseCase, HttpCase, tagged

from ..providers import ProviderError, WebhookError, event_from_dict, event_to_dict
from ..providers.base import MAX_EVENTS, MAX_MEDIA, WebhookRequest
from ..providers.email import EmailAdapter, mailgun_signature
from ..providers.meta_whatsapp import MAX_CHANGES, MAX_ENTRIES, MAX_UPDATES, MetaWhatsAppAdapter
from ..providers.sandbox import SIGNATURE_HEADER, SandboxAdapter, sign
from ..providers.twilio import TwilioAdapter
from .common import InboxCommon
from .fake_providers import FakeProviderServer

FUZZ_EXAMPLES = int(os.environ.get("INBOX_FUZZ_EXAMPLES") or 200)
# Hypothesis keeps caches (Unicode tables, constants) in .hypothesis/ under
# the current folder, which is the addon's when the tests run: elsewhere
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "unified_inbox_hypothesis")
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    database=None,  # no .hypothesis folder written into the addon
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

URL = "https://odoo.example.com/unified_inbox/webhook/token"
DEEP = b"[" * 100_000 + b"]" * 100_000


def deep_list(depth):
    value = []
    for _level in range(depth):
        value = [value]
    return value


def walk_strings(value):
    """Every string of a JSON-like value, its mapping keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack += list(item)
            stack += item.values()
        elif isinstance(item, list):
            stack += item


# ----------------------------------------------------------------------
# Valid payloads, to mutate
# ----------------------------------------------------------------------

SANDBOX_PAYLOAD = {"events": [
    {"type": "message", "id": "m1", "channel": "sms", "from": "+32470123456", "to": "+32470000001",
     "body": "Hello", "name": "Alice", "subject": ""},
    {"type": "status", "id": "m0", "status": "read", "error": ""},
]}


def meta_payload(messages=None, statuses=None, entries=1, changes=1):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "32470000013", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Alice"}, "wa_id": "32470617283"}],
        "messages": [{"from": "32470617283", "id": "wamid.in1", "timestamp": "1700000000", "type": "text",
                      "text": {"body": "Hello"}}] if messages is None else messages,
        "statuses": [{"id": "wamid.out", "status": "failed", "timestamp": "1700000001",
                      "errors": [{"code": 131047, "title": "Re-engagement message"}]}]
        if statuses is None else statuses,
    }
    return {"object": "whatsapp_business_account", "entry": [
        {"id": "WABA1", "changes": [{"field": "messages", "value": value}] * changes}] * entries}


META_PAYLOAD = {"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [
    {"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "32470000013", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Alice"}, "wa_id": "32470617283"}],
        "messages": [
            {"from": "32470617283", "id": "wamid.1", "timestamp": "1700000000", "type": "text",
             "text": {"body": "Hello"}},
            {"from": "32470617283", "id": "wamid.2", "type": "image",
             "image": {"id": "1037543291543636", "mime_type": "image/jpeg", "caption": "x-ray"}},
            {"from": "32470617283", "id": "wamid.3", "type": "location",
             "location": {"latitude": 50.85, "longitude": 4.35, "name": "Clinic", "address": "Main St 1"}},
            {"from": "32470617283", "id": "wamid.4", "type": "contacts", "contacts": [
                {"name": {"formatted_name": "Bob"}, "phones": [{"phone": "+32470998877"}]}]},
            {"from": "32470617283", "id": "wamid.5", "type": "interactive",
             "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}},
            {"from": "32470617283", "id": "wamid.6", "type": "reaction",
             "reaction": {"message_id": "wamid.out", "emoji": "👍"}},
        ],
        "statuses": [{"id": "wamid.out", "status": "failed", "timestamp": "1700000001",
                      "errors": [{"code": 131047, "title": "Re-engagement message"}]}],
    }},
    {"field": "message_template_status_update", "value": {
        "event": "REJECTED", "message_template_id": 594425479261596, "message_template_name": "offer",
        "message_template_language": "en_US", "reason": "INCORRECT_CATEGORY"}},
    {"field": "leadgen", "value": {"leadgen_id": "444444444", "form_id": 555, "page_id": "1", "ad_id": "2",
                                   "created_time": 1700000000}},
]}]}

TWILIO_INBOUND = {"MessageSid": "SM1", "AccountSid": "AC_test", "From": "whatsapp:+32470617283",
                  "To": "whatsapp:+32470000011", "Body": "Hello", "NumMedia": "2", "ProfileName": "Alice",
                  "MediaUrl0": "https://api.twilio.com/m0", "MediaContentType0": "image/jpeg",
                  "MediaUrl1": "https://api.twilio.com/m1", "MediaContentType1": "application/pdf",
                  "SmsStatus": "received", "MessagingServiceSid": "MG1"}
TWILIO_STATUS = {"MessageSid": "SM9", "MessageStatus": "undelivered", "ErrorCode": "30003"}

MIME = ("From: Alice <alice@customer.example.com>\r\nTo: clinic@example.com\r\nSubject: Hi\r\n"
        "Message-ID: <m1@customer.example.com>\r\n\r\nThanks!\r\n")


# ----------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------

# what broke the parsers, or could: NUL, unpaired surrogates, numbers out of
# range, paths, very long text
NASTY_STRINGS = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\udc00\ud800", "1" * 400, "NaN", "nan",
                 "inf", "-1", "1e400", "0", "10", "1000000000", "../../../x", "1234/../../me", "x?y=1",
                 "whatsapp:", "+", "received", "read", "a" * 70_000, "From: a@b", "From: a@b\r\n\r\n"]
text = st.one_of(
    st.text(st.characters(categories=["L", "N", "P", "S", "Zs", "Cc", "Cs"]), max_size=20),
    st.sampled_from(NASTY_STRINGS),
)
numbers = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
json_values = st.one_of(
    st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                 | st.dictionaries(text, children, max_size=4), max_leaves=12),
    # deep, but not so deep that json.dumps in this test gives up
    st.integers(min_value=30, max_value=400).map(deep_list),
)


def paths(value, prefix=()):
    """Every path (tuple of keys and indexes) of a JSON-like value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def replaced(value, path, new):
    """``value`` with what is at ``path`` replaced by ``new`` (a copy)."""
    if not path:
        return new
    if isinstance(value, dict) and path[0] in value:
        return dict(value, **{path[0]: replaced(value[path[0]], path[1:], new)})
    if isinstance(value, list) and isinstance(path[0], int) and path[0] < len(value):
        return [replaced(item, path[1:], new) if index == path[0] else item for index, item in enumerate(value)]
    return value  # an earlier mutation removed the path


@st.composite
def mutated(draw, valid, values=json_values):
    """A valid payload with one to three of its parts replaced."""
    candidates = list(paths(valid))[1:]  # not the whole payload: json_values stand for that
    payload = valid
    for path in draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3)):
        payload = replaced(payload, path, draw(values))
    return payload


def json_bodies(valid):
    """Bodies of a JSON webhook: mutated valid payloads, any JSON, any bytes,
    and a nesting 100,000 deep."""
    return st.one_of(
        mutated(valid).map(lambda payload: json.dumps(payload).encode()),
        json_values.map(lambda payload: json.dumps(payload).encode()),
        st.binary(max_size=200),
        st.just(DEEP),
        st.just(b'{"events": ' + DEEP + b"}"),
    )


def twilio_forms():
    form_values = st.one_of(text, numbers.map(str))
    names = st.one_of(st.sampled_from(sorted({*TWILIO_INBOUND, *TWILIO_STATUS, "NumMedia", "SmsSid", "SmsStatus",
                                               *(f"MediaUrl{index}" for index in range(12))})), text)
    return st.one_of(
        mutated(TWILIO_INBOUND, form_values),
        mutated(TWILIO_STATUS, form_values),
        st.dictionaries(names, form_values, max_size=8),
        # as many files as a request can name
        st.integers(min_value=0, max_value=10**9).map(lambda count: dict(
            TWILIO_INBOUND, NumMedia=str(count), **{f"MediaUrl{index}": f"https://api.twilio.com/m{index}"
                                                    for index in range(min(count, 1000))})),
    )


def mime_texts():
    return st.one_of(
        st.just(MIME),
        st.lists(text, max_size=4).map("\r\n".join),
        st.tuples(st.lists(text, max_size=4), text).map(lambda parts: "\r\n".join(parts[0]) + "\r\n\r\n" + parts[1]),
        text.map(lambda value: MIME.replace("Thanks!", value)),
        text.map(lambda value: MIME.replace("Subject: Hi", f"Subject: {value}")),
        text.map(lambda value: f"From: {value}\r\n\r\nbody"),
    )


# ----------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------

class WebhookInputMixin:

    def assert_keepable(self, events):
        """Each event is kept as a jsonb payload and read back by the event cron."""
        self.assertLessEqual(len(events), MAX_EVENTS)
        for event in events:
            values = event_to_dict(event)
            for string in walk_strings(values):
                self.assertNotIn("\x00", string)
            json.dumps(values, ensure_ascii=False).encode("utf-8")  # no unpaired surrogate
            self.assertEqual(event_from_dict(json.loads(json.dumps(values))), event)
            key = getattr(event, "dedupe_key", None)
            self.assertTrue(key is None or (isinstance(key, str) and 0 < len(key) <= 255), key)
            self.assertLessEqual(len(getattr(event, "media", ())), MAX_MEDIA)

    def parse_or_refuse(self, adapter, request):
        """The events of ``request``, keepable; or None when it is refused with a 4xx."""
        try:
            events = adapter.parse_webhook(request)
        except WebhookError as error:
            self.assertTrue(400 <= error.status < 500, error.status)
            str(error).encode("utf-8")  # the answer's text
            return None
        self.assertIsInstance(events, list)
        self.assert_keepable(events)
        return events

    def assert_refused(self, adapter, request, message=None):
        with self.assertRaises(WebhookError, msg=message) as caught:
            adapter.parse_webhook(request)
        self.assertEqual(caught.exception.status, 400)
        str(caught.exception).encode("utf-8")
        return caught.exception


def json_request(body):
    return WebhookRequest("POST", URL, {"Content-Type": "application/json"}, body)


def form_request(form):
    return WebhookRequest("POST", URL, {}, form={name: [value] for name, value in form.items()})


def meta_adapter(base_url=None):
    return MetaWhatsAppAdapter({"meta_access_token": "meta-token", "meta_app_secret": "app-secret",
                                "meta_verify_token": "verify-me"}, base_url=base_url)


@tagged("post_install", "-at_install")
class TestWebhookInput(WebhookInputMixin, BaseCase):
    """What the outside tester found, one example each, without a database."""

    def setUp(self):
        super().setUp()
        self.sandbox = SandboxAdapter({"webhook_secret": "s3cret"})
        self.meta = meta_adapter()
        self.twilio = TwilioAdapter({"twilio_account_sid": "AC_test", "twilio_auth_token": "12345"})
        self.email = EmailAdapter({"mailgun_signing_key": "mg-key", "webhook_secret": "s3cret"})

    def sandbox_message(self, **values):
        item = dict(SANDBOX_PAYLOAD["events"][0], **values)
        return json_request(json.dumps({"events": [item]}).encode())

    def test_nul_is_removed_everywhere(self):
        [message] = self.sandbox.parse_webhook(self.sandbox_message(body="Hel\x00lo", name="Al\x00ice"))
        self.assertEqual((message.body, message.profile_name), ("Hello", "Alice"))
        [message] = self.twilio.parse_webhook(form_request(dict(TWILIO_INBOUND, Body="a\x00b")))
        self.assertEqual(message.body, "ab")
        [message] = self.meta.parse_webhook(json_request(json.dumps(meta_payload(
            messages=[{"from": "32470617283", "id": "wamid.\x00", "type": "text", "text": {"body": "\x00hi"}}],
            statuses=[])).encode()))
        self.assertEqual((message.provider_message_id, message.body), ("wamid.", "hi"))
        mime = MIME.replace("Thanks", "Tha\x00nks")
        [email] = self.email.parse_webhook(WebhookRequest("POST", URL, {}, mime.encode()))
        self.assertNotIn("\x00", email.mime)
        self.assert_keepable([email])

    def test_unpaired_surrogates_are_refused(self):
        for value in ("\ud800", "a\udfffb", "\udc00\ud800"):
            with self.subTest(value=value):
                self.assert_refused(self.sandbox, self.sandbox_message(body=value))
                self.assert_refused(self.sandbox, self.sandbox_message(id=value))
                self.assert_refused(self.meta, json_request(json.dumps(meta_payload(statuses=[
                    {"id": "wamid.out", "status": "failed", "errors": [{"title": value}]}])).encode()))
                self.assert_refused(self.twilio, form_request(dict(TWILIO_INBOUND, ProfileName=value)))
        # a pair is a character like any other
        [message] = self.sandbox.parse_webhook(json_request(
            b'{"events": [{"type": "message", "id": "m1", "channel": "sms", "from": "+1", "to": "+2", '
            b'"body": "\\ud83d\\ude00"}]}'))
        self.assertEqual(message.body, "😀")

    def test_errors_answer_printable_text(self):
        error = self.assert_refused(self.twilio, form_request(dict(TWILIO_STATUS, MessageStatus="\ud800" * 10_000)))
        self.assertLessEqual(len(str(error)), 600, "an error message does not echo megabytes")

    def test_timestamps_out_of_range_are_refused(self):
        for timestamp in ("1" * 400, "nan", "NaN", "inf", "1e400", "-5", 10**400, "1" * 5000):
            with self.subTest(timestamp=str(timestamp)[:20]):
                message = {"from": "32470617283", "id": "wamid.t", "timestamp": timestamp, "type": "text",
                           "text": {"body": "x"}}
                self.assert_refused(self.meta, json_request(json.dumps(meta_payload([message], [])).encode()))
        for body in (b'{"entry": [{"changes": [{"field": "leadgen", "value": {"leadgen_id": "1", '
                     b'"created_time": 1e400}}]}]}', b'{"entry": NaN}', b'{"entry": -Infinity}'):
            self.assert_refused(self.meta, json_request(body))
        [lead] = self.meta.parse_webhook(json_request(
            b'{"entry": [{"changes": [{"field": "leadgen", '
            b'"value": {"leadgen_id": "1", "created_time": 1700000000}}]}]}'))
        self.assertEqual(lead.created_time, 1700000000.0)

    def test_deep_nesting_is_refused(self):
        for adapter in (self.sandbox, self.meta):
            with self.subTest(adapter=adapter.provider_type):
                self.assert_refused(adapter, json_request(DEEP))
                self.assert_refused(adapter, json_request(b'{"events": ' + DEEP + b', "entry": []}'))
                # deeper than any provider's payload, though Python would decode it
                payload = {"events": [], "entry": [], "x": deep_list(100)}
                self.assert_refused(adapter, json_request(json.dumps(payload).encode()))

    def test_ids_are_text_never_lists_or_mappings(self):
        for bad in (["wamid.1"], {"id": "x"}, 1.5, True, None):
            with self.subTest(bad=bad):
                message = {"from": "32470617283", "id": bad, "type": "text", "text": {"body": "x"}}
                self.assert_refused(self.meta, json_request(json.dumps(meta_payload([message], [])).encode()))
                self.assert_refused(self.meta, json_request(json.dumps(meta_payload([], [
                    {"id": bad, "status": "read"}])).encode()))
                reaction = {"from": "32470617283", "id": "w", "type": "reaction",
                            "reaction": {"message_id": bad, "emoji": "👍"}}
                self.assert_refused(self.meta, json_request(json.dumps(meta_payload([reaction], [])).encode()))
                self.assert_refused(self.sandbox, self.sandbox_message(id=bad))
                self.assert_refused(self.sandbox, self.sandbox_message(body=[bad]))
        # Meta sends some ids as numbers: they are made text
        [message] = self.sandbox.parse_webhook(self.sandbox_message(id=12345))
        self.assertEqual(message.provider_message_id, "12345")

    def test_text_is_bounded(self):
        self.assert_refused(self.sandbox, self.sandbox_message(id="x" * 256))
        self.assert_refused(self.sandbox, self.sandbox_message(body="x" * 70_000))
        [message] = self.sandbox.parse_webhook(self.sandbox_message(body="x" * 4096))
        self.assertEqual(len(message.body), 4096)

    def test_twilio_media_count_is_bounded(self):
        started = time.monotonic()
        self.assert_refused(self.twilio, form_request(dict(TWILIO_INBOUND, NumMedia=str(10**9))))
        self.assertLess(time.monotonic() - started, 1, "refused at once, not after a loop")
        many = dict(TWILIO_INBOUND, NumMedia="1000",
                    **{f"MediaUrl{index}": f"https://api.twilio.com/m{index}" for index in range(1000)})
        self.assert_refused(self.twilio, form_request(many))
        self.assert_refused(self.twilio, form_request(dict(TWILIO_INBOUND, NumMedia="-1")))
        ten = dict(TWILIO_INBOUND, NumMedia="10",
                   **{f"MediaUrl{index}": f"https://api.twilio.com/m{index}" for index in range(11)})
        [message] = self.twilio.parse_webhook(form_request(ten))
        self.assertEqual(len(message.media), 10)

    def test_meta_lists_are_bounded(self):
        status = {"id": "wamid.out", "status": "read"}
        cases = {
            "entries": meta_payload([], [status], entries=MAX_ENTRIES + 1),
            "changes": meta_payload([], [status], changes=MAX_CHANGES + 1),
            "statuses": meta_payload([], [status] * (MAX_UPDATES + 1)),
            "messages": meta_payload([{"from": "1", "id": "w", "type": "text", "text": {"body": "x"}}]
                                     * (MAX_UPDATES + 1), []),
            "events of one request": meta_payload([], [status] * 600, entries=2),
        }
        for name, payload in cases.items():
            with self.subTest(name):
                self.assert_refused(self.meta, json_request(json.dumps(payload).encode()))
        contacts = {"from": "1", "id": "w", "type": "contacts", "contacts": [{"phones": [{"phone": "1"}] * 1000}]}
        self.assert_refused(self.meta, json_request(json.dumps(meta_payload([contacts], [])).encode()))
        self.assertEqual(len(self.meta.parse_webhook(json_request(json.dumps(
            meta_payload([], [status] * MAX_UPDATES)).encode()))), MAX_UPDATES)

    def test_sandbox_event_count_is_bounded(self):
        status = {"type": "status", "id": "m0", "status": "read"}
        self.assert_refused(self.sandbox, json_request(json.dumps({"events": [status] * (MAX_EVENTS + 1)}).encode()))

    def test_email_must_be_a_message(self):
        for body in ("From: alice@customer.example.com", "From: alice@customer.example.com\r\nTo: x@y",
                     "To: clinic@example.com\r\n\r\nno sender", "hello world\r\n\r\nbody",
                     " From: folded@first.line\r\n\r\nx", "From: \r\n\r\nempty sender", "\r\n\r\nno headers"):
            with self.subTest(body=body):
                self.assert_refused(self.email, WebhookRequest("POST", URL, {}, body.encode()))
        for body in (MIME, "from:\r\n Alice <a@b.example.com>\n\nfolded, lower case, bare newlines"):
            [email] = self.email.parse_webhook(WebhookRequest("POST", URL, {}, body.encode()))
            self.assertEqual(email.mime, body)

    def mailgun_form(self, token="a" * 50, mime=MIME, timestamp=None):
        timestamp = str(int(timestamp or time.time()))
        return {"timestamp": timestamp, "token": token, "signature": mailgun_signature("mg-key", timestamp, token),
                "recipient": "clinic@example.com", "body-mime": mime}

    def test_email_dedupe_keys(self):
        form = self.mailgun_form()
        [first] = self.email.parse_webhook(form_request(form))
        [replayed] = self.email.parse_webhook(form_request(dict(form, **{"body-mime": MIME.replace("Thanks", "Pay")})))
        self.assertEqual(first.dedupe_key, f"mailgun-token:{'a' * 50}")
        self.assertEqual(replayed.dedupe_key, first.dedupe_key, "the token, not the body, makes the key")
        raw = WebhookRequest("POST", URL, {}, MIME.encode())
        [email] = self.email.parse_webhook(raw)
        self.assertEqual(email.dedupe_key, f"email-sha256:{hashlib.sha256(MIME.encode()).hexdigest()}")
        self.assertEqual(self.email.parse_webhook(raw), [email])
        self.assertNotEqual(self.email.parse_webhook(WebhookRequest("POST", URL, {}, (MIME + "x").encode())), [email])

    def test_mailgun_token_is_bounded(self):
        for token in ("", "t" * 201, "tok\x00en", "tok en\n", "jeton-é"):
            with self.subTest(token=token[:20]):
                form = self.mailgun_form(token=token)
                self.assertEqual(self.email.verify_webhook(form_request(form)), True, "signed as Mailgun would")
                self.assert_refused(self.email, form_request(form))

    def test_meta_media_id_is_a_number(self):
        for media_id in ("../../../x", "1234/../../me", "1234?fields=x", "", "12 34", ["1234"], 12.5):
            with self.subTest(media_id=media_id):
                image = {"from": "32470617283", "id": "wamid.i", "type": "image", "image": {"id": media_id}}
                self.assert_refused(self.meta, json_request(json.dumps(meta_payload([image], [])).encode()))
        image = {"from": "32470617283", "id": "wamid.i", "type": "image", "image": {"id": 1037543291543636}}
        [message] = self.meta.parse_webhook(json_request(json.dumps(meta_payload([image], [])).encode()))
        self.assertEqual(message.media[0]["ref"], "1037543291543636")
        leadgen = {"entry": [{"changes": [{"field": "leadgen", "value": {"leadgen_id": "../me"}}]}]}
        self.assert_refused(self.meta, json_request(json.dumps(leadgen).encode()))
        with self.assertRaises(ProviderError):
            self.meta.fetch_lead("../me")

    def test_meta_media_urls_only_from_meta(self):
        allowed = ("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1037543291543636&ext=1",
                   "https://scontent.xx.fbcdn.net/v/t61/file.jpg", "https://mmg.whatsapp.net/d/f/file.enc",
                   "https://graph.facebook.com/v21.0/1", "https://LOOKASIDE.fbsbx.com:443/x")
        refused = ("http://lookaside.fbsbx.com/x", "https://lookaside.fbsbx.com.evil.example.com/x",
                   "https://evilfbcdn.net/x", "https://fbcdn.net.evil.example.com/x", "https://evil.example.com/x",
                   "https://lookaside.fbsbx.com:8443/x", "https://user:pw@lookaside.fbsbx.com/x",
                   "http://169.254.169.254/latest/meta-data", "https://127.0.0.1/x", "http://127.0.0.1:8069/x",
                   "ftp://lookaside.fbsbx.com/x", "https://lookaside.fbsbx.com:abc/x", "/relative", "")
        for url in allowed:
            self.assertTrue(self.meta.media_url_allowed(url), url)
        for url in refused:
            self.assertFalse(self.meta.media_url_allowed(url), url)
        local = meta_adapter("http://127.0.0.1:8099")
        self.assertTrue(local.media_url_allowed("http://127.0.0.1:8099/media-download/1"),
                        "a fake Graph on loopback serves its own files")
        self.assertFalse(local.media_url_allowed("http://127.0.0.1:8100/x"), "another port is another server")
        self.assertFalse(local.media_url_allowed("http://localhost:8099/x"))
        self.assertFalse(meta_adapter("http://10.0.0.1:8099").media_url_allowed("http://10.0.0.1:8099/x"),
                         "only a loopback base URL serves files itself")

    def test_meta_download_media(self):
        fake = FakeProviderServer(meta_token="meta-token").start()
        self.addCleanup(fake.stop)
        adapter = meta_adapter(fake.url)
        fake.add_file("/media-download/1234", b"%PDF-1.4 fake", "application/pdf")
        self.assertEqual(adapter.download_media("1234"), (b"%PDF-1.4 fake", "application/pdf"))
        fake.reset()
        for ref in ("../../../x", "1234/../../me", "1234?x=1", "MEDIA1", ""):
            with self.subTest(ref=ref), self.assertRaises(ProviderError) as caught:
                adapter.download_media(ref)
            self.assertFalse(caught.exception.retryable)
        self.assertFalse(fake.requests, "an id that is no number is not even looked up")
        for url in ("http://127.0.0.1:1/x", "https://evil.example.com/x", "http://lookaside.fbsbx.com/x", 42):
            fake.reset()
            fake.answer_next(200, {"url": url, "mime_type": "image/jpeg"})
            with self.subTest(url=url), self.assertRaises(ProviderError) as caught:
                adapter.download_media("1234")
            self.assertFalse(caught.exception.retryable)
            self.assertEqual(len(fake.requests), 1, "the lookup only: the file is not fetched")


@tagged("post_install", "-at_install")
class TestWebhookFuzz(WebhookInputMixin, BaseCase):
    """Whatever a request carries: keepable events, or a 4xx."""

    @FUZZ_SETTINGS
    @given(json_bodies(SANDBOX_PAYLOAD))
    def test_sandbox(self, body):
        self.parse_or_refuse(SandboxAdapter({"webhook_secret": "s"}), json_request(body))

    @FUZZ_SETTINGS
    @given(json_bodies(META_PAYLOAD))
    def test_meta_whatsapp(self, body):
        self.parse_or_refuse(meta_adapter(), json_request(body))

    @FUZZ_SETTINGS
    @given(twilio_forms())
    def test_twilio(self, form):
        adapter = TwilioAdapter({"twilio_account_sid": "AC_test", "twilio_auth_token": "12345"})
        self.parse_or_refuse(adapter, form_request(form))

    @FUZZ_SETTINGS
    @given(st.one_of(
        mime_texts().map(lambda mime: WebhookRequest("POST", URL, {}, mime.encode("utf-8", "surrogatepass"))),
        st.binary(max_size=200).map(lambda body: WebhookRequest("POST", URL, {}, body)),
        st.tuples(text, mime_texts(), text).map(lambda parts: form_request({
            "timestamp": parts[0], "token": parts[2], "signature": "s", "body-mime": parts[1]})),
    ))
    def test_email(self, request):
        self.parse_or_refuse(EmailAdapter({"mailgun_signing_key": "k", "webhook_secret": "s"}), request)


@tagged("post_install", "-at_install")
class TestWebhookInputOverHttp(InboxCommon, HttpCase):
    """The same requests over HTTP: a 4xx and nothing kept, or kept once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.email_provider = cls.env["inbox.provider"].create({
            "name": "Mail", "provider_type": "email", "mailgun_signing_key": "mg-key"})
        cls.sender_email.action_archive()
        cls.mailbox = cls.env["inbox.sender"].create({
            "name": "Clinic mailbox", "provider_id": cls.email_provider.id, "channel": "email",
            "address": "clinic@example.com"})

    def post(self, provider, data, headers=None):
        response = self.url_open(f"/unified_inbox/webhook/{provider.webhook_token}", data=data, headers=headers)
        self.run_due_events()  # what the event cron does right after
        return response

    def post_sandbox(self, body):
        return self.post(self.provider, body, {"Content-Type": "application/json",
                                               SIGNATURE_HEADER: sign(self.provider.sudo().webhook_secret, body)})

    def sandbox_body(self, message_id, body):
        # json.dumps escapes what it is given: "\u0000", a lone "\ud800"
        return json.dumps({"events": [{"type": "message", "id": message_id, "channel": "sms",
                                       "from": self.partner.phone, "to": self.sender_sms.address,
                                       "body": body}]}).encode()

    def events(self, provider):
        return self.env["inbox.event"].search([("provider_id", "=", provider.id)])

    def inbound(self, message_id):
        return self.env["mail.message"].search([("inbox_provider_message_id", "=", message_id)])

    def test_nul_is_kept_without_it(self):
        response = self.post_sandbox(self.sandbox_body("nul-1", "Hello\x00 there"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Hello there", self.inbound("nul-1").body)

    def test_refused_input_keeps_nothing(self):
        for message_id, body in (("sur-1", self.sandbox_body("sur-1", "bad \ud800")), ("deep", DEEP),
                                 ("nan", b'{"events": NaN}')):
            with self.subTest(message_id):
                self.assertEqual(self.post_sandbox(body).status_code, 400)
                self.assertFalse(self.inbound(message_id))
        self.assertFalse(self.events(self.provider))

    def post_mailgun(self, form):
        return self.post(self.email_provider, form)

    def test_a_mailgun_token_is_used_once(self):
        timestamp, token = str(int(time.time())), "b" * 50
        signed = {"timestamp": timestamp, "token": token, "signature": mailgun_signature("mg-key", timestamp, token),
                  "recipient": "clinic@example.com"}
        first = MIME.replace("<m1@", "<mg-first@")
        self.assertEqual(self.post_mailgun(dict(signed, **{"body-mime": first})).status_code, 200)
        forged = MIME.replace("<m1@", "<mg-forged@").replace("Thanks!", "Please pay to this account")
        self.assertEqual(self.post_mailgun(dict(signed, **{"body-mime": forged})).status_code, 200,
                         "a replay answers like a duplicate")
        self.assertTrue(self.env["mail.message"].search([("message_id", "=", "<mg-first@customer.example.com>")]))
        self.assertFalse(self.env["mail.message"].search([("message_id", "=", "<mg-forged@customer.example.com>")]),
                         "the captured signature carried another body: dropped")
        self.assertEqual(self.events(self.email_provider).mapped("dedupe_key"), [f"mailgun-token:{token}"])

    def post_raw(self, mime):
        body = mime.encode()
        return self.post(self.email_provider, body, {
            "Content-Type": "message/rfc822", SIGNATURE_HEADER: sign(self.email_provider.sudo().webhook_secret, body)})

    def test_the_same_raw_email_is_kept_once(self):
        for _attempt in range(3):
            self.assertEqual(self.post_raw(MIME).status_code, 200)
        self.assertEqual(len(self.events(self.email_provider)), 1)
        self.assertEqual(len(self.env["mail.message"].search([("message_id", "=", "<m1@customer.example.com>")])), 1)

    def test_one_header_line_is_no_email(self):
        self.assertEqual(self.post_raw("From: alice@customer.example.com\r\n").status_code, 400)
        self.assertFalse(self.events(self.email_provider))
