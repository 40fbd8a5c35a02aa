import { registry } from "@web/core/registry";

// The Actions queue: the due calls and messages, one after the other.
registry.category("web_tour.tours").add("unified_inbox_actions_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open the queue",
            trigger: ".o_inbox_tab[data-tab='actions']:contains(3)",
            run: "click",
        },
        {
            content: "the oldest first: a call, overdue",
            trigger: ".o_inbox_action_row:first-child:contains('Call Walter back') .o_inbox_action_overdue",
            run: "click",
        },
        {
            content: "in Walter's conversation, with his number",
            trigger: ".o_inbox_action_banner:contains('Call Walter back') .o_inbox_action_phone",
        },
        {
            trigger: ".o_inbox_thread .o_inbox_thread_header:contains('Walter Queue')",
        },
        {
            content: "Called: done",
            trigger: ".o_inbox_action_done",
            run: "click",
        },
        {
            content: "the next one opens: a message, its note in the composer",
            trigger: ".o_inbox_action_banner:contains('Send the price list')",
        },
        {
            trigger: '.o_inbox_composer_body:value("Whitening is $390 for both arches.")',
        },
        {
            content: "Not now",
            trigger: ".o_inbox_action_skip",
            run: "click",
        },
        {
            content: "the third one",
            trigger: ".o_inbox_action_banner:contains('Ask about the visit')",
        },
        {
            trigger: ".o_inbox_action_done",
            run: "click",
        },
        {
            content: "the skipped one comes back, and stays in the queue",
            trigger: ".o_inbox_action_banner:contains('Send the price list')",
        },
        {
            trigger: ".o_inbox_tab[data-tab='actions']:contains(1)",
        },
    ],
});
