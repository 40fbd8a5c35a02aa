import { Thread } from "@mail/core/common/thread";
import { patch } from "@web/core/utils/patch";

patch(Thread.prototype, {
    isSquashed(msg, prevMsg) {
        // a message on a channel shows its channel and delivery status in
        // its header: never fold it into the previous one
        if (msg.inbox_channel) {
            return false;
        }
        return super.isSquashed(msg, prevMsg);
    },
});
