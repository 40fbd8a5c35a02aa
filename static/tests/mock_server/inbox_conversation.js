import { fields, getKwArgs, models } from "@web/../tests/web_test_helpers";

/**
 * A stand-in for the Inbox list's server side: ``inbox_list`` searches the
 * person's name, or their number however it is typed ("0470 61 72 83" as
 * written in Belgium, the mock company's country, or "+32 470 61 72 83"),
 * and says who handles the people whose conversation the user may not read
 * (``readable`` false), as the server does.
 */
export class InboxConversation extends models.ServerModel {
    _name = "inbox.conversation";

    partner_name = fields.Char();
    phone = fields.Char({ string: "E.164 number" });
    team = fields.Char();
    assignee = fields.Char();
    readable = fields.Boolean({ default: true });

    inbox_list() {
        const { search } = getKwArgs(
            arguments, "tab", "channel", "sender_id", "user_id", "label_id", "search", "sort", "offset", "limit"
        );
        const text = (search || "").trim().toLowerCase();
        const digits = text.replace(/\D/g, "");
        const number = digits.length >= 6 ? `+32${digits.replace(/^(00)?32|^0/, "")}` : false;
        const matching = this._filter([]).filter(
            (record) => !text || record.partner_name.toLowerCase().includes(text) || record.phone === number
        );
        const visible = matching.filter((record) => record.readable);
        const handledBy = matching
            .filter((record) => !record.readable && record.phone === number)
            .map((record) => ({ id: record.id, team: record.team, user: record.assignee }));
        return {
            conversations: visible.map((record) => this._inbox_list_row(record)),
            counts: { open: visible.length, all: visible.length },
            total: visible.length,
            count_cap: 1000,
            new_number: number && !visible.length && !handledBy.length ? number : false,
            handled_by: handledBy,
        };
    }

    /** The Actions queue (models/inbox_conversation_actions.py): empty here. */
    inbox_action_queue() {
        return [];
    }

    inbox_action_count() {
        return 0;
    }

    /** The managers' summary (models/inbox_conversation_report.py): none for this user. */
    inbox_report_summary() {
        return false;
    }

    /** The list's row of a conversation (models/inbox_conversation_list.py). */
    _inbox_list_row(record) {
        return {
            id: record.id,
            partner: { id: record.id, name: record.partner_name, phone: record.phone, email: "" },
            avatar_text: record.partner_name.slice(0, 2).toUpperCase(),
            status: "open",
            user: false,
            last_message_date: "2026-11-21 09:00:00",
            last_message_preview: "",
            last_message_channel: "sms",
            is_unread: false,
            labels: [],
        };
    }

    /** The Store's record of one conversation (models/inbox_conversation_store.py):
     * its row, its header and its channels. */
    inbox_list_row(ids) {
        ({ ids } = getKwArgs(arguments, "ids"));
        const [record] = this.browse(ids);
        return { ...this._inbox_list_row(record), state: "open", lead_id: false, channel_availability: {} };
    }

    inbox_request_join(ids) {
        ({ ids } = getKwArgs(arguments, "ids"));
        const [record] = this.browse(ids);
        return { id: record.id, team: record.team, user: record.assignee, requested: true };
    }
}
