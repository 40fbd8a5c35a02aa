import { Thread } from "@mail/core/common/thread";
import { Component, onMounted, onWillStart, onWillUnmount, useState, useSubEnv } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { InboxComposer } from "./inbox_composer";

const FIELDS = ["partner_id", "state", "user_id", "channel_availability"];

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
        const bus = useService("bus_service");
        const refresh = useDebounced(() => this.refresh(), 300);
        const onInsert = (payload) => {
            const inboxMessages = (payload["mail.message"] || []).some(
                (message) => message.inbox_channel || message.inbox_card
            );
            if (inboxMessages && this.state.conversation) {
                refresh();
            }
        };
        onMounted(() => bus.subscribe("mail.record/insert", onInsert));
        onWillUnmount(() => bus.unsubscribe("mail.record/insert", onInsert));
    }

    async load(create = false) {
        const { resModel, resId } = this.props.record;
        const id = resId && (await this.orm.call(resModel, "inbox_feed_conversation", [[resId]], { create }));
        if (id) {
            const [conversation] = await this.orm.read("inbox.conversation", [id], FIELDS);
            this.state.conversation = conversation;
            this.state.thread = this.store.Thread.insert({ model: "inbox.conversation", id });
        }
        this.state.loaded = true;
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
