import { Thread } from "@mail/core/common/thread";
import { Component, EventBus, onMounted, onWillStart, onWillUnmount, useEffect, useState, useSubEnv } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { SIZES } from "@web/core/ui/ui_service";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { useColumnWidths } from "./column_widths";
import { InboxComposer } from "./inbox_composer";
import { InboxConversationList } from "./inbox_conversation_list";
import { InboxFilters } from "./inbox_filters";
import { InboxPersonPanel } from "./inbox_person_panel";
import { InboxThreadHeader } from "./inbox_thread_header";
import { loadTheme, saveTheme, themeStyle } from "./inbox_themes";

export const TABS = [
    { key: "open", label: _t("Open") },
    { key: "unread", label: _t("Unread") },
    { key: "unassigned", label: _t("Unassigned") },
    { key: "mine", label: _t("Mine") },
    { key: "closed", label: _t("Closed") },
    { key: "all", label: _t("All") },
    // the user's due calls and messages (Odoo's activities), not conversations
    { key: "actions", label: _t("Actions") },
];

const PAGE_SIZE = 40;

const RECORD_TITLES = {
    "crm.lead": _t("Opportunity"),
    "res.partner": _t("Contact"),
    "calendar.event": _t("Appointment"),
};

/** ``callback`` once, ``delay`` ms after the first of the calls made
 * meanwhile: unlike a debounce, calls that keep coming do not put it off. */
function useCoalesced(callback, delay) {
    let timeout = null;
    onWillUnmount(() => clearTimeout(timeout));
    return () => {
        timeout ??= setTimeout(() => {
            timeout = null;
            callback();
        }, delay);
    };
}

/**
 * The Inbox: status tabs and filters, conversation list, thread and
 * composer, person. It holds the data and talks to the server; its columns
 * are components of their own (props down, callbacks up).
 *
 * Conversations are records of the mail Store (``inbox.conversation``): the
 * list's rows and the open conversation are the same records, and the
 * server's pushes of new messages update them (and the thread) in place.
 */
export class InboxAction extends Component {
    static template = "unified_inbox.InboxAction";
    static components = {
        Thread,
        InboxComposer,
        InboxConversationList,
        InboxFilters,
        InboxPersonPanel,
        InboxThreadHeader,
    };
    static props = ["*"];

    setup() {
        useSubEnv({ inInbox: true });
        this.orm = useService("orm");
        this.store = useService("mail.store");
        this.ui = useState(useService("ui"));
        this.tabs = TABS;
        this.columns = useColumnWidths();
        this.state = useState({
            // the colour theme this browser chose
            theme: loadTheme(),
            // the Actions queue when its tab is shown, the action being done
            // (with its conversation's id) and the composer's draft for it
            actions: null,
            currentAction: null,
            actionDraft: "",
            tab: "open",
            channel: "",
            search: "",
            userId: "",
            labelId: "",
            senderId: "",
            senders: [],
            sort: "recent",
            users: [],
            labels: [],
            loadingMore: false,
            details: null,
            // records of the Store, in the server's order
            rows: [],
            counts: {},
            total: 0,
            countCap: Infinity,
            hasMore: false,
            newNumber: false,
            // the person searched for is in a conversation of another team
            handledBy: [],
            // the open conversation: a record of the Store
            selected: null,
            thread: null,
            // the conversation whose composer takes the focus when shown (one just started)
            composerFocus: false,
        });
        // whether each row was unread when last seen: a push that changes
        // it changes the Unread tab's count
        this.unreadById = new Map();
        // actions skipped in this visit of the queue: they come last
        this.skippedActions = new Set();
        this.notification = useService("notification");
        // what the person panel puts in the composer (a payment link)
        this.composerBus = new EventBus();
        onWillStart(async () => {
            const [users, labels, senders, summary] = await Promise.all([
                this.orm.searchRead("res.users", [["share", "=", false]], ["name"], { order: "name" }),
                this.orm.searchRead("inbox.label", [], ["name", "color"], { order: "name" }),
                this.orm.searchRead("inbox.sender", [], ["name", "address"], { order: "sequence, id" }),
                // the last week at a glance, for managers (null for others)
                this.orm.call("inbox.conversation", "inbox_report_summary", []),
                this.load(),
            ]);
            Object.assign(this.state, { users, labels, senders, summary });
            // opened on a conversation (one just started from the menu's New Conversation)
            const conversationId = this.props.action?.params?.conversation_id;
            if (conversationId) {
                await this.openById(conversationId);
            }
        });
        this.loadSequence = 0;
        // the server pushes, after commit, every message and status change
        // of the conversations this user may read, with the conversation
        // (see _inbox_bus_send): the Store has it when this runs
        const bus = useService("bus_service");
        // once 300 ms after the first push that asks for it: pushes that keep
        // coming (a busy queue) must not put the list off
        const reload = useCoalesced(() => this.load(), 300);
        const reloadSelected = useDebounced(() => this.reloadSelected(), 300);
        const reloadDetails = useDebounced(() => this.state.selected && this.panelShown && this.reloadDetails(), 300);
        // a screen that grows wide enough shows the panel of the open conversation
        useEffect(
            (shown) => {
                if (shown && this.state.selected && !this.state.details) {
                    this.reloadDetails();
                }
            },
            () => [this.panelShown]
        );
        const markRead = useDebounced(() => this.markOpenConversationRead(), 300);
        const onInsert = (payload) => {
            const conversations = payload["inbox.conversation"] || [];
            const messages = payload["mail.message"] || [];
            // a card (an appointment confirmed, moved, canceled, from
            // wherever): the panel of the person on screen follows (the push
            // does not say whose card it is; one call, after the burst)
            if (messages.some((message) => message.inbox_card)) {
                reloadDetails();
            }
            if (!conversations.length) {
                return;
            }
            const shown = new Set(this.state.rows.map((row) => row.id));
            // pushed data older than what is shown was kept out (see
            // InboxConversation.update): what is shown is read again
            const outdated = conversations
                .map((data) => this.store["inbox.conversation"].get(data.id))
                .filter((record) => record?.outdated);
            if (
                conversations.some((conversation) => !shown.has(conversation.id)) ||
                outdated.some((record) => shown.has(record.id)) ||
                // a line of history (a new assignee, a status, a label) may
                // move a conversation in or out of the tab shown
                messages.some((message) => message.message_type === "notification" && !message.inbox_card) ||
                // who waits for an answer changes with every message
                this.state.sort !== "recent"
            ) {
                // a conversation that is not on the page may belong there
                // (under the filters only the server knows): the list again
                reload();
            }
            if (outdated.some((record) => record.id === this.state.selected?.id)) {
                reloadSelected();
            }
            this.countUnread();
            if (conversations.some((conversation) => conversation.id === this.state.selected?.id)) {
                markRead();
            }
        };
        // the conversation went to another team or assignee: not this user's to read any more
        const notification = this.notification;
        const onGone = ({ id }) => {
            if (this.state.selected?.id === id) {
                this.back();
                notification.add(_t("This conversation went to another team or assignee."), { type: "warning" });
            }
            if (this.state.rows.some((row) => row.id === id)) {
                reload();
            }
        };
        onMounted(() => {
            bus.subscribe("mail.record/insert", onInsert);
            bus.subscribe("unified_inbox/conversation_gone", onGone);
        });
        onWillUnmount(() => {
            bus.unsubscribe("mail.record/insert", onInsert);
            bus.unsubscribe("unified_inbox/conversation_gone", onGone);
        });
    }

    get themeStyle() {
        return themeStyle(this.state.theme);
    }

    setTheme(key) {
        this.state.theme = saveTheme(key);
    }

    /** The rows in the list's order: newest first, a row that a push
     * made newer moves up (a stable sort: the server's order otherwise). */
    get rows() {
        if (this.state.sort !== "recent") {
            return this.state.rows;
        }
        const date = (row) => row.last_message_date || "";
        return [...this.state.rows].sort((a, b) => (date(a) < date(b)) - (date(a) > date(b)));
    }

    /** Keep the Unread tab's count in step with rows read or unread since. */
    countUnread() {
        for (const row of this.state.rows) {
            const was = this.unreadById.get(row.id);
            if (was !== undefined && was !== row.is_unread) {
                const count = this.state.counts.unread || 0;
                this.state.counts.unread = Math.max(0, count + (row.is_unread ? 1 : -1));
            }
            this.unreadById.set(row.id, row.is_unread);
        }
    }

    /** Everything again: the list, the open thread and conversation. */
    async refresh() {
        await Promise.all([this.load(), this.state.thread?.fetchNewMessages(), this.reloadSelected()]);
        await this.markOpenConversationRead();
    }

    /** The conversation on screen is being read: what comes in is read. */
    async markOpenConversationRead() {
        const selected = this.state.selected;
        if (selected?.is_unread) {
            await this.markRead(selected);
        }
    }

    async markRead(conversation) {
        await this.orm.call("inbox.conversation", "action_mark_read", [[conversation.id]]);
        conversation.is_unread = false;
        this.countUnread();
    }

    /** Put a label on the open conversation, or take it off. */
    async setLabel(labelId, active) {
        const conversation = this.state.selected;
        const labels = await this.orm.call("inbox.conversation", "inbox_set_label", [[conversation.id], labelId], {
            active,
        });
        conversation.labels = labels;
        await this.load();
    }

    /** The open conversation's own state again: a reply opens the WhatsApp
     * window, an opt-out closes a channel, somebody else attends it. */
    async reloadSelected() {
        if (this.state.selected) {
            await this.fetchConversation(this.state.selected.id);
        }
    }

    /** The conversation ``id`` whole (row, header, channels), into the Store. */
    async fetchConversation(id) {
        const data = await this.orm.call("inbox.conversation", "inbox_list_row", [[id]]);
        return this.store["inbox.conversation"].insert(data);
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

    /** The list's rows as records of the Store. */
    insertRows(rows) {
        const records = this.store["inbox.conversation"].insert(rows);
        for (const record of records) {
            this.unreadById.set(record.id, record.is_unread);
        }
        return records;
    }

    async load() {
        const sequence = ++this.loadSequence;
        const inActions = this.state.tab === "actions";
        const [result, actions] = await Promise.all([
            this.orm.call("inbox.conversation", "inbox_list", [], {
                ...this.listParams(),
                // the tabs' counts, and the open conversations under the queue
                tab: inActions ? "open" : this.state.tab,
            }),
            this.orm.call("inbox.conversation", inActions ? "inbox_action_queue" : "inbox_action_count", []),
        ]);
        if (sequence !== this.loadSequence) {
            return; // a newer search or filter answers (or will): this answer is stale
        }
        if (inActions) {
            this.state.actions = this.queueOrder(actions);
        }
        Object.assign(this.state, {
            rows: this.insertRows(result.conversations),
            counts: { ...result.counts, actions: inActions ? actions.length : actions },
            total: result.total,
            countCap: result.count_cap,
            hasMore: result.conversations.length === PAGE_SIZE,
            newNumber: result.new_number,
            handledBy: result.handled_by || [],
        });
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
            this.state.rows.push(...this.insertRows(result.conversations.filter((row) => !known.has(row.id))));
        } finally {
            this.state.loadingMore = false;
        }
    }

    onFilterChange(field, value) {
        this.state[field] = value;
        this.load();
    }

    selectTab(tab) {
        this.state.tab = tab;
        if (tab !== "actions") {
            this.state.actions = null;
            this.state.currentAction = null;
        }
        this.load();
    }

    /** The queue as the server gives it (oldest first), those skipped in
     * this visit last. */
    queueOrder(actions) {
        const skipped = this.skippedActions;
        return [...actions.filter((a) => !skipped.has(a.id)), ...actions.filter((a) => skipped.has(a.id))];
    }

    /** Do an action: its person's conversation, the composer set for it
     * (a message's note as the draft), the action above the thread. */
    async openAction(action) {
        const id = await this.orm.call("inbox.conversation", "inbox_action_open", [action.id]);
        this.state.currentAction = { ...action, conversationId: id };
        this.state.actionDraft = action.kind === "message" ? action.note : "";
        await this.open({ id }, { focusComposer: true });
    }

    /** The action is done (or skipped for now): on to the next one. */
    async finishAction(done) {
        const action = this.state.currentAction;
        if (done) {
            await this.orm.call("inbox.conversation", "inbox_action_done", [action.id]);
        } else {
            this.skippedActions.add(action.id);
        }
        await this.load();
        const others = this.state.actions.filter((item) => item.id !== action.id);
        let next = others.find((item) => !this.skippedActions.has(item.id));
        if (!next && done && others.length) {
            // only skipped ones are left: their turn comes again
            this.skippedActions.clear();
            next = others[0];
        }
        if (next) {
            await this.openAction(next);
        } else {
            this.state.currentAction = null;
            this.state.actionDraft = "";
            this.notification.add(_t("The queue is done for now."), { type: "success" });
        }
    }

    onSearch(search) {
        if (search !== this.state.search) {
            this.state.search = search;
            this.load();
        }
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
        await this.open({ id }, { focusComposer: true });
    }

    /** Open a conversation: its record and latest messages in one call,
     * read by the user if it was unread; the person panel in a call of its
     * own beside it, where the screen shows one: the thread does not wait
     * for it. The thread's own fetch when it shows then only asks what
     * came since. */
    async open(row, { focusComposer = false } = {}) {
        const model = "inbox.conversation";
        const loaded = this.store.Thread.get({ model, id: row.id })?.isLoaded;
        const panel = this.panelShown ? this.orm.call(model, "inbox_details", [[row.id]]) : null;
        let opened;
        try {
            opened = await this.orm.call(model, "inbox_open", [[row.id]], {
                mark_read: true,
                messages: loaded ? 0 : this.store.FETCH_LIMIT,
            });
        } catch (error) {
            // the panel fails for the same reason: said once
            panel?.catch(() => {});
            throw error;
        }
        const { conversation: data, messages } = opened;
        const conversation = this.store[model].insert(data);
        const thread = this.store.Thread.insert({ model, id: row.id });
        if (messages && !thread.isLoaded) {
            this.store.insert(messages.data);
            // oldest first, as the thread holds them
            thread.messages = this.store["mail.message"].insert([...messages.ids].reverse());
            thread.loadOlder = messages.ids.length === this.store.FETCH_LIMIT;
            thread.isLoaded = true;
        }
        this.state.composerFocus = focusComposer && row.id;
        if (this.state.selected?.id !== row.id) {
            // not another person's panel meanwhile
            this.state.details = null;
        }
        this.state.selected = conversation;
        this.state.thread = thread;
        this.countUnread();
        if (panel) {
            this.showDetails(row.id, await panel);
        }
    }

    /** Whether the screen is wide enough for the person panel (see inbox_action.scss). */
    get panelShown() {
        return this.ui.size >= SIZES.LG;
    }

    showDetails(id, details) {
        if (this.state.selected?.id === id) {
            this.state.details = details;
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
        this.showDetails(id, await this.orm.call("inbox.conversation", "inbox_details", [[id]]));
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
                    default_opportunity_id: this.state.selected.lead_id || false,
                },
            },
            { onClose: () => this.reloadDetails() }
        );
    }

    /** "Same person": an Inbox manager merges another contact into the
     * person, after a preview; the merged conversation opens. */
    mergePerson() {
        this.env.services.action.doAction("unified_inbox.inbox_merge_person_action", {
            additionalContext: { default_partner_id: this.state.details.partner.id },
            onClose: async (infos) => {
                const id = infos?.conversation_id;
                const thread = id && this.store.Thread.get({ model: "inbox.conversation", id });
                if (thread) {
                    // its history grew with the other person's, older messages included
                    thread.messages = [];
                    thread.isLoaded = false;
                }
                await this.load();
                if (id) {
                    await this.openById(id);
                    await this.state.thread.fetchNewMessages();
                }
            },
        });
    }

    async linkOpportunity(leadId) {
        await this.orm.call("inbox.conversation", "inbox_link_opportunity", [[this.state.selected.id], leadId]);
        await Promise.all([this.reloadDetails(), this.reloadSelected(), this.state.thread?.fetchNewMessages()]);
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
        const conversation = this.state.selected;
        const method = conversation.state === "open" ? "action_close" : "action_reopen";
        await this.orm.call("inbox.conversation", method, [[conversation.id]]);
        // the change shows in the thread, as a system line
        await Promise.all([this.load(), this.reloadSelected(), this.state.thread?.fetchNewMessages()]);
    }

    /** The bot answers the person, or not (Take over: the team does). */
    async setBot(active) {
        await this.orm.call("inbox.conversation", "inbox_set_bot", [[this.state.selected.id], active]);
        await this.reloadSelected();
    }

    /** The payment link of one of the person's open documents, in the
     * composer for review (from the person panel). */
    async insertPaymentLink(document) {
        try {
            const text = await this.orm.call("inbox.conversation", "inbox_payment_link", [
                [this.state.selected.id],
                document.model,
                document.id,
            ]);
            this.composerBus.trigger("insert", text);
        } catch (error) {
            if (error.data?.name !== "odoo.exceptions.UserError") {
                throw error;
            }
            this.notification.add(error.data.message, { type: "warning" });
        }
    }

    openReport() {
        this.env.services.action.doAction("unified_inbox.inbox_report_response_action");
    }

    /** Call the person: the provider rings the user's own phone, then
     * theirs. The entry shows at once ("Calling"); a refusal says why. */
    async callPerson() {
        if (this.calling) {
            return; // a double click places one call
        }
        this.calling = true;
        const conversation = this.state.selected;
        try {
            await this.orm.call("inbox.conversation", "action_inbox_call", [[conversation.id]]);
        } catch (error) {
            if (error.data?.name !== "odoo.exceptions.UserError") {
                throw error;
            }
            this.notification.add(error.data.message, { type: "warning" });
            return;
        } finally {
            this.calling = false;
        }
        await this.state.thread?.fetchNewMessages();
    }

    async assign(userId, { notify = false } = {}) {
        await this.orm.call("inbox.conversation", "inbox_assign", [[this.state.selected.id], userId || false], {
            notify,
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
}

registry.category("actions").add("unified_inbox.inbox", InboxAction);
