import { Thread } from "@mail/core/common/thread";
import { Component, onMounted, onWillStart, onWillUnmount, useState, useSubEnv } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { InboxComposer } from "./inbox_composer";

/** The person's conversation on their form (or an opportunity's), with the
 * Inbox's own timeline and composer, under the same rules. */
export class InboxFeed extends Component {
    static template = "unified_inbox.InboxFeed";
    static components = { Thread, InboxComposer };
    static props = standardWidgetProps;

    setup() {
        // the form's chatter is not this thread: it fetches its own messages
        useSubEnv({ inInbox: true, chatter: null });
        this.orm = useService("orm");
        this.store = useService("mail.store");
        this.state = useState({ conversation: null, thread: null, senders: [], loaded: false });
        onWillStart(async () => {
            const [senders] = await Promise.all([
                this.orm.searchRead("inbox.sender", [], ["name", "address"], { order: "sequence, id" }),
                this.load(),
            ]);
            this.state.senders = senders;
        });
        // a push of the conversation's new messages carries the
        // conversation (see _inbox_bus_send): its record of the Store, which
        // the composer reads, follows; its thread too (see
        // inbox_realtime_service.js). Pushed data older than what is held
        // was kept out: it is read again.
        const bus = useService("bus_service");
        const onInsert = (payload) => {
            const conversation = this.state.conversation;
            if (
                conversation?.outdated &&
                (payload["inbox.conversation"] || []).some((data) => data.id === conversation.id)
            ) {
                this.fetchConversation(conversation.id);
            }
        };
        onMounted(() => bus.subscribe("mail.record/insert", onInsert));
        onWillUnmount(() => bus.unsubscribe("mail.record/insert", onInsert));
    }

    async load(create = false) {
        const { resModel, resId } = this.props.record;
        const id = resId && (await this.orm.call(resModel, "inbox_feed_conversation", [[resId]], { create }));
        if (id) {
            this.state.conversation = await this.fetchConversation(id);
            this.state.thread = this.store.Thread.insert({ model: "inbox.conversation", id });
        }
        this.state.loaded = true;
    }

    /** The conversation ``id`` (its channels for the user), into the Store. */
    async fetchConversation(id) {
        const data = await this.orm.call("inbox.conversation", "inbox_list_row", [[id]]);
        return this.store["inbox.conversation"].insert(data);
    }

    async refresh() {
        await Promise.all([this.load(), this.state.thread?.fetchNewMessages()]);
    }

    async onSent() {
        // what one writes is shown: back at the newest message
        if (this.state.thread) {
            this.state.thread.scrollTop = "bottom";
        }
        await this.refresh();
    }

    start() {
        return this.load(true);
    }
}

registry.category("view_widgets").add("inbox_feed", { component: InboxFeed });
