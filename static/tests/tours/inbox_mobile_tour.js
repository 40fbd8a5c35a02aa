import { registry } from "@web/core/registry";
import { checkHeaderActions } from "./inbox_thread_scroll_tour";

registry.category("web_tour.tours").add("unified_inbox_mobile_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "One column: the tabs on top, the list, no filters, no thread",
            trigger: ".o_inbox_mobile_tabs:visible button[data-tab='open'].btn-primary",
        },
        {
            content: "the tabs are legible: tall enough, their text whole",
            trigger: ".o_inbox_mobile_tabs:visible button[data-tab='all']",
            run: () => {
                for (const tab of document.querySelectorAll(".o_inbox_mobile_tabs button")) {
                    const { height } = tab.getBoundingClientRect();
                    if (height < 28 || tab.scrollHeight > tab.clientHeight + 1) {
                        throw new Error(`The tab "${tab.textContent.trim()}" is ${height}px tall, its text clipped`);
                    }
                }
            },
        },
        {
            content: "neither the filters nor the thread are shown",
            trigger: ".o_inbox:not(:has(.o_inbox_filters:visible)):not(:has(.o_inbox_placeholder:visible)) .o_inbox_list:visible",
        },
        {
            content: "Switch to All",
            trigger: ".o_inbox_mobile_tabs button[data-tab='all']",
            run: "click",
        },
        {
            content: "the tab is active",
            trigger: ".o_inbox_mobile_tabs button[data-tab='all'].btn-primary",
        },
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "the thread replaces the list, with a back arrow and no details column",
            trigger: ".o_inbox:not(:has(.o_inbox_list:visible)):not(:has(.o_inbox_details:visible)) .o_inbox_thread:visible .o_inbox_back:visible",
        },
        {
            content: "every action of the header is on the screen: Attend, assignee, Notify, label, Close",
            trigger: ".o_inbox_thread_header .o_inbox_toggle_state",
            run: () => checkHeaderActions(),
        },
        {
            content: "Write an internal note",
            trigger: ".o_inbox_composer_channel[data-channel='note']",
            run: "click",
        },
        {
            content: "Type it",
            trigger: ".o_inbox_composer_html:visible",
            run: "editor Called her back from my phone",
        },
        {
            content: "Add it",
            trigger: ".o_inbox_composer_send:contains('Add note')",
            run: "click",
        },
        {
            content: "the note is in the thread",
            trigger: ".o-mail-Message:contains('Called her back from my phone') .o-inbox-Message-channel:contains('Internal Note')",
        },
        {
            content: "Back to the list",
            trigger: ".o_inbox_back",
            run: "click",
        },
        {
            content: "the list is back, on the same tab",
            trigger: ".o_inbox_mobile_tabs button[data-tab='all'].btn-primary",
        },
        {
            content: "with the note as the conversation's last message",
            trigger: ".o_inbox_list:visible .o_inbox_row:contains('Wanda Workflow') .o_inbox_row_preview:contains('Called her back')",
        },
    ],
});
