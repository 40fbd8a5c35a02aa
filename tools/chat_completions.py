"""An OpenAI-compatible chat-completions endpoint (a hosted one, vLLM,
Ollama…): the protocol only, no ORM. The Inbox asks it for a suggested
reply; what it answers is text, never markup."""
import requests

TIMEOUT = 20  # seconds: an agent waits for a suggestion, not longer
MAX_TOKENS = 500


class ChatCompletionError(Exception):
    """Why no suggestion came: ``kind`` is one of timeout, unreachable,
    http (``detail``: the status and the endpoint's message), unreadable,
    refused, empty."""

    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def complete(base_url, model, api_key, messages, timeout=TIMEOUT):
    """The assistant's answer to ``messages`` (``[{"role", "content"}]``), as
    plain text; :class:`ChatCompletionError` when there is none."""
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    payload = {"model": model, "messages": messages, "n": 1, "temperature": 0.3, "max_tokens": MAX_TOKENS}
    try:
        response = requests.post(f"{base_url.rstrip('/')}/chat/completions", json=payload, headers=headers,
                                 timeout=timeout, allow_redirects=False)
    except requests.Timeout as error:
        raise ChatCompletionError("timeout", str(timeout)) from error
    except requests.RequestException as error:
        raise ChatCompletionError("unreachable") from error
    if response.status_code != 200:
        raise ChatCompletionError("http", f"HTTP {response.status_code}{_error_message(response)}")
    try:
        choice = response.json()["choices"][0]
        message = choice["message"]
        content = message.get("content") or ""
        if not isinstance(content, str):
            raise TypeError(content)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise ChatCompletionError("unreadable") from error
    if message.get("refusal") or choice.get("finish_reason") == "content_filter":
        raise ChatCompletionError("refused")
    if not content.strip():
        raise ChatCompletionError("empty")
    return content.strip()


def _error_message(response):
    """``: <the endpoint's error message>`` on one short line, or nothing."""
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        return ""
    if not isinstance(message, str) or not message.strip():
        return ""
    return ": " + " ".join(message.split())[:200]
