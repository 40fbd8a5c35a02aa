import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("unified_inbox_form_feed_tour", {
    steps: () => [
        {
            content: "Open the person's Messaging tab",
            trigger: ".o_notebook .nav-link:contains('Messaging')",
            run: "click",
        },
        {
            content: "their conversation is there, with its messages",
            trigger: ".o_inbox_feed .o-mail-Message:contains('Queued reminder') .o-inbox-Message-channel:contains('SMS')",
        },
        {
            content: "Write a note",
            trigger: ".o_inbox_feed .o_inbox_composer_channel[data-channel='note']",
            run: "click",
        },
        {
            content: "in the rich text editor",
            trigger: ".o_inbox_feed .o_inbox_composer_note .o_inbox_composer_html",
            run: "editor Asked about parking",
        },
        {
            content: "Add it",
            trigger: ".o_inbox_feed .o_inbox_composer_send:contains('Add note')",
            run: "click",
        },
        {
            content: "it is in the conversation, without leaving the form",
            trigger: ".o_inbox_feed .o-mail-Message:contains('Asked about parking') .o-inbox-Message-channel:contains('Internal Note')",
        },
    ],
});
