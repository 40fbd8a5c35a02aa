import { registry } from "@web/core/registry";

const message = (text) => `.o-mail-Message:contains('${text}')`;

/** Type in a datetime-local input as a browser's date picker would. */
function pickDate(selector, value) {
    const input = document.querySelector(selector);
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
}

registry.category("web_tour.tours").add("unified_inbox_compose_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open Emma's conversation: she wrote on WhatsApp today",
            trigger: ".o_inbox_row:contains('Emma Everychannel')",
            run: "click",
        },
        {
            content: "WhatsApp is open: her window is",
            trigger: ".o_inbox_composer_channel[data-channel='whatsapp'].active",
        },
        {
            content: "Type a slash and the start of a snippet's shortcut",
            trigger: ".o_inbox_composer_body",
            run: "edit Hello! /tourh",
        },
        {
            content: "the snippet is offered",
            trigger: ".o_inbox_snippet[data-shortcut='tourhours']",
        },
        {
            content: "Enter inserts it",
            trigger: ".o_inbox_composer_body",
            run: "press Enter",
        },
        {
            content: "in place of the shortcut",
            trigger: `.o_inbox_composer:not(:has(.o_inbox_snippet)) .o_inbox_composer_body:value("Hello! We are open 9 to 5.")`,
        },
        {
            content: "Send it on WhatsApp",
            trigger: ".o_inbox_composer_send",
            run: "click",
        },
        {
            content: "it is in the thread, on the right, tagged WhatsApp",
            trigger: `${message("We are open 9 to 5.")} .o-inbox-Message-channel:contains('WhatsApp')`,
        },
        {
            content: "Choose Email",
            trigger: ".o_inbox_composer_channel[data-channel='email']:enabled",
            run: "click",
        },
        {
            content: "Write the subject",
            trigger: ".o_inbox_composer_subject",
            run: "edit Your X-rays",
        },
        {
            content: "and the email, as rich text",
            trigger: ".o_inbox_composer_html",
            run: "editor The results look good.",
        },
        {
            content: "Send it",
            trigger: ".o_inbox_composer_send",
            run: "click",
        },
        {
            content: "the email is in the thread",
            trigger: `${message("The results look good.")} .o-inbox-Message-channel:contains('Email')`,
        },
        {
            content: "Choose an internal note",
            trigger: ".o_inbox_composer_channel[data-channel='note']",
            run: "click",
        },
        {
            content: "Write it",
            trigger: ".o_inbox_composer_note .o_inbox_composer_html",
            run: "editor Prefers mornings",
        },
        {
            content: "Add it",
            trigger: ".o_inbox_composer_send:contains('Add note')",
            run: "click",
        },
        {
            content: "the note is in the thread, marked internal",
            trigger: `${message("Prefers mornings")} .o-inbox-Message-channel:contains('Internal Note')`,
        },
        {
            content: "Choose SMS",
            trigger: ".o_inbox_composer_channel[data-channel='sms']:enabled",
            run: "click",
        },
        {
            content: "Pick a template",
            trigger: ".o_inbox_composer_template",
            run: "selectByLabel Tour check-up",
        },
        {
            content: "it fills the message with her name",
            trigger: `.o_inbox_composer_body:value("Emma Everychannel, time for your check-up.")`,
        },
        {
            content: "Schedule it",
            trigger: ".o_inbox_composer_schedule",
            run: "click",
        },
        {
            content: "for a date",
            trigger: ".o_inbox_composer_date",
            run: () => pickDate(".o_inbox_composer_date", "2030-01-15T09:30"),
        },
        {
            content: "Schedule",
            trigger: ".o_inbox_composer_send:contains('Schedule')",
            run: "click",
        },
        {
            content: "the message waits, and says until when",
            trigger: `${message("time for your check-up")} .o-inbox-Message-scheduled:contains('2030')`,
        },
        {
            content: "Change it",
            trigger: `${message("time for your check-up")} .o-inbox-Message-reschedule`,
            run: "click",
        },
        {
            content: "a day later",
            trigger: ".o_inbox_reschedule_when",
            run: () => pickDate(".o_inbox_reschedule_when", "2030-01-16T10:00"),
        },
        {
            content: "with other words",
            trigger: ".o_inbox_reschedule_body",
            run: "edit Emma, your check-up is due: call us.",
        },
        {
            content: "Save",
            trigger: ".o_inbox_reschedule_save",
            run: "click",
        },
        {
            content: "the thread shows the new text and time",
            trigger: `${message("your check-up is due")} .o-inbox-Message-scheduled:contains('16')`,
        },
        {
            content: "Cancel it before it goes",
            trigger: `${message("your check-up is due")} .o-inbox-Message-cancel`,
            run: "click",
        },
        {
            content: "it is canceled",
            trigger: `${message("your check-up is due")}:not(:has(.o-inbox-Message-scheduled)) .o-inbox-Message-status[data-status='canceled']`,
        },
    ],
});
