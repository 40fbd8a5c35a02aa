"""Real time: who hears of a conversation's news, and how it reaches them. A push carries what it announces (the
messages and the conversation as each reader sees it), one bus notification per reader; work done in batches (the
event queue applies many events in one transaction) gathers its pushes and sends them once, at the end of the batch,
so that each reader gets one notification, and what they carry is read once for all the conversations."""
from collections import defaultdict
from contextlib import contextmanager

from odoo import api, models
from odoo.addons.mail.tools.discuss import Store
from odoo.tools import OrderedSet

# where a batch of work keeps its gathered pushes: the transaction's cache (cleared with the transaction, as the
# pushes it holds would be)
PUSH_BATCH = "unified_inbox.push_batch"
# what goes again of a message pushed before: its delivery, and what the caller names
UPDATED_MESSAGE_FIELDS = ("inbox_channel", "inbox_direction", "inbox_status", "inbox_error")


class PushBatch:
    """The pushes of a batch of work, sent together when it ends (see
    :meth:`InboxConversation._inbox_push_batch`)."""

    def __init__(self, cr):
        self.cr = cr
        self.entries = []

    def add(self, conversation, messages, extra_fields):
        self.entries.append((conversation, messages, tuple(extra_fields)))

    @contextmanager
    def savepoint(self):
        """A unit of the batch, under a savepoint of its own: what it pushed
        is dropped if it fails. A savepoint rolled back clears the
        transaction's cache: the batch goes on gathering after it."""
        size = len(self.entries)
        try:
            yield
        except Exception:
            del self.entries[size:]
            raise
        finally:
            self.cr.cache[PUSH_BATCH] = self


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    def _inbox_tell_gone(self, users):
        """``users`` may no longer read the conversation (it went to another
        team or assignee): their Inbox drops it, and closes it if open."""
        self.ensure_one()
        users._bus_send("unified_inbox/conversation_gone", {"id": self.id})

    def _inbox_readers(self):
        """Active Inbox users who may read the conversation (see
        :meth:`_inbox_readers_by_conversation`)."""
        self.ensure_one()
        return self._inbox_readers_by_conversation()[self]

    def _inbox_readers_by_conversation(self):
        """The active Inbox users who may read each conversation, by the same
        rules as the record rules: the assignee, the team's members, its
        followers, and the managers of its company. Two queries, whatever the
        number of conversations."""
        conversations = self.sudo()
        Users = self.env["res.users"].sudo()
        manager = self.env.ref("unified_inbox.group_inbox_manager")
        candidates = Users.search([
            ("company_ids", "in", conversations.company_id.ids),
            ("all_group_ids", "in", self.env.ref("unified_inbox.group_inbox_user").id),
            "|", "|", "|",
            ("id", "in", conversations.user_id.ids),
            ("id", "in", conversations.team_id.member_ids.ids),
            ("partner_id", "in", conversations.message_partner_ids.ids),
            ("all_group_ids", "in", manager.id),
        ])
        managers = Users.search([("id", "in", candidates.ids), ("all_group_ids", "in", manager.id)])
        return {
            conversation: candidates.filtered(lambda user, conversation=conversation: (
                conversation.company_id in user.company_ids
                and (user in managers or user == conversation.user_id or user in conversation.team_id.member_ids
                     or user.partner_id in conversation.message_partner_ids)))
            for conversation in conversations
        }

    def _inbox_bus_send(self, messages, extra_fields=()):
        """Push ``messages`` (new, or with a new delivery status) to every
        user who may read the conversation, and to nobody else, with the
        conversation as each of them sees it (see :meth:`_inbox_push`);
        within a batch of work, when the batch ends."""
        self.ensure_one()
        batch = self.env.cr.cache.get(PUSH_BATCH)
        if batch is not None:
            batch.add(self, messages, extra_fields)
        else:
            self._inbox_push([(self, messages, tuple(extra_fields))])

    @api.model
    @contextmanager
    def _inbox_push_batch(self):
        """Gather the pushes made within (each unit of work under
        ``batch.savepoint()``), and send them when it ends: one notification
        per reader for the whole batch."""
        batch = PushBatch(self.env.cr)
        self.env.cr.cache[PUSH_BATCH] = batch
        try:
            yield batch
        finally:
            self.env.cr.cache.pop(PUSH_BATCH, None)
        self._inbox_push(batch.entries)

    @api.model
    def _inbox_push(self, entries):
        """Send ``entries`` (``(conversation, messages, extra_fields)``): to
        each user who may read conversations of them, one notification with
        those conversations as they see them, so that the reader's list and
        open thread follow without asking again. A message created in this
        transaction goes whole; one already pushed goes with its new delivery
        status and the fields the entry names. The conversation goes with
        its list row, and with the header and the channels when what is new
        may change them (the person writes: a reply window opens, a STOP; a
        card: a consent changed; a line of history: a new assignee, a
        status). What a savepoint rolled back since is left out. The bus
        sends after commit."""
        Message = self.env["mail.message"].sudo()
        conversations = self.sudo().browse(OrderedSet(entry[0].id for entry in entries)).exists()
        messages = Message.browse(OrderedSet(message.id for entry in entries for message in entry[1])).exists()
        if not conversations:
            return
        new = messages.filtered(lambda message: message.create_date == self.env.cr.now())
        updated = defaultdict(Message.browse)  # extra fields -> messages pushed before
        for _conversation, pushed, extra_fields in entries:
            updated[extra_fields] |= pushed & (messages - new)
        header = {message.res_id for message in new
                  if message.inbox_direction == "inbound" or message.message_type == "notification"}
        theirs = defaultdict(self.browse)
        for conversation, readers in conversations._inbox_readers_by_conversation().items():
            for user in readers:
                theirs[user] |= conversation
        senders = self.env["inbox.sender"].sudo().search([("company_id", "in", conversations.company_id.ids)])
        # what readers get alike is read once for them: the messages of the
        # same conversations, the channels of one for the same sender accounts
        messages_data, availability = {}, {}
        header_fields = [name for name in self._inbox_store_fields(header=True) if name != "channel_availability"]
        # what awaits each reader's action (mail's "needaction": a note that mentions them)
        awaiting = {(notification.mail_message_id.id, notification.res_partner_id.id)
                    for notification in new.notification_ids if not notification.is_read}
        for user, readable in theirs.items():
            ids = set(readable.ids)
            theirs_new = new.filtered(lambda m, ids=ids: m.res_id in ids)
            # who authored a message gets it as its author (what they may do with its attachments),
            # who is asked to act on one gets it so
            key = (frozenset(ids), user.partner_id in theirs_new.author_id and user.id,
                   tuple(message.id for message in theirs_new if (message.id, user.partner_id.id) in awaiting))
            if key not in messages_data:
                messages_data[key] = self._inbox_messages_store(user, theirs_new, {
                    extra_fields: pushed.filtered(lambda m, ids=ids: m.res_id in ids)
                    for extra_fields, pushed in updated.items()})
            store = Store(bus_channel=user)
            for model_name, values in messages_data[key].items():
                if isinstance(values, dict):
                    store.add_singleton_values(model_name, values)
                for record_values in values if isinstance(values, list) else ():
                    store.add_model_values(model_name, record_values)
            with_header = readable.filtered(lambda c: c.id in header)
            # sudo: the readers may read the conversations (_inbox_readers_by_conversation
            # follows their record rules); what each one gets is computed as them (read
            # state, the channels they may send on)
            store.add((readable - with_header).with_user(user).sudo(), self._inbox_store_fields(header=False))
            store.add(with_header.with_user(user).sudo(), header_fields)
            theirs_senders = senders._inbox_usable_by(user)
            usable = theirs_senders._inbox_by_channel()
            for conversation in with_header:
                accounts = (conversation.id, tuple(theirs_senders.filtered(
                    lambda sender, company=conversation.company_id: sender.company_id == company).ids))
                if accounts not in availability:
                    availability[accounts] = conversation._inbox_channel_availability(usable)
                store.add_model_values(self._name, {"id": conversation.id,
                                                    "channel_availability": availability[accounts]})
            store.bus_send()

    @api.model
    def _inbox_messages_store(self, user, new, updated):
        """The Store's data of the ``new`` messages and of the ``updated``
        ones (by the fields that go again), as ``user`` gets them."""
        store = Store(bus_channel=user)
        # sudo: the user may read the conversations of the messages (see _inbox_push)
        for extra_fields, pushed in updated.items():
            store.add(pushed.with_user(user).sudo(), [*UPDATED_MESSAGE_FIELDS, *extra_fields])
        store.add(new.with_user(user).sudo())
        return store.get_result()
