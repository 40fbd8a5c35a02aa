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
    "is_unread",
];

const RECORD_TITLES = {
    "crm.lead": _t("Opportunity"),
    "res.partner": _t("Contact"),
    "calendar.event": _t("Appointment"),
};

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
            // the person searched for is in a conversation of another team
            handledBy: [],
            selected: null,
            thread: null,
            // the conversation whose composer takes the focus when shown (one just started)
            composerFocus: false,
        });
        onWillStart(async () => {
            const [users, labels, senders] = await Promise.all([
                this.orm.searchRead("res.users", [["share", "=", false]], ["name"], { order: "name" }),
                this.orm.searchRead("inbox.label", [], ["name", "color"], { order: "name" }),
                this.orm.searchRead("inbox.sender", [], ["name", "address"], { order: "sequence, id" }),
                this.load(),
            ]);
            Object.assign(this.state, { users, labels, senders });
            // opened on a conversation (one just started from the menu's New Conversation)
            const conversationId = this.props.action?.params?.conversation_id;
            if (conversationId) {
                await this.openById(conversationId);
            }
        });
        // the server pushes, after commit, every message and status change
        // of the conversations this user may read
        const bus = useService("bus_service");
        const refresh = useDebounced(() => this.refresh(), 300);
        // search as one types, once the typing pauses
        this.typedSearch = "";
        this.debouncedSearch = useDebounced(() => this.applySearch(), 300);
        this.loadSequence = 0;
        const reloadDetails = useDebounced(() => this.state.selected && this.reloadDetails(), 300);
        const onInsert = (payload) => {
            if ((payload["mail.message"] || []).some((message) => message.inbox_channel || message.inbox_card)) {
                refresh();
            }
            // a card (an appointment confirmed, moved, canceled, from
            // wherever): the panel of the person on screen follows (the push
            // does not say whose card it is; one call, after the burst)
            if ((payload["mail.message"] || []).some((message) => message.inbox_card)) {
                reloadDetails();
            }
        };
        onMounted(() => bus.subscribe("mail.record/insert", onInsert));
        onWillUnmount(() => bus.unsubscribe("mail.record/insert", onInsert));
    }

    async refresh() {
        await Promise.all([this.load(), this.state.thread?.fetchNewMessages(), this.reloadSelected()]);
        await this.markOpenConversationRead();
    }

    /** The conversation on screen is being read: what comes in is read. */
    async markOpenConversationRead() {
        const selected = this.state.selected;
        if (!selected?.is_unread) {
            return;
        }
        await this.orm.call("inbox.conversation", "action_mark_read", [[selected.id]]);
        selected.is_unread = false;
        const row = this.state.rows.find((row) => row.id === selected.id);
        if (row?.is_unread) {
            row.is_unread = false;
            this.state.counts.unread = Math.max(0, (this.state.counts.unread || 1) - 1);
        }
    }

    /** The labels the open conversation does not have yet. */
    get unsetLabels() {
        const set = new Set((this.state.selected?.labels || []).map((label) => label.id));
        return this.state.labels.filter((label) => !set.has(label.id));
    }

    async onLabelAdd(ev) {
        const labelId = parseInt(ev.target.value);
        ev.target.value = "";
        if (labelId) {
            await this.setLabel(labelId, true);
        }
    }

    /** Put a label on the open conversation, or take it off. */
    async setLabel(labelId, active) {
        const id = this.state.selected.id;
        const labels = await this.orm.call("inbox.conversation", "inbox_set_label", [[id], labelId], { active });
        if (this.state.selected?.id === id) {
            this.state.selected.labels = labels;
        }
        await this.load();
    }

    /** "1 conversation", "2 conversations", "999+ conversations". */
    get totalLabel() {
        const count = this.formatCount(this.state.total);
        return this.state.total === 1
            ? _t("%s conversation", count)
            : _t("%s conversations", count);
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
        const availability = selected?.channel_availability?.whatsapp;
        if (!availability?.sender_ids?.length) {
            return null;
        }
        if (!availability.available && !availability.templates_only) {
            // opted out, do-not-disturb, provider down: whatever the window,
            // nothing can go on WhatsApp now
            return { open: false, label: _t("WhatsApp unavailable"), reason: availability.reason };
        }
        const now = luxon.DateTime.now();
        const expiry = availability.window_expiry
            ? luxon.DateTime.fromSQL(availability.window_expiry, { zone: "utc" })
            : null;
        if (availability.templates_only || !expiry || expiry <= now) {
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
        const sequence = ++this.loadSequence;
        const result = await this.orm.call("inbox.conversation", "inbox_list", [], this.listParams());
        if (sequence !== this.loadSequence) {
            return; // a newer search or filter answers (or will): this answer is stale
        }
        Object.assign(this.state, {
            rows: result.conversations,
            counts: result.counts,
            total: result.total,
            countCap: result.count_cap,
            hasMore: result.conversations.length === PAGE_SIZE,
            newNumber: result.new_number,
            handledBy: result.handled_by || [],
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
        const sequence = this.loadSequence;
        try {
            const result = await this.orm.call(
                "inbox.conversation", "inbox_list", [], this.listParams(this.state.rows.length)
            );
            if (sequence !== this.loadSequence) {
                return; // the search or a filter changed meanwhile: a page of another list
            }
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

    /** Search as one types, 300 ms after the last key; a cleared search
     * (its ✕, or the text deleted) brings the whole list back at once. */
    onSearchInput(ev) {
        this.typedSearch = ev.target.value;
        if (this.typedSearch.trim()) {
            this.debouncedSearch();
        } else {
            this.debouncedSearch.cancel();
            this.applySearch();
        }
    }

    onSearchKeydown(ev) {
        if (ev.key === "Enter") {
            this.typedSearch = ev.target.value;
            this.debouncedSearch.cancel();
            this.applySearch();
        }
    }

    applySearch() {
        const search = this.typedSearch.trim();
        if (search !== this.state.search) {
            this.state.search = search;
            this.load();
        }
    }

    /** "Team (Assignee)": who handles a conversation the user may not read. */
    handledByLabel(handled) {
        if (handled.team && handled.user) {
            return _t("%(team)s (%(user)s)", { team: handled.team, user: handled.user });
        }
        return handled.team || handled.user || _t("nobody yet");
    }

    /** Ask those who handle the person's conversation to let the user in. */
    async requestJoin(handled) {
        const answer = await this.orm.call("inbox.conversation", "inbox_request_join", [[handled.id]]);
        if (answer.joined) {
            await this.load();
        } else {
            handled.requested = true;
        }
    }

    /** Open a conversation that may not be on the page shown, its composer
     * ready to write in: one just started. */
    async openById(id) {
        const row =
            this.state.rows.find((row) => row.id === id) ||
            (await this.orm.call("inbox.conversation", "inbox_list_row", [[id]]));
        await this.open(row, { focusComposer: true });
    }

    async open(row, { focusComposer = false } = {}) {
        const [conversation] = await this.orm.read("inbox.conversation", [row.id], SELECTED_FIELDS);
        this.state.composerFocus = focusComposer && row.id;
        this.state.selected = { ...row, ...conversation };
        this.state.details = null;
        this.reloadDetails();
        this.state.thread = this.store.Thread.insert({ model: "inbox.conversation", id: row.id });
        if (row.is_unread) {
            await this.orm.call("inbox.conversation", "action_mark_read", [[row.id]]);
            row.is_unread = false;
            if (this.state.selected?.id === row.id) {
                this.state.selected.is_unread = false;
            }
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
        this.openRecord("crm.lead", leadId, _t("New opportunity"));
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
        // what one writes is shown: back at the newest message
        if (this.state.thread) {
            this.state.thread.scrollTop = "bottom";
        }
        await this.refresh();
    }

    async toggleState() {
        const method = this.state.selected.state === "open" ? "action_close" : "action_reopen";
        await this.orm.call("inbox.conversation", method, [[this.state.selected.id]]);
        this.state.selected.state = method === "action_close" ? "closed" : "open";
        // the change shows in the thread, as a system line
        await Promise.all([this.load(), this.state.thread?.fetchNewMessages()]);
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
        await Promise.all([this.reloadSelected(), this.load(), this.state.thread?.fetchNewMessages()]);
    }

    onAssignChange(ev) {
        return this.assign(parseInt(ev.target.value));
    }

    /** The New Message dialog; once sent, the user stays in the Inbox, on
     * the conversation, writing on. */
    newConversation(address = false) {
        this.env.services.action.doAction("unified_inbox.inbox_compose_action", {
            additionalContext: {
                // the wizard closes and says which conversation: opened here
                inbox_compose_close: true,
                ...(address ? { default_new_address: address } : {}),
            },
            onClose: async (infos) => {
                if (infos?.inbox_conversation_id) {
                    await this.load();
                    await this.openById(infos.inbox_conversation_id);
                } else {
                    await this.refresh();
                }
            },
        });
    }

    openRecord(model, id, name = undefined) {
        this.env.services.action.doAction({
            type: "ir.actions.act_window",
            // a dialog's title: without one it would read "Odoo"
            name: name || RECORD_TITLES[model],
            res_model: model,
            res_id: id,
            views: [[false, "form"]],
            target: "new",
        }, {
            // what was done in the dialog (an appointment confirmed, moved) shows in the panel
            onClose: () => this.state.selected && this.reloadDetails(),
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
