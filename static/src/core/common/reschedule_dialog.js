import { Component, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { useService } from "@web/core/utils/hooks";
import { inboxChannel } from "./inbox_channels";

/** Change when a scheduled message goes, and the text of an SMS or a WhatsApp. */
export class InboxRescheduleDialog extends Component {
    static template = "unified_inbox.RescheduleDialog";
    static components = { Dialog };
    static props = ["message", "close"];

    setup() {
        this.orm = useService("orm");
        const message = this.props.message;
        // plain text (an SMS, a WhatsApp) is edited here; rich text is not
        this.textEditable = inboxChannel(message.inbox_channel)?.rich_text === false;
        this.state = useState({
            when: message.inbox_scheduled_date.toLocal().toFormat("yyyy-MM-dd'T'HH:mm"),
            body: new DOMParser().parseFromString(message.body || "", "text/html").body.innerText.trim(),
            saving: false,
        });
    }

    async save() {
        this.state.saving = true;
        try {
            await this.orm.call("mail.message", "action_inbox_reschedule", [[this.props.message.id]], {
                scheduled_date: luxon.DateTime.fromISO(this.state.when).toUTC().toFormat("yyyy-MM-dd HH:mm:ss"),
                body: this.textEditable ? this.state.body : null,
            });
            this.props.close();
        } finally {
            this.state.saving = false;
        }
    }
}
