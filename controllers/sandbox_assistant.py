import json

from odoo import http
from odoo.http import request

from ..tools import sandbox_assistant


class InboxSandboxAssistantController(http.Controller):
    """The demo's assistant for suggested replies, as an OpenAI-compatible
    endpoint (base URL ``/unified_inbox/sandbox/assistant/v1``)."""

    @http.route("/unified_inbox/sandbox/assistant/v1/chat/completions", type="http", auth="none",
                methods=["POST"], csrf=False, save_session=False)
    def chat_completions(self, **_kwargs):
        try:
            payload = json.loads(request.httprequest.get_data() or b"")
            messages = payload["messages"]
            if not isinstance(messages, list) or not all(isinstance(message, dict) for message in messages):
                raise TypeError(messages)
        except (ValueError, KeyError, TypeError):
            return request.make_json_response(
                {"error": {"message": "A JSON body with a list of messages is expected.",
                           "type": "invalid_request_error"}}, status=400)
        return request.make_json_response(sandbox_assistant.completion(payload.get("model"), messages))
