import { session } from "@web/session";

/**
 * The Inbox's channels and their rules, as the server's registry sends them
 * once per session (``channels/`` in Python, ``ir.http.session_info``): the
 * web client has no channel list of its own and never branches on a
 * channel's key.
 *
 * Each channel: ``{ key, label, icon, sequence, identity, opt_out_list,
 * rich_text, subject, max_length, segment_length, attachment_max_size,
 * reply_window, send_with_enter, calls, internal }``.
 */

/** All channels, in the Inbox's order (by sequence). */
export function inboxChannels() {
    return session.inbox_channels || [];
}

/** The channel ``key``, or undefined. */
export function inboxChannel(key) {
    return inboxChannels().find((channel) => channel.key === key);
}

/** The channels that reach the person (all but internal notes), in order. */
export function externalChannels() {
    return inboxChannels().filter((channel) => !channel.internal);
}

/** The channels written on in the composer (all but those of calls). */
export function writtenChannels() {
    return inboxChannels().filter((channel) => !channel.calls);
}

/**
 * Whether the Call button shows for ``conversation`` and may be used: the
 * availability of its channel of calls (``{ available, reason }``), or null
 * when the user has no account to call from.
 */
export function callAvailability(conversation) {
    const channel = inboxChannels().find((channel) => channel.calls);
    const availability = channel && conversation.channel_availability?.[channel.key];
    return availability?.sender_ids?.length ? availability : null;
}

/** The channels whose free text may go only within a reply window. */
export function windowedChannels() {
    return externalChannels().filter((channel) => channel.reply_window);
}
