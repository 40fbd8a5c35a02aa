import { beforeEach } from "@odoo/hoot";
import { mailModels } from "@mail/../tests/mail_test_helpers";
import { session } from "@web/session";
import { defineModels, patchWithCleanup } from "@web/../tests/web_test_helpers";
import { MailMessage } from "./mock_server/mail_message";

export const inboxModels = { ...mailModels, MailMessage };

const MB = 1 << 20;

/** The channels as the server's registry sends them in the session info
 * (channels/builtin.py, Channel.to_client), in their order. */
export const INBOX_CHANNELS = [
    {
        key: "whatsapp", label: "WhatsApp", icon: "fa-whatsapp", sequence: 10, identity: "phone",
        opt_out_list: "phone.blacklist", rich_text: false, subject: false, max_length: 4096, segment_length: 0,
        attachment_max_size: 16 * MB, reply_window: 86400, window_templates: true, send_with_enter: true, internal: false,
    },
    {
        key: "sms", label: "SMS", icon: "fa-mobile", sequence: 20, identity: "phone",
        opt_out_list: "phone.blacklist", rich_text: false, subject: false, max_length: 1600, segment_length: 160,
        attachment_max_size: 0, reply_window: null, window_templates: true, send_with_enter: true, internal: false,
    },
    {
        key: "email", label: "Email", icon: "fa-envelope-o", sequence: 30, identity: "email",
        opt_out_list: "mail.blacklist", rich_text: true, subject: true, max_length: 0, segment_length: 0,
        attachment_max_size: 25 * MB, reply_window: null, window_templates: true, send_with_enter: false, internal: false,
    },
    {
        key: "messenger", label: "Messenger", icon: "fa-facebook", sequence: 40, identity: "scoped",
        opt_out_list: null, rich_text: false, subject: false, max_length: 2000, segment_length: 0,
        attachment_max_size: 25 * MB, reply_window: 86400, window_templates: false, send_with_enter: true,
        internal: false,
    },
    {
        key: "note", label: "Internal Note", icon: "fa-sticky-note-o", sequence: 90, identity: null,
        opt_out_list: null, rich_text: true, subject: false, max_length: 0, segment_length: 0,
        attachment_max_size: 25 * MB, reply_window: null, window_templates: true, send_with_enter: true, internal: true,
    },
];

/** The channel registry in the session, as ir.http.session_info gives it. */
export function defineInboxChannels() {
    beforeEach(() => patchWithCleanup(session, { inbox_channels: INBOX_CHANNELS }));
}

export function defineInboxModels() {
    defineInboxChannels();
    return defineModels(inboxModels);
}
