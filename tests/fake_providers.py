"""Fake Twilio and Meta Graph servers on 127.0.0.1, speaking the subset of
each documented API the adapters call. They record every request and can
be told to answer the next requests with an error, a 429 or a delay."""
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import requests

from .loopback_server import LoopbackServer


class FakeProviderServer(LoopbackServer):
    """Both APIs on one server: Twilio under /2010-04-01, Graph under /v*."""

    def __init__(self, twilio_sid="AC_test", twilio_token="twilio-token", meta_token="meta-token",
                 page_token="page-token"):
        self.twilio_sid = twilio_sid
        self.twilio_token = twilio_token
        self.meta_token = meta_token
        self.page_token = page_token  # a Facebook Page's, for Messenger and Instagram
        self.profiles = {}  # PSID / IGSID -> the profile Graph gives
        self.requests = []
        self.script = []  # [(status, json answer, delay seconds)] for the next requests
        self.files = {}  # path -> (content, content type)
        self.templates = []  # the business account's message templates, as Graph lists them
        self.templates_page_size = 2
        self.leads = {}  # leadgen id -> the lead's answers, as Graph gives them
        self.messages = []  # the messages Twilio took, as its Message resource, newest last
        self.calls = []  # the calls Twilio placed, as its Call resource, newest last
        # seconds Twilio takes to answer a send, after it took the message
        # (a longer wait than the client's is an answer lost on the way)
        self.send_latency = 0
        # where Twilio posts its status callbacks (signed), before it answers
        # the send: the harshest order for the receiver
        self.callback_url = None
        self.callback_statuses = ("sent", "delivered")
        self.callback_answers = []
        self.lock = threading.Lock()
        super().__init__()

    def answer_next(self, status, answer=None, times=1, delay=0):
        """Answer the next ``times`` requests with ``status`` and ``answer``."""
        with self.lock:
            self.script += [(status, answer or {}, delay)] * times

    def add_file(self, path, content, content_type):
        self.files[path] = (content, content_type)
        return self.url + path

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.script.clear()
            self.templates.clear()
            self.leads.clear()
            self.profiles.clear()
            self.messages.clear()
            self.calls.clear()
            self.callback_answers.clear()
        self.send_latency = 0
        self.callback_url = None

    def post_callback(self, sid, status):
        """Post Twilio's status callback for message ``sid``, signed as Twilio
        documents it (the URL, then each parameter's name and value in name
        order; HMAC-SHA1 with the auth token; base64), by the fake's own code."""
        form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": self.twilio_sid}
        signed = self.callback_url + "".join(name + form[name] for name in sorted(form))
        signature = base64.b64encode(hmac.new(self.twilio_token.encode(), signed.encode(), hashlib.sha1).digest())
        answer = requests.post(self.callback_url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
        with self.lock:
            self.callback_answers.append(answer.status_code)

    def sent(self, prefix=""):
        return [r for r in self.requests if r["method"] == "POST" and r["path"].startswith(prefix)]

    # ------------------------------------------------------------------

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, answer, content_type="application/json"):
                body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                record = {
                    "method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                    "headers": dict(self.headers), "body": body,
                    "form": parse_qs(body.decode(), keep_blank_values=True)
                    if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded") else {},
                    "json": json.loads(body) if self.headers.get("Content-Type", "").startswith("application/json")
                    and body else None,
                }
                with server.lock:
                    server.requests.append(record)
                    scripted = server.script.pop(0) if server.script else None
                if scripted:
                    status, answer, delay = scripted
                    time.sleep(delay)
                    return self._reply(status, answer)
                if parts.path in server.files:
                    content, content_type = server.files[parts.path]
                    return self._reply(200, content, content_type)
                if parts.path.startswith("/2010-04-01/"):
                    return self._twilio(parts.path, record)
                if parts.path.startswith("/v"):
                    return self._graph(parts.path, record)
                return self._reply(404, {"error": "not found"})

            do_GET = do_POST = _handle

            def _twilio(self, path, record):
                expected = "Basic " + base64.b64encode(
                    f"{server.twilio_sid}:{server.twilio_token}".encode()).decode()
                if record["headers"].get("Authorization") != expected:
                    return self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
                account = f"/2010-04-01/Accounts/{server.twilio_sid}"
                if path == f"{account}.json" and record["method"] == "GET":
                    return self._reply(200, {"sid": server.twilio_sid, "status": "active"})
                if path == f"{account}/Messages.json" and record["method"] == "POST":
                    form = record["form"]
                    if not form.get("Body", [""])[0] and not form.get("MediaUrl") and not form.get("ContentSid"):
                        return self._reply(400, {"code": 21602, "message": "Message body is required.", "status": 400})
                    message = {
                        "sid": "SM" + uuid.uuid4().hex, "status": "queued", "error_code": None,
                        "error_message": None, "num_segments": "1", "body": form.get("Body", [""])[0],
                        "to": form["To"][0], "from": form.get("From", [""])[0],
                        "date_created": format_datetime(datetime.now(UTC), usegmt=True), "date_sent": None,
                    }
                    with server.lock:
                        server.messages.append(message)
                    for status in server.callback_statuses if server.callback_url else ():
                        server.post_callback(message["sid"], status)
                    time.sleep(server.send_latency)
                    return self._reply(201, message)
                if path == f"{account}/Messages.json" and record["method"] == "GET":
                    # the message list, newest first, filtered as Twilio filters it
                    query = {name: values[0] for name, values in record["query"].items()}
                    found = [message for message in reversed(server.messages)
                             if query.get("To", message["to"]) == message["to"]
                             and query.get("From", message["from"]) == message["from"]]
                    size = int(query.get("PageSize", 50))
                    return self._reply(200, {"messages": found[:size], "page_size": size, "next_page_uri": None})
                if path == f"{account}/Calls.json":
                    return self._twilio_calls(record)
                if path.startswith(f"{account}/Recordings/") and path.endswith(".mp3"):
                    # an MP3 as Twilio serves it: an ID3 header, then frames
                    return self._reply(200, b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64,
                                       "audio/mpeg")
                return self._reply(404, {"code": 20404, "message": "Not found", "status": 404})

            def _twilio_calls(self, record):
                """Place a call (POST: To, From, Url required, as Twilio checks
                them), or list the calls, newest first."""
                form = {name: values[0] for name, values in record["form"].items()}
                if record["method"] == "POST":
                    if not (form.get("To") and form.get("From") and (form.get("Url") or form.get("Twiml"))):
                        return self._reply(400, {"code": 21205, "message": "Url parameter is required.",
                                                 "status": 400})
                    call = {"sid": "CA" + uuid.uuid4().hex, "status": "queued", "to": form["To"],
                            "from": form["From"], "direction": "outbound-api",
                            "date_created": format_datetime(datetime.now(UTC), usegmt=True)}
                    with server.lock:
                        server.calls.append(call)
                    return self._reply(201, call)
                query = {name: values[0] for name, values in record["query"].items()}
                found = [call for call in reversed(server.calls)
                         if query.get("To", call["to"]) == call["to"]
                         and query.get("From", call["from"]) == call["from"]]
                return self._reply(200, {"calls": found, "page_size": 50, "next_page_uri": None})

            def _graph(self, path, record):
                token = record["headers"].get("Authorization")
                if token not in (f"Bearer {server.meta_token}", f"Bearer {server.page_token}"):
                    return self._reply(401, {"error": {
                        "message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})
                segments = path.strip("/").split("/")
                if len(segments) == 2 and segments[1] == "me":
                    return self._reply(200, {"id": "1234", "name": "Test App"})
                if segments[1:] == ["me", "messages"] and record["method"] == "POST":
                    # the Send API of the Messenger Platform, with a Page's token
                    if token != f"Bearer {server.page_token}":
                        return self._reply(400, {"error": {
                            "message": "(#200) Requires pages_messaging permission", "code": 200}})
                    recipient = ((record["json"] or {}).get("recipient") or {}).get("id")
                    return self._reply(200, {"recipient_id": recipient, "message_id": "m_" + uuid.uuid4().hex})
                if len(segments) == 2 and segments[1] in server.profiles:
                    return self._reply(200, server.profiles[segments[1]])
                if len(segments) == 3 and segments[2] == "messages" and record["method"] == "POST":
                    to = (record["json"] or {}).get("to")
                    return self._reply(200, {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": to, "wa_id": to}],
                        "messages": [{"id": "wamid." + uuid.uuid4().hex}],
                    })
                if len(segments) == 3 and segments[2] == "message_templates" and record["method"] == "GET":
                    start = int((record["query"].get("after") or ["0"])[0])
                    end = start + server.templates_page_size
                    page = {"data": server.templates[start:end], "paging": {"cursors": {"after": str(end)}}}
                    if end < len(server.templates):
                        page["paging"]["next"] = f"{server.url}{path}?after={end}"
                    return self._reply(200, page)
                if len(segments) == 2 and segments[1] in server.leads:
                    return self._reply(200, server.leads[segments[1]])
                if len(segments) == 2:
                    media_path = f"/media-download/{segments[1]}"
                    if media_path in server.files:
                        return self._reply(200, {
                            "url": server.url + media_path, "mime_type": server.files[media_path][1],
                            "sha256": "", "file_size": len(server.files[media_path][0]), "id": segments[1],
                        })
                return self._reply(404, {"error": {"message": "Unknown path", "code": 100}})

        return Handler
