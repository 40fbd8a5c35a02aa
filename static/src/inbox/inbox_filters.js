import { Component } from "@odoo/owl";
import { inboxChannels } from "@unified_inbox/core/common/inbox_channels";
import { formatCount, senderLabel } from "./inbox_format";

/** The Inbox's left column: status tabs with their counts, and the filters. */
export class InboxFilters extends Component {
    static template = "unified_inbox.InboxFilters";
    static props = {
        tabs: Array,
        tab: String,
        counts: Object,
        countCap: Number,
        senders: Array,
        users: Array,
        labels: Array,
        onSelectTab: Function,
        // (field, value): "channel", "senderId", "userId", "labelId", "sort"
        onFilterChange: Function,
        // the last week at a glance (see inbox_report_summary), for managers; else false
        summary: { type: [Object, Boolean], optional: true },
        onOpenReport: { type: Function, optional: true },
    };

    setup() {
        this.channels = inboxChannels();
        this.senderLabel = senderLabel;
    }

    /** "1h 05", "12 min", or "–" when there is nothing to measure. */
    formatHours(hours) {
        if (hours === null || hours === undefined) {
            return "–";
        }
        const minutes = Math.round(hours * 60);
        return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}`;
    }

    formatCount(count) {
        return formatCount(count, this.props.countCap);
    }
}
