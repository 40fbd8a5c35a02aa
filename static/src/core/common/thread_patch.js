import { Thread } from "@mail/core/common/thread";
import { toRaw, useState } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";

patch(Thread.prototype, {
    setup() {
        super.setup(...arguments);
        // the newest message the user has seen at the bottom of the thread:
        // what came after it while they read the history is "new"
        this.inboxScroll = useState({ seenId: 0 });
    },
    isSquashed(msg, prevMsg) {
        // a message on a channel shows its channel and delivery status in
        // its header: never fold it into the previous one
        if (msg.inbox_channel) {
            return false;
        }
        return super.isSquashed(msg, prevMsg);
    },
    applyScroll() {
        super.applyScroll(...arguments);
        // a thread shorter than its column never scrolls: all of it is seen
        this.inboxMarkSeen();
    },
    saveScroll() {
        super.saveScroll(...arguments);
        this.inboxMarkSeen();
    },
    inboxMarkSeen() {
        if (this.env.inInbox && this.state.mountedAndLoaded && this.scrollableRef.el && this.isAtBottom) {
            const newestId = toRaw(this.props.thread).newestPersistentMessage?.id || 0;
            if (newestId > this.inboxScroll.seenId) {
                this.inboxScroll.seenId = newestId;
            }
        }
    },
    /** Messages that arrived below the fold while the user reads the history. */
    get inboxNewMessageCount() {
        if (!this.env.inInbox || !this.state.mountedAndLoaded || !this.inboxScroll.seenId) {
            return 0;
        }
        // at the bottom, what comes is shown as it comes
        if (this.scrollableRef.el && this.isAtBottom) {
            return 0;
        }
        return this.props.thread.messages.filter(
            (message) => message.persistent && message.id > this.inboxScroll.seenId
        ).length;
    },
    onClickInboxNewMessages() {
        if (this.props.thread.loadNewer) {
            return this.jumpToPresent();
        }
        const el = this.scrollableRef.el;
        this.setScroll(el.scrollHeight - el.clientHeight);
    },
});
