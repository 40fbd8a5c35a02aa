import { Component } from "@odoo/owl";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { useDebounced } from "@web/core/utils/timing";
import { channelIcon, formatCount, relativeTime } from "./inbox_format";
import { InboxThemeSwitcher } from "./inbox_theme_switcher";

export const STATUS_LABELS = { open: _t("Open"), closed: _t("Closed"), outbound_only: _t("Outbound only") };

/** The Inbox's conversation list: tabs (on phones), search, one row per
 * conversation, pages loaded as one scrolls. */
export class InboxConversationList extends Component {
    static template = "unified_inbox.InboxConversationList";
    static components = { InboxThemeSwitcher };
    static props = {
        width: Number,
        tabs: Array,
        tab: String,
        counts: Object,
        countCap: Number,
        total: Number,
        // the rows, in the list's order: { id, partner, avatar_text, status, ... }
        rows: Array,
        selectedId: { type: [Number, { value: false }], optional: true },
        newNumber: { type: [String, { value: false }], optional: true },
        // conversations of other teams the searched person is in
        handledBy: Array,
        onSelectTab: Function,
        // the search typed (trimmed), once the typing pauses
        onSearch: Function,
        onOpen: Function,
        onLoadMore: Function,
        // (address = false): the New Message dialog
        onNewConversation: Function,
        onRefresh: Function,
        onRequestJoin: Function,
        // the colour theme's key, and choosing another
        theme: String,
        onSetTheme: Function,
        // the Actions queue, shown instead of the conversations (null: not shown)
        actions: { type: [Array, { value: null }], optional: true },
        currentActionId: { type: [Number, { value: false }], optional: true },
        onOpenAction: { type: Function, optional: true },
    };

    setup() {
        this.statusLabels = STATUS_LABELS;
        this.channelIcon = channelIcon;
        this.relativeTime = relativeTime;
        // search as one types, once the typing pauses
        this.typedSearch = "";
        this.debouncedSearch = useDebounced(() => this.applySearch(), 300);
    }

    formatCount(count) {
        return formatCount(count, this.props.countCap);
    }

    /** "1 conversation", "2 conversations", "999+ conversations". */
    get totalLabel() {
        if (this.props.actions) {
            const count = this.props.actions.length;
            return count === 1 ? _t("1 action to do") : _t("%s actions to do", count);
        }
        const count = this.formatCount(this.props.total);
        return this.props.total === 1 ? _t("%s conversation", count) : _t("%s conversations", count);
    }

    /** An action's due date, as the user's language writes dates. */
    dueDate(action) {
        return formatDate(deserializeDate(action.date_deadline));
    }

    /** "Team (Assignee)": who handles a conversation the user may not read. */
    handledByLabel(handled) {
        if (handled.team && handled.user) {
            return _t("%(team)s (%(user)s)", { team: handled.team, user: handled.user });
        }
        return handled.team || handled.user || _t("nobody yet");
    }

    onRowsScroll(ev) {
        const el = ev.target;
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 80) {
            this.props.onLoadMore();
        }
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
        this.props.onSearch(this.typedSearch.trim());
    }
}
