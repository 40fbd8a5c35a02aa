import { registry } from "@web/core/registry";

/** Once the New Message dialog sends, the Inbox shows the new thread, its
 * composer ready: not the backend form of the conversation. */
function endsInTheInbox(name, text) {
    return [
        {
            content: "the dialog is gone, the Inbox shows the new conversation",
            trigger: `body:not(:has(.modal)) .o_inbox .o_inbox_thread:visible .o_inbox_thread_name:contains('${name}')`,
        },
        {
            content: "with the message just written",
            trigger: `.o_inbox_thread .o-mail-Message:contains('${text}')`,
        },
        {
            content: "the Inbox alone, no conversation form behind or in front of it",
            trigger: ".o_action_manager:not(:has(.o_form_view)) .o_inbox",
            run: () => {
                const breadcrumbs = document.querySelectorAll(".o_breadcrumb .breadcrumb-item");
                if (breadcrumbs.length) {
                    throw new Error(`Breadcrumbs: ${[...breadcrumbs].map((item) => item.textContent).join(" / ")}`);
                }
            },
        },
        {
            content: "the composer has the focus: the user goes on writing",
            trigger: ".o_inbox_composer_body:focus",
        },
    ];
}

registry.category("web_tour.tours").add("unified_inbox_start_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Search a number nobody has",
            trigger: ".o_inbox_search",
            run: "edit +1 415 555 0123 && press Enter",
        },
        {
            content: "Start a new conversation with it",
            trigger: ".o_inbox_new_number .o_inbox_start_new",
            run: "click",
        },
        {
            content: "the number is filled in",
            trigger: ".modal .o_field_widget[name='new_address'] input:value('+14155550123')",
        },
        {
            content: "Write the SMS",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit Hello from the searched number",
        },
        {
            content: "Send",
            trigger: ".modal .modal-footer button[name='action_send']:contains('Send')",
            run: "click",
        },
        ...endsInTheInbox("+14155550123", "Hello from the searched number"),
        {
            content: "Back to the list (phones show one column)",
            trigger: ".o_inbox",
            run: () => document.querySelector(".o_inbox_back:not(.d-none)")?.click(),
        },
        {
            content: "Start another one with the New button",
            trigger: ".o_inbox_new:visible",
            run: "click",
        },
        {
            content: "To a number",
            trigger: ".modal .o_field_widget[name='new_address'] input",
            run: "edit +1 415 555 0124",
        },
        {
            content: "Write the SMS",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit Hello from the New button",
        },
        {
            content: "Send",
            trigger: ".modal .modal-footer button[name='action_send']:contains('Send')",
            run: "click",
        },
        ...endsInTheInbox("+14155550124", "Hello from the New button"),
    ],
});

registry.category("web_tour.tours").add("unified_inbox_start_whatsapp_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "New conversation",
            trigger: ".o_inbox_new:visible",
            run: "click",
        },
        {
            content: "To a number nobody has",
            trigger: ".modal .o_field_widget[name='new_address'] input",
            run: "edit +1 415 555 0125",
        },
        {
            content: "On WhatsApp",
            trigger: ".modal .o_field_widget[name='channel'] input[data-value='whatsapp']",
            run: "click",
        },
        {
            content: "they never wrote: the window is closed, the dialog says so and offers no Send yet",
            trigger: ".modal .alert-warning:contains('The WhatsApp window is closed')",
        },
        {
            content: "free text cannot be typed",
            trigger: ".modal:has(.o_field_widget[name='body'].o_readonly_modifier):not(:has(.o_field_widget[name='body'] textarea)) .o_field_widget[name='template_id'].o_required_modifier",
        },
        {
            content: "nothing to send yet",
            trigger: ".modal .modal-footer:not(:has(button:contains('Send')))",
        },
        {
            content: "Choose a template",
            trigger: ".modal .o_field_widget[name='template_id'] input",
            run: "click",
        },
        {
            content: "only the approved one is offered",
            trigger: ".o-autocomplete--dropdown-menu:not(:has(.o-autocomplete--dropdown-item:contains('Tour free text'))) .o-autocomplete--dropdown-item:contains('Tour follow-up')",
            run: "click",
        },
        {
            content: "its text is shown",
            trigger: ".modal .o_field_widget[name='body']:contains('how are you since your visit')",
        },
        {
            content: "Send it",
            trigger: ".modal .modal-footer button[name='action_send']:contains('Send')",
            run: "click",
        },
        {
            content: "the Inbox shows the new conversation",
            trigger: "body:not(:has(.modal)) .o_inbox .o_inbox_thread_name:contains('+14155550125')",
        },
        {
            content: "the template went",
            trigger: ".o_inbox_thread .o-mail-Message:contains('how are you since your visit')",
        },
        {
            content: "the composer has the focus, on a channel still open to her (SMS)",
            trigger: ".o_inbox_composer_channel[data-channel='sms'].active",
        },
        {
            content: "focused",
            trigger: ".o_inbox_composer_body:focus",
        },
    ],
});
