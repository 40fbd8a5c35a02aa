import { Message } from "@mail/core/common/message_model";
import { fields } from "@mail/core/common/record";
import { patch } from "@web/core/utils/patch";

patch(Message.prototype, {
    setup() {
        super.setup(...arguments);
        this.inbox_scheduled_date = fields.Datetime();
    },
    /** In a conversation, what happens to it (assigned, closed, linked) is
     * a small centred line, as Discuss shows its notifications; activity
     * cards stay cards. */
    get isNotification() {
        if (this.thread?.model === "inbox.conversation") {
            return this.message_type === "notification" && !this.inbox_card;
        }
        return super.isNotification;
    },
});
