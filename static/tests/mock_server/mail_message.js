import { mailDataHelpers } from "@mail/../tests/mock_server/mail_mock_server";
import { mailModels } from "@mail/../tests/mail_test_helpers";
import { fields, getKwArgs, makeKwArgs } from "@web/../tests/web_test_helpers";

const INBOX_STORE_FIELDS = [
    "inbox_channel",
    "inbox_direction",
    "inbox_status",
    "inbox_error",
    "inbox_scheduled_date",
    "inbox_card",
];

/** Mirrors the fields unified_inbox adds to mail.message._to_store_defaults. */
export class MailMessage extends mailModels.MailMessage {
    inbox_channel = fields.Generic({ default: false });
    inbox_direction = fields.Generic({ default: false });
    inbox_status = fields.Generic({ default: false });
    inbox_error = fields.Generic({ default: false });
    inbox_scheduled_date = fields.Generic({ default: false });
    inbox_card = fields.Generic({ default: false });

    /** Only the Inbox's messages carry its fields, as in Python. */
    get _to_store_defaults() {
        const isInboxMessage = (message) =>
            message.model === "inbox.conversation" || Boolean(message.inbox_channel || message.inbox_card);
        return [
            ...super._to_store_defaults,
            ...INBOX_STORE_FIELDS.map((name) =>
                mailDataHelpers.Store.attr(name, makeKwArgs({ predicate: isInboxMessage }))
            ),
        ];
    }

    action_inbox_cancel(ids) {
        ({ ids } = getKwArgs(arguments, "ids"));
        this.write(ids, { inbox_status: "canceled" });
        return true;
    }

    inbox_card_exists(ids) {
        ({ ids } = getKwArgs(arguments, "ids"));
        const [message] = this.browse(ids);
        const { model, res_id } = message.inbox_card || {};
        return Boolean(res_id && this.env[model].some((record) => record.id === res_id));
    }

    action_inbox_retry(ids) {
        ({ ids } = getKwArgs(arguments, "ids"));
        this.write(ids, { inbox_status: "queued", inbox_error: false });
        return true;
    }
}
