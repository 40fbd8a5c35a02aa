import { registry } from "@web/core/registry";

const onlyRow = (shown, hidden) =>
    `.o_inbox_rows:not(:has(.o_inbox_row:contains('${hidden}'))) .o_inbox_row:contains('${shown}')`;

registry.category("web_tour.tours").add("unified_inbox_workflow_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Both open conversations are listed",
            trigger: ".o_inbox_rows:has(.o_inbox_row:contains('Wanda Workflow')):has(.o_inbox_row:contains('Zed Other'))",
        },
        {
            content: "Search by name",
            trigger: ".o_inbox_search",
            run: "edit Wanda && press Enter",
        },
        {
            content: "only Wanda is left",
            trigger: onlyRow("Wanda Workflow", "Zed Other"),
        },
        {
            content: "Search by any format of her number",
            trigger: ".o_inbox_search",
            run: "edit +32470 556 677 && press Enter",
        },
        {
            content: "finds her too",
            trigger: onlyRow("Wanda Workflow", "Zed Other"),
        },
        {
            content: "Clear the search",
            trigger: ".o_inbox_search",
            run: "clear && press Enter",
        },
        {
            content: "Filter on a label",
            trigger: ".o_inbox_label_filter",
            run: "selectByLabel Tour VIP",
        },
        {
            content: "only the labelled conversation is left",
            trigger: onlyRow("Zed Other", "Wanda Workflow"),
        },
        {
            content: "Back to any label",
            trigger: ".o_inbox_label_filter",
            run: "selectByLabel Any label",
        },
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "Cancel the queued message",
            trigger: ".o-mail-Message:contains('Queued reminder') .o-inbox-Message-cancel",
            run: "click",
        },
        {
            content: "it is canceled and can no longer be canceled",
            trigger: ".o-mail-Message:contains('Queued reminder'):not(:has(.o-inbox-Message-cancel)) .o-inbox-Message-status[data-status='canceled']",
        },
        {
            content: "The failed message says why",
            trigger: ".o-mail-Message:contains('Lost reminder') .o-inbox-Message-error:contains('Unreachable destination')",
        },
        {
            content: "Retry it",
            trigger: ".o-mail-Message:contains('Lost reminder') .o-inbox-Message-retry",
            run: "click",
        },
        {
            content: "it is queued again, without the error",
            trigger: ".o-mail-Message:contains('Lost reminder'):not(:has(.o-inbox-Message-error)) .o-inbox-Message-status[data-status='queued']",
        },
        {
            content: "Assign it to me",
            trigger: ".o_inbox_assign_me",
            run: "click",
        },
        {
            content: "the header shows me",
            trigger: ".o_inbox_thread_header:contains('Mitchell Admin'):not(:has(.o_inbox_assign_me))",
        },
        {
            content: "Look at my conversations",
            trigger: ".o_inbox_tab[data-tab='mine']",
            run: "click",
        },
        {
            content: "the tab is active",
            trigger: ".o_inbox_tab[data-tab='mine'].active",
        },
        {
            content: "Wanda's is one of them",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
        },
        {
            content: "Back to the open ones",
            trigger: ".o_inbox_tab[data-tab='open']",
            run: "click",
        },
        {
            content: "Wanda's is still selected",
            trigger: ".o_inbox:has(.o_inbox_tab[data-tab='open'].active) .o_inbox_row_selected:contains('Wanda Workflow')",
        },
        {
            content: "Close the conversation",
            trigger: ".o_inbox_toggle_state:contains('Close')",
            run: "click",
        },
        {
            content: "it leaves the Open tab and can be reopened",
            trigger: ".o_inbox:has(.o_inbox_rows:not(:has(.o_inbox_row:contains('Wanda Workflow')))) .o_inbox_toggle_state:contains('Reopen')",
        },
        {
            content: "See the closed conversations",
            trigger: ".o_inbox_tab[data-tab='closed']",
            run: "click",
        },
        {
            content: "Wanda's is there, marked closed",
            trigger: ".o_inbox_row:contains('Wanda Workflow') .o_inbox_status:contains('Closed')",
        },
        {
            content: "Reopen it",
            trigger: ".o_inbox_toggle_state:contains('Reopen')",
            run: "click",
        },
        {
            content: "it is open again and leaves the Closed tab",
            trigger: ".o_inbox:has(.o_inbox_rows:not(:has(.o_inbox_row:contains('Wanda Workflow')))) .o_inbox_toggle_state:contains('Close')",
        },
    ],
});
