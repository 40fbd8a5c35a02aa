import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("unified_inbox_merge_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "Zed is Wanda on her other phone: Same person as…",
            trigger: ".o_inbox_details .o_inbox_merge_person",
            run: "click",
        },
        {
            content: "Choose Zed",
            trigger: ".modal .o_field_widget[name='duplicate_id'] input",
            run: "edit Zed Other",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains('Zed Other')",
            run: "click",
        },
        {
            content: "the preview says what moves before anything does",
            trigger: ".modal .o_inbox_merge_preview:contains('Zed Other becomes Wanda Workflow:'):contains('in the order they came')",
        },
        {
            content: "and which identities Wanda keeps",
            trigger: ".modal .o_field_widget[name='identity_ids'] td:contains('+32470889900')",
        },
        {
            content: "Merge",
            trigger: ".modal button[name='action_merge']",
            run: "click",
        },
        {
            content: "Wanda's conversation holds Zed's history too",
            trigger: ".o-mail-Message:contains('Zed called about parking')",
        },
        {
            content: "with a small centred line saying who merged whom",
            trigger: ".o_inbox_thread .o-mail-NotificationMessage:contains('Zed Other was merged into Wanda Workflow by Mitchell Admin')",
        },
        {
            content: "the panel shows the number Zed wrote from among Wanda's",
            trigger: ".o_inbox_details .o_inbox_identity:contains('+32470889900')",
        },
        {
            content: "and Zed's conversation has left the list",
            trigger: ".o_inbox_list:not(:has(.o_inbox_row:contains('Zed Other')))",
        },
    ],
});
