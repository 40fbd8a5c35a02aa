import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("unified_inbox_appointment_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "her panel lists her appointment",
            trigger: ".o_inbox_details .o_inbox_appointment:contains('Whitening consult')",
        },
        {
            content: "View it from its card",
            trigger: ".o-inbox-Card:contains('Appointment created: Whitening consult') .o-inbox-Card-view",
            run: "click",
        },
        {
            content: "Wanda confirms on the phone",
            trigger: ".modal .o_inbox_appointment_panel button[name='action_inbox_confirm']",
            run: "click",
        },
        {
            content: "the card says who confirmed it for her",
            trigger: ".o-inbox-Card[data-kind='appointment']:contains('Whitening consult confirmed for Wanda Workflow by Mitchell Admin')",
        },
        {
            content: "View it again",
            trigger: ".o-inbox-Card:contains('Appointment created: Whitening consult') .o-inbox-Card-view",
            run: "click",
        },
        {
            content: "she calls to cancel it",
            trigger: ".modal .o_inbox_appointment_panel button[name='action_inbox_cancel']",
            run: "click",
        },
        {
            content: "surely",
            trigger: ".modal:contains('Cancel this appointment?') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "its card comes",
            trigger: ".o-inbox-Card[data-event='unlink']:contains('Whitening consult')",
        },
        {
            content: "and her panel no longer lists it, without opening her conversation again",
            trigger: ".o_inbox_details:not(:has(.o_inbox_appointment:contains('Whitening consult')))",
        },
        {
            content: "View on the card of the canceled appointment",
            trigger: ".o-inbox-Card:contains('Appointment created: Whitening consult') .o-inbox-Card-view",
            run: "click",
        },
        {
            content: "says it no longer exists, instead of an error",
            trigger: ".o_notification:contains('This appointment no longer exists')",
        },
        {
            content: "and the card shows it is gone",
            trigger: ".o-inbox-Card:contains('Appointment created: Whitening consult') .o-inbox-Card-deleted",
        },
    ],
});
