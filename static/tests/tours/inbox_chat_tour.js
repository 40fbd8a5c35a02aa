import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";
import { message, waitUntil } from "./inbox_thread_scroll_tour";

registry.category("web_tour.tours").add("unified_inbox_chat_tour", {
    steps: () => [
        {
            content: "Filter on a label that one conversation has",
            trigger: ".o_inbox_label_filter",
            run: "selectByLabel Tour VIP",
        },
        {
            content: "one conversation, in the singular",
            trigger: ".o_inbox_total:contains('1 conversation'):not(:contains('conversations'))",
        },
        {
            content: "Back to any label",
            trigger: ".o_inbox_label_filter",
            run: "selectByLabel Any label",
        },
        {
            content: "Open Zed's conversation",
            trigger: ".o_inbox_row:contains('Zed Other')",
            run: "click",
        },
        {
            content: "its label is in the header; take it off",
            trigger: ".o_inbox_thread_label:contains('Tour VIP') .o_inbox_label_remove",
            run: "click",
        },
        {
            content: "it is gone, from the header and the list",
            trigger: ".o_inbox_thread_header:not(:has(.o_inbox_thread_label)) ",
        },
        {
            content: "Put another label on",
            trigger: ".o_inbox_label_add",
            run: "selectByLabel Tour Billing",
        },
        {
            content: "it shows in the header and in the list",
            trigger: ".o_inbox_thread_label:contains('Tour Billing')",
        },
        {
            content: "and in the list",
            trigger: ".o_inbox_row_selected .o_tag:contains('Tour Billing')",
        },
        {
            content: "Attend it",
            trigger: ".o_inbox_assign_me",
            run: "click",
        },
        {
            content: "the assignment is a small centred line, not a message",
            trigger: ".o_inbox_thread .o-mail-NotificationMessage:contains('Assignee')",
            run: () => {
                const thread = document.querySelector(".o_inbox_thread");
                if (thread.querySelector(".o-mail-Message .o-mail-Message-tracking")) {
                    throw new Error("A change of assignee shows as a full message row");
                }
            },
        },
        {
            content: "Create an opportunity for Zed",
            trigger: ".o_inbox_new_opportunity",
            run: "click",
        },
        {
            content: "its dialog has a real title",
            trigger: ".modal .modal-title:contains('New opportunity')",
        },
        {
            content: "Close the dialog",
            trigger: ".modal .btn-close",
            run: "click",
        },
        {
            content: "Close the conversation",
            trigger: ".o_inbox:not(:has(.modal)) .o_inbox_toggle_state:contains('Close')",
            run: "click",
        },
        {
            content: "the status change is a small centred line too",
            trigger: ".o_inbox_thread .o-mail-NotificationMessage:contains('Closed')",
        },
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "Wanda writes while it is open",
            trigger: ".o_inbox_row_selected:contains('Wanda Workflow')",
            run: async () => {
                const id = parseInt(document.querySelector(".o_inbox_row_selected").dataset.id);
                await rpc("/web/dataset/call_kw/inbox.simulate.inbound/inbox_simulate", {
                    model: "inbox.simulate.inbound",
                    method: "inbox_simulate",
                    args: [id, "Is anybody reading?"],
                    kwargs: {},
                });
            },
        },
        {
            content: "her message comes in, and the conversation on screen stays read",
            trigger: ".o_inbox_thread .o-mail-Message:contains('Is anybody reading?')",
            run: async () => {
                await waitUntil(() => message("Is anybody reading?"), "her message");
                await waitUntil(() => {
                    const row = document.querySelector(".o_inbox_row_selected");
                    return row?.textContent.includes("Is anybody reading?") && !row.querySelector(".o_inbox_unread");
                }, "the open conversation is not unread");
            },
        },
    ],
});
