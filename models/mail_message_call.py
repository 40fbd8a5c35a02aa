"""A call in the conversation: one entry (a message of a channel of calls)
per call, its status moved forward by the status callbacks of its legs,
whatever order they come in, and its recording kept on it."""
from odoo import api, fields, models
from odoo.addons.mail.tools.discuss import Store
from odoo.tools import plaintext2html

from .. import channels
from ..providers import CALL_STATUS_RANK, ProviderError
from .inbox_event import InboxEventWaiting

CALL_STATUSES = [
    ("queued", "Calling"),
    ("ringing", "Ringing"),
    ("in_progress", "In Progress"),
    ("completed", "Completed"),
    ("busy", "Busy"),
    ("no_answer", "No Answer"),
    ("failed", "Failed"),
    ("canceled", "Canceled"),
]
FINAL = CALL_STATUS_RANK["completed"]
# a recording is an MP3 of Twilio's, a WAV of the sandbox's: nothing else is kept
RECORDING_TYPES = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/x-wav": "wav"}
RECORDING_MAX_SIZE = 25 << 20


def is_call(message):
    """Whether ``message`` is a call's entry (no query: its channel is a column)."""
    return bool(message.inbox_channel) and channels.get(message.inbox_channel).calls


class MailMessage(models.Model):
    _inherit = "mail.message"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    inbox_call_status = fields.Selection(CALL_STATUSES, "Call Status")
    inbox_call_duration = fields.Integer("Call Duration", help="Seconds the call lasted, once it ended.")
    inbox_call_user_id = fields.Many2one(
        "res.users", "Call Agent", ondelete="set null", help="Who answered the call, or placed it.")
    inbox_call_recording = fields.Selection(
        [("completed", "Recorded"), ("absent", "Nothing Recorded"), ("failed", "Recording Failed")],
        "Recording", help="Nothing recorded: too short or silent, as the provider says.")

    # ------------------------------------------------------------------
    # Web client
    # ------------------------------------------------------------------

    def _to_store_defaults(self, target):
        return [*super()._to_store_defaults(target), self._inbox_call_attr()]

    @api.model
    def _inbox_call_attr(self):
        return Store.Attr("inbox_call", lambda message: message._inbox_call_values(), predicate=is_call)

    def _inbox_call_values(self):
        """What the web client shows of a call: status, duration, agent, and
        the recording to play."""
        self.ensure_one()
        recording = self.attachment_ids.filtered(lambda attachment: attachment.mimetype in RECORDING_TYPES)[:1]
        return {
            "status": self.inbox_call_status or False,
            "duration": self.inbox_call_duration,
            "user": self.inbox_call_user_id.name or False,
            "recording": self.inbox_call_recording or False,
            "recording_id": recording.id or False,
        }

    # ------------------------------------------------------------------
    # Status, from the callbacks of the call's legs
    # ------------------------------------------------------------------

    def _inbox_apply_call_leg(self, event):
        """Move the call forward by a leg's status (see providers.CALL_LEGS):
        never backward, never out of an end but one: a call taken as missed
        (it ended before the answer of an agent was known) is answered."""
        self.ensure_one()
        current = self.inbox_call_status or "queued"
        status, values = self._inbox_call_transition(current, event)
        if status and status != current:
            values["inbox_call_status"] = status
        if not values:
            return False
        self.write(values)
        self.body = plaintext2html(self._inbox_call_summary())
        conversation = self.env["inbox.conversation"].browse(self.res_id)
        if CALL_STATUS_RANK[self.inbox_call_status] == FINAL and CALL_STATUS_RANK[current] < FINAL \
                and self._inbox_call_missed():
            conversation._inbox_after_missed_call(self)
        conversation._inbox_refresh_preview()
        self._inbox_bus_send(["body", self._inbox_call_attr()])
        return True

    def _inbox_call_transition(self, current, event):
        """``(new status or None, values)`` of the call at ``current`` after ``event``."""
        rank, new = CALL_STATUS_RANK, event.status
        answered = bool(self.inbox_call_user_id) or current == "in_progress"
        ended = {"inbox_call_duration": event.duration} if rank[new] == FINAL else {}
        if event.leg == "agent":
            if new != "in_progress":
                return None, {}
            values = {"inbox_call_user_id": self.env["res.users"]._inbox_by_phone(event.to_address).id}
            if current == "no_answer":
                return "completed", values  # the answer came after the end
            return ("in_progress" if rank[current] < FINAL else None), values
        if event.leg == "callee" and current == "canceled" and rank[new] == FINAL:
            # the end of the person's leg, after the agent's phone hung up: it says how the call went
            return new, ended
        if rank[current] == FINAL:
            return None, {}
        if event.leg == "caller":
            if new == "in_progress":
                return None, {}  # every call is "in progress" once our TwiML answers it
            if new == "completed" and not answered:
                return "no_answer", ended  # nobody picked up: missed (a voicemail at most)
            return (new if rank[new] > rank[current] else None), ended
        if event.leg == "placer":
            # the agent's own phone: it ends the call only when the person's
            # leg said nothing yet (never answered, or no bridge made)
            if rank[new] < FINAL or current not in ("queued", "ringing"):
                return None, {}
            if new == "completed":
                return "canceled", {}
            return new, {"inbox_error": self.env._("Your phone did not answer: the call was not placed.")}
        return (new if rank[new] > rank[current] else None), ended

    def _inbox_call_missed(self):
        self.ensure_one()
        return self.inbox_direction == "inbound" and self.inbox_call_status != "completed"

    def _inbox_call_summary(self):
        """The entry's text (what the list previews and search finds)."""
        self.ensure_one()
        inbound = self.inbox_direction == "inbound"
        status = self.inbox_call_status
        if inbound and status not in ("completed", "in_progress", "ringing", "queued"):
            return self.env._("Missed call")
        label = self.env._("Incoming call") if inbound else self.env._("Outgoing call")
        if status == "completed":
            minutes, seconds = divmod(self.inbox_call_duration, 60)
            if not minutes:
                return self.env._("%(call)s, %(seconds)s s", call=label, seconds=seconds)
            return self.env._("%(call)s, %(minutes)s min %(seconds)s s", call=label, minutes=minutes,
                              seconds=seconds)
        labels = dict(self._fields["inbox_call_status"]._description_selection(self.env))
        return f"{label}: {labels[status or 'queued']}"

    # ------------------------------------------------------------------
    # Recordings
    # ------------------------------------------------------------------

    @api.model
    def _inbox_apply_recording(self, provider, event):
        """Keep a call's recording (fetched now, after the webhook answered,
        with the provider's credentials) on its entry, or say why there is none."""
        entry = self._inbox_find(provider, event.call_sid)
        if not entry:
            raise InboxEventWaiting(self.env._("No call with the provider's id %s (yet).", event.call_sid),
                                    event.call_sid)
        if event.status == "in_progress" or entry.inbox_call_recording == "completed":
            return entry
        if event.status == "completed" and event.ref:
            try:
                content, _claimed = provider._inbox_adapter().download_media(event.ref)
            except ProviderError as error:
                if error.retryable:
                    raise
                content = None
            # kept as what its bytes are, and only as a sound
            mimetype = content and self._inbox_sound_type(content)
            if mimetype and len(content) <= RECORDING_MAX_SIZE:
                entry.write({
                    "inbox_call_recording": "completed",
                    "attachment_ids": [fields.Command.create({
                        "name": f"{entry._inbox_call_summary()}.{RECORDING_TYPES[mimetype]}", "raw": content,
                        "mimetype": mimetype, "res_model": entry.model, "res_id": entry.res_id,
                    })],
                })
            else:
                entry.inbox_call_recording = "failed"
        else:
            entry.inbox_call_recording = "absent" if event.status == "absent" else "failed"
        entry._inbox_bus_send([self._inbox_call_attr()])
        return entry

    @staticmethod
    def _inbox_sound_type(content):
        """The type of a recording by its bytes (MP3 or WAV), else None."""
        # an MPEG audio frame starts with 11 bits set (MPEG-1, 2 and 2.5: telephone
        # MP3s at 8 kHz are MPEG-2.5)
        if content[:3] == b"ID3" or (len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0):
            return "audio/mpeg"
        if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
            return "audio/wav"
        return None
