import { registry } from "@web/core/registry";

// The colour theme, chosen in the Inbox, kept in this browser.
registry.category("web_tour.tours").add("unified_inbox_theme_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "the default theme",
            trigger: ".o_inbox[data-theme='default'] .o_inbox_row",
        },
        {
            content: "Open the themes",
            trigger: ".o_inbox_theme",
            run: "click",
        },
        {
            content: "Sky blue",
            trigger: ".o_inbox_theme_option[data-theme='sky']",
            run: "click",
        },
        {
            content: "the Inbox's own colours are sky blue",
            trigger: ".o_inbox[data-theme='sky'] .o_inbox_avatar",
            run() {
                const color = getComputedStyle(this.anchor).backgroundColor;
                if (color !== "rgb(11, 99, 182)") {
                    throw new Error(`The avatar is ${color}, not the theme's accent.`);
                }
            },
        },
        {
            content: "Come back later",
            trigger: ".o_inbox[data-theme='sky']",
            run() {
                window.location.reload();
            },
            expectUnloadPage: true,
        },
        {
            content: "the theme is still sky blue",
            trigger: ".o_inbox[data-theme='sky'] .o_inbox_row",
        },
    ],
});
