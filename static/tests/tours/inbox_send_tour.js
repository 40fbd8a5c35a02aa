import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("unified_inbox_send_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Inbox app",
            trigger: '.o_app[data-menu-xmlid="unified_inbox.inbox_menu_root"]',
            run: "click",
        },
        {
            content: "Open the conversation with the tour customer",
            trigger: ".o_data_row td[name='partner_id']:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "The chatter keeps notes but leaves writing to the person to New Message",
            trigger: ".o-mail-Chatter-topbar:has(.o-mail-Chatter-logNote):not(:has(.o-mail-Chatter-sendMessage))",
        },
        {
            content: "Write a new message",
            trigger: "button[name='action_new_message']",
            run: "click",
        },
        {
            content: "SMS is the default channel",
            trigger: ".modal div[name='channel'] input[data-value='sms']:checked",
        },
        {
            content: "Type the message",
            trigger: ".modal div[name='body'] textarea",
            run: "edit Hello from the tour",
        },
        {
            content: "Send it",
            trigger: ".modal footer button.btn-primary:contains('Send')",
            run: "click",
        },
        {
            content: "The message is in the thread, tagged SMS",
            trigger: ".o-mail-Message:contains('Hello from the tour') .o-inbox-Message-channel:contains('SMS')",
        },
        {
            content: "with its delivery status",
            trigger: ".o-mail-Message:contains('Hello from the tour') .o-inbox-Message-status[data-status='queued']",
        },
    ],
});
