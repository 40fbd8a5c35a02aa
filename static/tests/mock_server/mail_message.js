import { mailModels } from "@mail/../tests/mail_test_helpers";
import { fields, getKwArgs } from "@web/../tests/web_test_helpers";

/** Mirrors the fields unified_inbox adds to mail.message._to_store_defaults. */
export class MailMessage extends mailModels.MailMessage {
    inbox_channel = fields.Generic({ default: false });
    inbox_direction = fields.Generic({ default: false });
    inbox_status = fields.Generic({ default: false });
    inbox_error = fields.Generic({ default: false });
    inbox_scheduled_date = fields.Generic({ default: false });
    inbox_card = fields.Generic({ default: false });

    get _to_store_defaults() {
        return [
            ...super._to_store_defaults,
            "inbox_channel",
            "inbox_direction",
            "inbox_status",
            "inbox_error",
            "inbox_scheduled_date",
            "inbox_card",
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
