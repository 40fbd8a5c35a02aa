import { Thread } from "@mail/core/common/thread";
import { Component, onMounted, onWillStart, onWillUnmount, useState, useSubEnv } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { INBOX_CHANNELS } from "@unified_inbox/core/common/message_patch";
import { useColumnWidths } from "./column_widths";
import { InboxComposer } from "./inbox_composer";

export const TABS = [
    { key: "open", label: _t("Open") },
    { key: "unread", label: _t("Unread") },
    { key: "unassigned", label: _t("Unassigned") },
    { key: "mine", label: _t("Mine") },
    { key: "closed", label: _t("Closed") },
    { key: "all", label: _t("All") },
];

const PAGE_SIZE = 40;

// what the thread's header and composer show of the open conversation
const SELECTED_FIELDS = [
    "partner_id",
    "state",
    "user_id",
    "lead_id",
    "channel_availability",
    "whatsapp_window_expiry",
];

const STATUS_LABELS = { open: _t("Open"), closed: _t("Closed"), outbound_only: _t("Outbound only") };

/** The Inbox: status tabs and filters, conversation list, thread and composer, person. */
export class InboxAction extends Component {
    static template = "unified_inbox.InboxAction";
    static components = { Thread, InboxComposer };
    static props = ["*"];

    setup() {
        useSubEnv({ inInbox: true });
        this.orm = useService("orm");
        this.store = useService("mail.store");
        this.tabs = TABS;
        this.channels = INBOX_CHANNELS;
        this.statusLabels = STATUS_LABELS;
        this.columns = useColumnWidths();
        this.state = useState({
            tab: "open",
            channel: "",
            search: "",
            userId: "",
            labelId: "",
            senderId: "",
            notifyAssignee: false,
            senders: [],
            sort: "recent",
            users: [],
            labels: [],
            loadingMore: false,
            details: null,
            rows: [],
            counts: {},
            total: 0,
            countCap: Infinity,
            hasMore: false,
            newNumber: false,
            selected: null,
            thread: null,
        });
        onWillStart(async () => {
            const [users, labels, senders] = await Promise.all([
                this.orm.searchRead("res.users", [["share", "=", false]], ["name"], { order: "name" }),
                this.orm.searchRead("inbox.label", [], ["name"], { order: "name" }),
                this.orm.searchRead("inbox.sender", [], ["name", "address"], { order: "sequence, id" }),
                this.load(),
            ]);
            Object.assign(this.state, { users, labels, senders });
        });
        // the server pushes, after commit, every message and status change
        // of the conversations this user may read
        const bus = useService("bus_service");
        const refresh = useDebounced(() => this.refresh(), 300);
        const onInsert = (payload) => {
            if ((payload["mail.message"] || []).some((message) => message.inbox_channel || message.inbox_card)) {
                refresh();
            }
        };
        onMounted(() => bus.subscribe("mail.record/insert", onInsert));
        onWillUnmount(() => bus.unsubscribe("mail.record/insert", onInsert));
    }

    async refresh() {
        await Promise.all([this.load(), this.state.thread?.fetchNewMessages(), this.reloadSelected()]);
    }

    /** The open conversation's own state: a reply opens the WhatsApp window,
     * an opt-out closes a channel, somebody else attends it. */
    async reloadSelected() {
        const id = this.state.selected?.id;
        if (!id) {
            return;
        }
        const [conversation] = await this.orm.read("inbox.conversation", [id], SELECTED_FIELDS);
        if (conversation && this.state.selected?.id === id) {
            Object.assign(this.state.selected, conversation);
        }
    }

    /** Whether free text may go on WhatsApp, and for how long. */
    get whatsappWindow() {
        const selected = this.state.selected;
        if (!selected?.channel_availability?.whatsapp?.sender_ids?.length) {
            return null;
        }
        const now = luxon.DateTime.now();
        const expiry = selected.whatsapp_window_expiry
            ? luxon.DateTime.fromSQL(selected.whatsapp_window_expiry, { zone: "utc" })
            : null;
        if (!expiry || expiry <= now) {
            return { open: false, label: _t("WhatsApp window closed") };
        }
        const { hours, minutes } = expiry.diff(now, ["hours", "minutes"]).toObject();
        return {
            open: true,
            label: _t("WhatsApp window open: %(hours)sh %(minutes)smin left", {
                hours: Math.floor(hours),
                minutes: Math.floor(minutes),
            }),
        };
    }

    listParams(offset = 0) {
        return {
            tab: this.state.tab,
            channel: this.state.channel || null,
            search: this.state.search || null,
            user_id: parseInt(this.state.userId) || null,
            label_id: parseInt(this.state.labelId) || null,
            sender_id: parseInt(this.state.senderId) || null,
            sort: this.state.sort,
            offset,
            limit: PAGE_SIZE,
        };
    }

    async load() {
        const result = await this.orm.call("inbox.conversation", "inbox_list", [], this.listParams());
        Object.assign(this.state, {
            rows: result.conversations,
            counts: result.counts,
            total: result.total,
            countCap: result.count_cap,
            hasMore: result.conversations.length === PAGE_SIZE,
            newNumber: result.new_number,
        });
    }

    /** A count as shown: past the server's cap, "999+". */
    formatCount(count) {
        return count >= this.state.countCap ? `${this.state.countCap - 1}+` : String(count || 0);
    }

    async loadMore() {
        if (this.state.loadingMore || !this.state.hasMore) {
            return;
        }
        this.state.loadingMore = true;
        try {
            const result = await this.orm.call(
                "inbox.conversation", "inbox_list", [], this.listParams(this.state.rows.length)
            );
            this.state.hasMore = result.conversations.length === PAGE_SIZE;
            const known = new Set(this.state.rows.map((row) => row.id));
            this.state.rows.push(...result.conversations.filter((row) => !known.has(row.id)));
        } finally {
            this.state.loadingMore = false;
        }
    }

    onRowsScroll(ev) {
        const el = ev.target;
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 80) {
            this.loadMore();
        }
    }

    onFilterChange(field, ev) {
        this.state[field] = ev.target.value;
        this.load();
    }

    selectTab(tab) {
        this.state.tab = tab;
        this.load();
    }

    onSearchKeydown(ev) {
        if (ev.key === "Enter") {
            this.state.search = ev.target.value;
            this.load();
        }
    }

    async open(row) {
        const [conversation] = await this.orm.read("inbox.conversation", [row.id], SELECTED_FIELDS);
        this.state.selected = { ...row, ...conversation };
        this.state.details = null;
        this.reloadDetails();
        this.state.thread = this.store.Thread.insert({ model: "inbox.conversation", id: row.id });
        if (row.is_unread) {
            await this.orm.call("inbox.conversation", "action_mark_read", [[row.id]]);
            row.is_unread = false;
            this.state.counts.unread = Math.max(0, (this.state.counts.unread || 1) - 1);
        }
    }

    /** Opt-out/opt-in or do-not-disturb of one channel, from the person panel. */
    async setConsent(channel, values) {
        const id = this.state.selected.id;
        await this.orm.call("inbox.conversation", "inbox_set_consent", [[id], channel], values);
        await Promise.all([this.reloadDetails(), this.reloadSelected()]);
        await this.state.thread?.fetchNewMessages();
    }

    async reloadDetails() {
        const id = this.state.selected.id;
        const details = await this.orm.call("inbox.conversation", "inbox_details", [[id]]);
        if (this.state.selected?.id === id) {
            this.state.details = details;
        }
    }

    /** A new opportunity for the person, linked to the conversation, opened to complete it. */
    async createOpportunity() {
        const leadId = await this.orm.call("inbox.conversation", "inbox_create_opportunity", [
            [this.state.selected.id],
        ]);
        await Promise.all([this.reloadDetails(), this.state.thread?.fetchNewMessages()]);
        this.openRecord("crm.lead", leadId);
    }

    /** A new appointment with the person, in a dialog over the Inbox; its
     * card comes in the thread like any other. */
    bookAppointment() {
        const { partner } = this.state.details;
        this.env.services.action.doAction(
            {
                type: "ir.actions.act_window",
                res_model: "calendar.event",
                views: [[false, "form"]],
                target: "new",
                context: {
                    default_partner_ids: [partner.id, user.partnerId],
                    default_opportunity_id: this.state.selected.lead_id?.[0] || false,
                },
            },
            { onClose: () => this.reloadDetails() }
        );
    }

    async linkOpportunity(leadId) {
        await this.orm.call("inbox.conversation", "inbox_link_opportunity", [[this.state.selected.id], leadId]);
        await Promise.all([this.reloadDetails(), this.state.thread?.fetchNewMessages()]);
    }

    back() {
        this.state.selected = null;
        this.state.thread = null;
    }

    async onSent() {
        await this.refresh();
    }

    async toggleState() {
        const method = this.state.selected.state === "open" ? "action_close" : "action_reopen";
        await this.orm.call("inbox.conversation", method, [[this.state.selected.id]]);
        this.state.selected.state = method === "action_close" ? "closed" : "open";
        await this.load();
    }

    async assign(userId) {
        await this.orm.call("inbox.conversation", "inbox_assign", [[this.state.selected.id], userId || false], {
            notify: this.state.notifyAssignee,
        });
        await this.reloadAssignee();
    }

    /** Attend: when somebody else was faster, the server says who, and the
     * header shows them. */
    async assignToMe() {
        try {
            await this.orm.call("inbox.conversation", "action_assign_to_me", [[this.state.selected.id]]);
        } finally {
            await this.reloadAssignee();
        }
    }

    async reloadAssignee() {
        await Promise.all([this.reloadSelected(), this.load()]);
    }

    onAssignChange(ev) {
        return this.assign(parseInt(ev.target.value));
    }

    newConversation(address = false) {
        this.env.services.action.doAction("unified_inbox.inbox_compose_action", {
            additionalContext: address ? { default_new_address: address } : {},
            onClose: () => this.refresh(),
        });
    }

    openRecord(model, id) {
        this.env.services.action.doAction({
            type: "ir.actions.act_window",
            res_model: model,
            res_id: id,
            views: [[false, "form"]],
            target: "new",
        });
    }

    formatDate(value) {
        return value ? luxon.DateTime.fromSQL(value, { zone: "utc" }).toLocal().toFormat("ccc d LLL, HH:mm") : "";
    }

    channelIcon(channel) {
        return this.channels[channel]?.icon || "fa-comment-o";
    }

    relativeTime(value) {
        if (!value) {
            return "";
        }
        const date = luxon.DateTime.fromSQL(value, { zone: "utc" }).toLocal();
        return date.hasSame(luxon.DateTime.local(), "day")
            ? date.toLocaleString(luxon.DateTime.TIME_SIMPLE)
            : date.toRelative();
    }
}

registry.category("actions").add("unified_inbox.inbox", InboxAction);
