import { Record } from "@mail/core/common/record";

/**
 * A conversation of the Inbox, as the server's Store sends it
 * (models/inbox_conversation_store.py): its list row and what the open
 * conversation's header and composer show. ``inbox_list`` gives the rows,
 * ``inbox_list_row`` one conversation whole, and every push of a message
 * carries its conversation: the list and the header follow without asking.
 */
export class InboxConversation extends Record {
    static _name = "inbox.conversation";
    static id = "id";

    /** @type {number} */
    id;
    // the list's row
    /** @type {{ id: number, name: string, phone: string, email: string }} */
    partner;
    /** @type {string} */
    avatar_text;
    /** @type {"open"|"closed"|"outbound_only"} */
    status;
    /** @type {{ id: number, name: string }|false} */
    user;
    /** @type {string|false} UTC, "yyyy-MM-dd HH:mm:ss" */
    last_message_date;
    /** @type {string} */
    last_message_preview;
    /** @type {string|false} */
    last_message_channel;
    /** @type {boolean} */
    is_unread;
    /** @type {{ id: number, name: string, color: number }[]} */
    labels;
    // the header and the composer
    /** @type {"open"|"closed"} */
    state;
    /** @type {number|false} */
    lead_id;
    /** @type {boolean} the company has a bot */
    bot_available;
    /** @type {boolean} the bot answers this person */
    bot_active;
    /** @type {Object} per channel key: { available, reason, templates_only, window_expiry, sender_ids, attachment_max_size } */
    channel_availability;
    /** @type {string} when the server read the data held (its transaction's start, ISO, UTC) */
    as_of;
    /**
     * Data older than what is held came and was kept out (a push replayed
     * to a page just loaded, or one from a transaction that began before
     * the answer held): what is held may miss its change, whoever shows the
     * conversation reads it again.
     * @type {boolean}
     */
    outdated = false;

    update(data) {
        if (data?.as_of && this.as_of && data.as_of < this.as_of) {
            this.outdated = true;
            return;
        }
        return super.update(data?.as_of ? { ...data, outdated: false } : data);
    }
}

InboxConversation.register();
