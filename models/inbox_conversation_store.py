"""What the web client's Store holds of a conversation: its row in the Inbox's list, and what the open
conversation's header and composer show. The records are ``inbox.conversation`` in the client too
(static/src/core/common/inbox_conversation_model.js); a push of a new message carries them, so that the list
and the thread follow without asking again."""
from odoo import api, models

# the Inbox list's row of a conversation (see _inbox_list_row)
LIST_FIELDS = ("partner", "avatar_text", "status", "user", "last_message_date", "last_message_preview",
               "last_message_channel", "is_unread", "labels")
# the header and the composer of the open conversation, by the rights of the user it goes to
HEADER_FIELDS = ("state", "lead_id", "channel_availability", "bot_available", "bot_active")


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    def _to_store_defaults(self, target):
        return self._inbox_store_fields()

    @api.model
    def _inbox_store_fields(self, header=True):
        """The Store's fields of a conversation: its list row, and with
        ``header`` what the open conversation's header and composer show."""
        return [*LIST_FIELDS, *HEADER_FIELDS] if header else list(LIST_FIELDS)

    def _to_store(self, store, fields):
        """The list's fields are those of the row, as ``inbox_list`` gives
        them; the others are the conversation's own fields. Every record
        says as of when (``as_of``): a client keeps what is newest, whatever
        order a push and an answer come in (the bus replays the last
        minute's pushes to a page just loaded)."""
        row_fields = [field for field in fields if field in LIST_FIELDS]
        store.add_records_fields(self, [field for field in fields if field not in LIST_FIELDS])
        for conversation in self:
            row = conversation._inbox_list_row() if row_fields else {}
            store.add_model_values(self._name, {
                "id": conversation.id, "as_of": self._inbox_as_of(), **{name: row[name] for name in row_fields},
            })

    @api.model
    def _inbox_as_of(self):
        """When the data read now was true: the transaction's start, to the
        microsecond (what the transaction reads is as of then, and what it
        changes is not older)."""
        return self.env.cr.now().isoformat(timespec="microseconds")
