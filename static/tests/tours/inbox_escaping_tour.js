import { registry } from "@web/core/registry";

// the person's name, as an email's display name gave it
const NAME = "<img src=x onerror=alert(1)>";
const GREETING = `Dear ${NAME}, thank you`;

/** Any alert() is an injected script that ran: record it and fail. */
function hookAlert() {
    window.__inboxAlerts = [];
    window.alert = (message) => {
        window.__inboxAlerts.push(String(message));
        console.error(`alert(${message}) was called: markup of the data ran as HTML`);
    };
}

/** The name is text in the element of ``selector`` that shows ``text``:
 * no element made of it, no alert (an image that fails to load
 * takes a moment to call its onerror). */
async function checkShownAsText(selector, text = GREETING) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const element = [...document.querySelectorAll(selector)].find((el) => el.textContent.includes(text));
    if (!element) {
        throw new Error(`The name is not shown as text in ${selector}`);
    }
    if (element.querySelector("img") || document.querySelector("img[src='x']")) {
        throw new Error(`The name became an element: ${element.innerHTML}`);
    }
    if (window.__inboxAlerts.length) {
        throw new Error(`alert() was called: ${window.__inboxAlerts.join(", ")}`);
    }
}

registry.category("web_tour.tours").add("unified_inbox_escaping_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Watch for alert()",
            trigger: ".o_inbox_rows",
            run: hookAlert,
        },
        {
            content: "Open the conversation of the person whose name is markup",
            trigger: `.o_inbox_row:contains("${NAME}")`,
            run: "click",
        },
        {
            content: "Choose SMS",
            trigger: ".o_inbox_composer_channel[data-channel='sms']:enabled",
            run: "click",
        },
        {
            content: "Pick an SMS template",
            trigger: ".o_inbox_composer_template",
            run: "selectByLabel Escaping reminder",
        },
        {
            content: "its plain text shows the name",
            trigger: `.o_inbox_composer_body:value("Hello ${NAME}, see you soon.")`,
        },
        {
            content: "Choose Email: what is written goes along",
            trigger: ".o_inbox_composer_channel[data-channel='email']:enabled",
            run: "click",
        },
        {
            content: "as text in the rich editor",
            trigger: `.o_inbox_composer_html:contains("Hello ${NAME}, see you soon.")`,
            run: () => checkShownAsText(".o_inbox_composer_html", `Hello ${NAME}, see you soon.`),
        },
        {
            content: "Pick the Welcome template",
            trigger: ".o_inbox_composer_template",
            run: "selectByLabel Welcome",
        },
        {
            content: "the greeting shows the name as it is written",
            trigger: `.o_inbox_composer_html:contains("${GREETING}")`,
            run: () => checkShownAsText(".o_inbox_composer_html"),
        },
        {
            content: "Send it",
            trigger: ".o_inbox_composer_send:enabled",
            run: "click",
        },
        {
            content: "it is in the thread, the name as text",
            trigger: `.o-mail-Message:contains("${GREETING}") .o-inbox-Message-channel:contains('Email')`,
            run: () => checkShownAsText(".o-mail-Message-body"),
        },
    ],
});

registry.category("web_tour.tours").add("unified_inbox_escaping_form_tour", {
    steps: () => [
        {
            content: "Watch for alert()",
            trigger: ".o_form_view",
            run: hookAlert,
        },
        {
            content: "Open the person's Messaging tab",
            trigger: ".o_notebook .nav-link:contains('Messaging')",
            run: "click",
        },
        {
            content: "Choose Email",
            trigger: ".o_inbox_feed .o_inbox_composer_channel[data-channel='email']:enabled",
            run: "click",
        },
        {
            content: "Pick the Welcome template",
            trigger: ".o_inbox_feed .o_inbox_composer_template",
            run: "selectByLabel Welcome",
        },
        {
            content: "the greeting shows the name as it is written",
            trigger: `.o_inbox_feed .o_inbox_composer_html:contains("${GREETING}")`,
            run: () => checkShownAsText(".o_inbox_feed .o_inbox_composer_html"),
        },
    ],
});
