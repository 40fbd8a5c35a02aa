import { inboxChannel } from "@unified_inbox/core/common/inbox_channels";

/** A count as shown: past the server's cap, "999+". */
export function formatCount(count, cap = Infinity) {
    return count >= cap ? `${cap - 1}+` : String(count || 0);
}

/** A UTC datetime of the server ("yyyy-MM-dd HH:mm:ss"), local and short. */
export function formatDate(value) {
    return value ? luxon.DateTime.fromSQL(value, { zone: "utc" }).toLocal().toFormat("ccc d LLL, HH:mm") : "";
}

/** Today: the time; before: "3 days ago". */
export function relativeTime(value) {
    if (!value) {
        return "";
    }
    const date = luxon.DateTime.fromSQL(value, { zone: "utc" }).toLocal();
    return date.hasSame(luxon.DateTime.local(), "day")
        ? date.toLocaleString(luxon.DateTime.TIME_SIMPLE)
        : date.toRelative();
}

/** The icon of a channel, by its key. */
export function channelIcon(key) {
    return inboxChannel(key)?.icon || "fa-comment-o";
}

/** "Front desk (+32 470…)": a sender account as the selects show it. */
export function senderLabel(sender) {
    return sender.address && sender.address.toLowerCase() !== sender.name.toLowerCase()
        ? `${sender.name} (${sender.address})`
        : sender.name;
}
