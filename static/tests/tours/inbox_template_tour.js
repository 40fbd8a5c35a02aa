import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("unified_inbox_template_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "The header says her WhatsApp window is closed",
            trigger: ".o_inbox_whatsapp_window[data-open='0']:contains('WhatsApp window closed')",
        },
        {
            content: "Choose WhatsApp all the same",
            trigger: ".o_inbox_composer_channel[data-channel='whatsapp']:enabled",
            run: "click",
        },
        {
            content: "free text is locked, and why",
            trigger: ".o_inbox_composer:has(.o_inbox_composer_window:contains('only an approved template')) .o_inbox_composer_body[readonly]",
        },
        {
            content: "Pick the approved template",
            trigger: ".o_inbox_composer_template",
            run: "selectByLabel Tour follow-up",
        },
        {
            content: "its text, with her name, is what goes",
            trigger: `.o_inbox_composer_body:value("Hello Wanda Workflow, how are you since your visit?")`,
        },
        {
            content: "Send it",
            trigger: ".o_inbox_composer_send:enabled",
            run: "click",
        },
        {
            content: "it is in the thread, on WhatsApp",
            trigger: ".o-mail-Message:contains('how are you since your visit') .o-inbox-Message-channel:contains('WhatsApp')",
        },
    ],
});
