import { registry } from "@web/core/registry";

// A visitor on the Live Chat support page: they write, and the answer an
// agent writes in the Inbox comes to their chat window.
registry.category("web_tour.tours").add("unified_inbox_livechat_visitor_tour", {
    steps: () => [
        {
            content: "Open the website chat",
            trigger: ".o-livechat-root:shadow .o-livechat-LivechatButton",
            run: "click",
        },
        {
            content: "Write to the company",
            trigger: ".o-livechat-root:shadow .o-mail-Composer-input",
            run: "edit Hello from the website",
        },
        {
            trigger: ".o-livechat-root:shadow .o-mail-Composer-input",
            run: "press Enter",
        },
        {
            content: "the message is in the chat window",
            trigger: ".o-livechat-root:shadow .o-mail-Message:contains('Hello from the website')",
        },
        {
            content: "the agent's answer, written in the Inbox, arrives",
            trigger: ".o-livechat-root:shadow .o-mail-Message:contains('We can help')",
            timeout: 30000,
        },
    ],
});
