import { registry } from "@web/core/registry";

const message = (text) => `.o_inbox_thread .o-mail-Message:contains('${text}')`;

// An agent in the Inbox: the website visitor's messages, on the "Live chat"
// channel, answered from the composer.
registry.category("web_tour.tours").add("unified_inbox_livechat_tour", {
    steps: () => [
        {
            content: "Open the visitor's conversation",
            trigger: ".o_inbox_row:contains('Visitor')",
            run: "click",
        },
        {
            content: "what they wrote on the website, on the Live chat channel",
            trigger: `${message("Hello from the website")} .o-inbox-Message-channel:contains('Live chat')`,
        },
        {
            content: "the composer answers on Live chat",
            trigger: ".o_inbox_composer_channel[data-channel='livechat'].active",
        },
        {
            trigger: ".o_inbox_composer_body",
            run: "edit Anything else?",
        },
        {
            trigger: ".o_inbox_composer_send",
            run: "click",
        },
        {
            content: "the answer is in the thread, once",
            trigger: `${message("Anything else?")}`,
        },
    ],
});
