"""A fake OpenAI-compatible chat-completions server on 127.0.0.1: it keeps
every request and answers what the test scripts (a reply, an error, a
refusal, a delay)."""
import contextlib
import json
import time
from http.server import BaseHTTPRequestHandler

from .loopback_server import LoopbackServer


class FakeChatCompletions(LoopbackServer):
    def __init__(self, api_key="sk-test"):
        self.api_key = api_key
        self.requests = []  # (path, headers, json body)
        self.reply = "Happy to help! Does Saturday at 11:00 suit you?"
        self.answer = None  # (status, json body) instead of the reply, once
        self.delay = 0
        super().__init__()

    @property
    def url(self):
        return f"{super().url}/v1"

    def _respond(self, path, headers, body):
        self.requests.append((path, headers, body))
        time.sleep(self.delay)
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": "Unknown path"}}
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}}
        if self.answer:
            answer, self.answer = self.answer, None
            return answer
        return 200, {
            "id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": self.reply}}],
        }

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                status, answer = fake._respond(self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                with contextlib.suppress(OSError):  # the client gave up waiting
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
