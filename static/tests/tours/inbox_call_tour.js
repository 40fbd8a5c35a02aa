import { registry } from "@web/core/registry";

// A call in the person's conversation: the missed one with its voicemail,
// then a call from the Inbox, shown at once as "Calling…".
registry.category("web_tour.tours").add("unified_inbox_call_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            trigger: ".o_inbox_row:contains('Cleo Caller')",
            run: "click",
        },
        {
            content: "the missed call, in the thread",
            trigger: ".o-mail-Message .o-inbox-Message-call[data-call-status='missed']:contains('Missed')",
        },
        {
            content: "with the voicemail's player",
            trigger: ".o-mail-Message .o-inbox-Call-recording audio[src^='/web/content/']",
        },
        {
            content: "Call back",
            trigger: ".o_inbox_thread_header .o_inbox_call:enabled",
            run: "click",
        },
        {
            content: "the call is there at once",
            trigger: ".o-mail-Message .o-inbox-Message-call[data-call-status='queued']:contains('Calling')",
        },
    ],
});
