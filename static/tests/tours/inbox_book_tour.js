import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("unified_inbox_book_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "Book an appointment from her panel",
            trigger: ".o_inbox_details .o_inbox_book",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".modal .o_field_widget[name='name'] input",
            run: "edit Check-up visit",
        },
        {
            content: "Save it",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "its card comes in her conversation",
            trigger: ".o-inbox-Card[data-kind='appointment']:contains('Appointment created: Check-up visit') .o-inbox-Card-view",
        },
        {
            content: "and the panel lists it",
            trigger: ".o_inbox_details .o_inbox_appointment:contains('Check-up visit')",
        },
        {
            content: "View opens it over the Inbox",
            trigger: ".o-inbox-Card:contains('Check-up visit') .o-inbox-Card-view",
            run: "click",
        },
        {
            content: "the appointment panel: Wanda among the attendees, who booked it",
            trigger: ".modal .o_inbox_appointment_panel .o_field_widget[name='attendee_ids']:contains('Wanda Workflow')",
        },
        {
            content: "booked by the user, from the Inbox",
            trigger: ".modal .o_inbox_appointment_panel .o_field_widget[name='create_uid']:contains('Mitchell Admin')",
        },
        {
            content: "Wanda confirms on the phone",
            trigger: ".modal .o_inbox_appointment_panel button[name='action_inbox_confirm']",
            run: "click",
        },
        {
            content: "the panel closes; her confirmation is a card too, which says who confirmed",
            trigger: ".o-inbox-Card[data-kind='appointment']:contains('confirmed for Wanda Workflow by Mitchell Admin')",
        },
    ],
});
