"""Twilio Programmable Voice, on the Twilio provider: a call to one of its
numbers, and a call from the Inbox.

Every request comes to the provider's one webhook URL, signed like the
messaging webhooks; what it is comes from the ``inbox_voice`` query
parameter, which we put in the URLs we give Twilio (the number's own voice
URL has none: a call arriving). Twilio signs the whole URL, query included.

- a call arrives (no ``inbox_voice``): answered with TwiML that rings the
  agents in turn (``<Dial action>``: Twilio asks again after each, ``dial``
  with the numbers left to ring), then takes a voicemail (``<Record>``);
- ``status`` (the number's status callback), ``agent`` (a rung agent's
  leg), ``placer`` and ``callee`` (the two legs of a call from the Inbox):
  status callbacks, ``CallStatus`` as Twilio documents it;
- ``bridge``: the agent answered a call from the Inbox: dial the person;
- ``recording``: a recording status callback;
- ``hangup``: what follows a voicemail or a bridged call.
"""
import re
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from .base import (
    CALL_STATUS_RANK,
    RECORDING_STATUSES,
    CallStep,
    CallUpdate,
    ProviderError,
    RecordingUpdate,
    SendResult,
    WebhookError,
)

QUERY = "inbox_voice"
# messages or calls listed when looking up one whose answer was lost
LOOKUP_PAGE_SIZE = 50
# how long a voicemail may be, in seconds
VOICEMAIL_MAX_LENGTH = 120
# how long the agent's own phone rings for a call from the Inbox
PLACER_TIMEOUT = 30
DIAL_ANSWERED = ("completed", "answered")
STATUS_LEGS = {"status": "caller", "agent": "agent", "placer": "placer", "callee": "callee"}
E164 = re.compile(r"\+[1-9]\d{6,14}")


def call_status(value):
    """Our key of a Twilio ``CallStatus`` (``in-progress`` → ``in_progress``)."""
    status = (value or "").lower().replace("-", "_")
    if status == "initiated":
        return "queued"
    if status not in CALL_STATUS_RANK:
        raise WebhookError(f"Unknown Twilio call status {value}.")
    return status


def twiml(build):
    """A TwiML document: ``build(response)`` adds the verbs to the
    ``<Response>`` element (ElementTree escapes every value)."""
    response = Element("Response")
    build(response)
    return 200, "text/xml", '<?xml version="1.0" encoding="UTF-8"?>' + tostring(response, encoding="unicode")


def created_since(resource, since):
    """Whether a Twilio resource (a message, a call) was created at or after
    ``since`` (naive UTC)."""
    try:
        created = parsedate_to_datetime(resource.get("date_created") or "")
    except (TypeError, ValueError):
        return False
    return created.astimezone(UTC).replace(tzinfo=None) >= since


def hangup(response):
    SubElement(response, "Hangup")


class VoiceProtocol:
    """Mixin of :class:`~.twilio.TwilioAdapter`: its voice half."""

    @staticmethod
    def voice_url(url, kind, **params):
        """The webhook ``url`` (its query dropped) for requests of ``kind``."""
        parts = urlsplit(url)
        return urlunsplit(parts._replace(query=urlencode({QUERY: kind, **params})))

    @staticmethod
    def is_voice(request, form):
        return bool(request.query.get(QUERY) or (form.get("CallSid") and not form.get("MessageSid")))

    def _parse_voice(self, request, form):
        kind = request.query.get(QUERY, "")
        call_sid = form.get("CallSid", "")
        if not call_sid:
            raise WebhookError("Not a Twilio voice webhook: CallSid is missing.")
        if kind == "recording" or (not kind and form.get("RecordingStatus")):
            return [self._parse_recording(form)]
        if not kind:
            if form.get("CallbackSource"):
                # a status callback on the number's voice URL itself
                kind = "status"
            elif (form.get("Direction") or "inbound") != "inbound":
                raise WebhookError("Only an inbound call is answered at this URL.")
            else:
                # a call arriving: the person, and the account they called
                return [CallUpdate(call_sid=call_sid, leg_sid=call_sid, leg="caller", status="ringing",
                                   from_address=form.get("From", ""), to_address=form.get("To", ""))]
        if kind == "dial":
            return self._parse_dial_action(request, form)
        if kind in ("bridge", "hangup"):
            return []  # the call waits for TwiML only
        if kind not in STATUS_LEGS:
            raise WebhookError(f"Unknown voice request {kind}.")
        leg = STATUS_LEGS[kind]
        parent = form.get("ParentCallSid", "") if leg in ("agent", "callee") else call_sid
        if not parent:
            raise WebhookError("A dialed leg's status callback needs ParentCallSid.")
        return [CallUpdate(
            call_sid=parent, leg_sid=call_sid, leg=leg, status=call_status(form.get("CallStatus")),
            from_address=form.get("From", ""), to_address=form.get("To", ""),
            duration=int(form.get("CallDuration") or 0),
        )]

    @staticmethod
    def _parse_dial_action(request, form):
        """The end of a ring (``<Dial action>``): an agent who answered is
        known from it too (the same update as their leg's own callback, kept
        once), should that callback be lost or late."""
        if (form.get("DialCallStatus") or "").lower() not in DIAL_ANSWERED or not form.get("DialCallSid"):
            return []
        return [CallUpdate(call_sid=form["CallSid"], leg_sid=form["DialCallSid"], leg="agent", status="in_progress",
                           to_address=request.query.get("rang", ""))]

    def _parse_recording(self, form):
        status = (form.get("RecordingStatus") or "").lower().replace("-", "_")
        if status not in RECORDING_STATUSES:
            raise WebhookError(f"Unknown Twilio recording status {form.get('RecordingStatus')}.")
        if not form.get("RecordingSid"):
            raise WebhookError("A recording status callback needs RecordingSid.")
        url = form.get("RecordingUrl", "")
        return RecordingUpdate(
            call_sid=form["CallSid"], recording_sid=form["RecordingSid"], status=status,
            # the MP3 of the recording (the bare URL gives a WAV, ten times larger)
            ref=url and url + ".mp3", duration=int(form.get("RecordingDuration") or 0),
        )

    def call_step(self, request):
        if request.method != "POST":
            return None
        form = {name: values[0] for name, values in request.form.items() if values}
        kind = request.query.get(QUERY, "")
        if not form.get("CallSid") or form.get("MessageSid"):
            return None
        if kind == "dial":
            if (form.get("DialCallStatus") or "").lower() in DIAL_ANSWERED:
                return None  # answered, and over: hung up
            # the agents left to ring, as the call's first answer listed them
            pending = [number for number in request.query.get("ring", "").split(",") if number]
            if not all(E164.fullmatch(number) for number in pending):
                raise WebhookError("The numbers to ring are not E.164 numbers.")
        elif not kind and not form.get("CallbackSource") and not form.get("RecordingStatus"):
            pending = None
        else:
            return None
        return CallStep(call_sid=form["CallSid"], from_address=form.get("From", ""),
                        to_address=form.get("To", ""), pending=pending)

    def answer_call(self, request, step, routing):
        url = request.url

        def build(response):
            if routing.numbers:
                number, *rest = routing.numbers
                dial = SubElement(response, "Dial", {
                    "timeout": str(routing.ring_seconds), "answerOnBridge": "true",
                    # who is left to ring is decided once, when the call arrives
                    "action": self.voice_url(url, "dial", ring=",".join(rest), rang=number),
                    **self._recording_attributes(url, routing.record, "record-from-answer-dual"),
                })
                SubElement(dial, "Number", {
                    "statusCallback": self.voice_url(url, "agent"), "statusCallbackEvent": "answered completed",
                }).text = number
                return
            if routing.greeting:
                SubElement(response, "Say").text = routing.greeting
            SubElement(response, "Record", {
                "maxLength": str(VOICEMAIL_MAX_LENGTH), "playBeep": "true",
                "action": self.voice_url(url, "hangup"),
                **self._recording_attributes(url, True),
            })
        return twiml(build)

    def _recording_attributes(self, url, record, mode=None):
        if not record:
            return {}
        attributes = {"recordingStatusCallback": self.voice_url(url, "recording"),
                      "recordingStatusCallbackEvent": "completed absent"}
        if mode:
            attributes["record"] = mode
        return attributes

    def voice_response(self, request):
        """TwiML of the voice requests the adapter answers alone."""
        kind = request.query.get(QUERY, "")
        if kind == "bridge":
            # the agent answered their phone: now the person
            to = request.query.get("to", "")
            if not to.startswith("+"):
                raise WebhookError("A bridge needs the number to dial.")
            record = request.query.get("record") == "1"

            def build(response):
                dial = SubElement(response, "Dial", {
                    "callerId": request.query.get("from", ""), "action": self.voice_url(request.url, "hangup"),
                    **self._recording_attributes(request.url, record, "record-from-answer-dual"),
                })
                number = SubElement(dial, "Number", {
                    "statusCallback": self.voice_url(request.url, "callee"),
                    "statusCallbackEvent": "initiated ringing answered completed",
                })
                number.text = to
            return twiml(build)
        return twiml(hangup)

    # ------------------------------------------------------------------
    # A call from the Inbox
    # ------------------------------------------------------------------

    def place_call(self, message):
        """Call the agent's own phone; once they answer, Twilio fetches the
        bridge TwiML that dials the person, the sender's number as caller id."""
        if not message.agent_address:
            raise ProviderError("Your own phone number is needed to place a call.", recipient_error=True)
        bridge = self.voice_url(message.status_callback, "bridge", to=message.to_address,
                                **{"from": message.from_address, "record": "1" if message.record else "0"})
        data = [
            ("To", message.agent_address), ("From", message.from_address), ("Url", bridge),
            ("Timeout", str(PLACER_TIMEOUT)),
            ("StatusCallback", self.voice_url(message.status_callback, "placer")),
            *(("StatusCallbackEvent", event) for event in ("initiated", "ringing", "answered", "completed")),
        ]
        answer = self.http_json("POST", self.account_url("/Calls.json"), data=data, auth=self.auth)
        return SendResult(provider_message_id=answer["sid"], status="sent")

    def find_call(self, message, since):
        """The call placed for ``message`` since ``since`` (UTC), if Twilio
        has it: the oldest one from the sender's number to the agent's."""
        query = {"To": message.agent_address, "From": message.from_address, "PageSize": LOOKUP_PAGE_SIZE}
        answer = self.http_json("GET", self.account_url("/Calls.json"), params=query, auth=self.auth)
        calls = [call for call in answer.get("calls") or [] if created_since(call, since)]
        return SendResult(provider_message_id=calls[-1]["sid"], status="sent") if calls else None
