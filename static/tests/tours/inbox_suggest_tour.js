import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("unified_inbox_suggest_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "Start a reply of one's own",
            trigger: ".o_inbox_composer_body",
            run: "edit My own words",
        },
        {
            content: "✦: the assistant is misconfigured this time",
            trigger: ".o_inbox_composer_suggest",
            run: "click",
        },
        {
            content: "why no suggestion came, in one line",
            trigger: ".o_inbox_composer_suggest_error:contains('The assistant refused the request (HTTP 401: Incorrect API key provided.).')",
        },
        {
            content: "and what was typed stays",
            trigger: '.o_inbox_composer_body:value("My own words")',
        },
        {
            content: "✦ again: a draft comes",
            trigger: ".o_inbox_composer_suggest:enabled",
            run: "click",
        },
        {
            content: "in the composer, for review, not sent",
            trigger: `.o_inbox_composer:not(:has(.o_inbox_composer_suggest_error)) .o_inbox_composer_body:value("Happy to help! <b>Saturday</b> at 11:00?")`,
        },
        {
            content: "the thread has no new message",
            trigger: ".o_inbox_thread:not(:has(.o-mail-Message:contains('Happy to help')))",
        },
    ],
});
