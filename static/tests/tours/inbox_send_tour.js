import { rpc } from "@web/core/network/rpc";
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
            trigger: ".o_inbox_row:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "Email is disabled, and says why",
            trigger: ".o_inbox_composer_channel[data-channel='email'][disabled][title*='no valid email address']",
        },
        {
            content: "Choose SMS",
            trigger: ".o_inbox_composer_channel[data-channel='sms']:enabled",
            run: "click",
        },
        {
            content: "Type the message",
            trigger: ".o_inbox_composer_body",
            run: "edit Hello from the tour",
        },
        {
            content: "Send it",
            trigger: ".o_inbox_composer_send",
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
        {
            content: "and the list shows it as the last message",
            trigger: ".o_inbox_row:contains('Tour Customer') .o_inbox_row_preview:contains('Hello from the tour')",
            run: async () => {
                // the customer answers through the sandbox's webhook path
                const [conversation] = await rpc("/web/dataset/call_kw/inbox.conversation/search", {
                    model: "inbox.conversation", method: "search",
                    args: [[["partner_id.name", "=", "Tour Customer"]]], kwargs: {},
                });
                await rpc("/web/dataset/call_kw/inbox.simulate.inbound/inbox_simulate", {
                    model: "inbox.simulate.inbound", method: "inbox_simulate",
                    args: [conversation, "Thanks, see you soon!"], kwargs: {},
                });
            },
        },
        {
            content: "The answer appears in the open thread without reloading",
            trigger: ".o-mail-Message:contains('Thanks, see you soon!') .o-inbox-Message-channel:contains('SMS')",
        },
        {
            content: "and moves the conversation's last message in the list",
            trigger: ".o_inbox_row:contains('Tour Customer') .o_inbox_row_preview:contains('Thanks, see you soon!')",
        },
    ],
});
