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
    };

    setup() {
        this.channels = inboxChannels();
        this.senderLabel = senderLabel;
    }

    formatCount(count) {
        return formatCount(count, this.props.countCap);
    }
}
