import { session } from "@web/session";

/**
 * The Inbox's channels and their rules, as the server's registry sends them
 * once per session (``channels/`` in Python, ``ir.http.session_info``): the
 * web client has no channel list of its own and never branches on a
 * channel's key.
 *
 * Each channel: ``{ key, label, icon, sequence, identity, opt_out_list,
 * rich_text, subject, max_length, segment_length, attachment_max_size,
 * reply_window, send_with_enter, internal }``.
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

/** The channels whose free text may go only within a reply window. */
export function windowedChannels() {
    return externalChannels().filter((channel) => channel.reply_window);
}
