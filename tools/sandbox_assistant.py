"""The sandbox's assistant: what the demo's ✦ answers without an outside
service. It speaks the chat-completions protocol (controllers/
sandbox_assistant.py) and drafts a polite holding reply to the person the
request names; no model, no guess at what they asked."""
import re

# the last line of the Inbox's request (see inbox_conversation_suggest.py)
ASKED = re.compile(r"Draft the team's next reply to (?P<person>.+) on (?P<channel>[^\n]+)\.\s*$")


def draft(messages):
    """A reply to the person named by the last message of ``messages``."""
    asked = ASKED.search(str((messages or [{}])[-1].get("content") or ""))
    first_name = asked["person"].split()[0] if asked else ""
    greeting = f"Hi {first_name}," if first_name else "Hello,"
    return f"{greeting} thank you for your message! Let me check and get back to you shortly."


def completion(model, messages):
    """The endpoint's answer, shaped as an OpenAI chat completion."""
    return {
        "id": "sandbox-completion", "object": "chat.completion", "model": model or "sandbox",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": draft(messages)}}],
    }
