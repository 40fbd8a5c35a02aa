import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

// Run at 1440×900 and at 390×844 (tests/test_ui.py).

/** Wait until ``check()`` holds; fail the tour with ``what`` otherwise. */
export async function waitUntil(check, what, timeout = 5000) {
    const start = Date.now();
    while (!check()) {
        if (Date.now() - start > timeout) {
            throw new Error(`Not true after ${timeout} ms: ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** Whether ``el`` is shown whole inside the scrolling ``scroller`` (and on
 * screen, unless the page itself scrolls to it, as a form does). */
export function inView(el, scroller, { onScreen = true } = {}) {
    const rect = el.getBoundingClientRect();
    const box = scroller.getBoundingClientRect();
    const top = onScreen ? Math.max(box.top, 0) : box.top;
    const bottom = onScreen ? Math.min(box.bottom, window.innerHeight) : box.bottom;
    return rect.height > 0 && rect.top >= top - 2 && rect.bottom <= bottom + 2;
}

export function message(text, root = document) {
    return [...root.querySelectorAll(".o-mail-Message")].find((el) => el.textContent.includes(text));
}

/** Every action of the thread's header is on screen, whole, and usable. */
export function checkHeaderActions() {
    const header = document.querySelector(".o_inbox_thread_header");
    const thread = document.querySelector(".o_inbox_thread");
    const selectors = [
        ".o_inbox_assign_me",
        ".o_inbox_assign_select",
        ".o_inbox_assign_notify",
        ".o_inbox_label_add",
        ".o_inbox_toggle_state",
    ];
    const actions = selectors.flatMap((selector) => [...header.querySelectorAll(selector)]);
    if (actions.length < 4) {
        throw new Error(`Expected the header's actions, found ${actions.length}`);
    }
    const area = thread.getBoundingClientRect();
    for (const action of actions) {
        const rect = action.getBoundingClientRect();
        const [left, right, top, bottom] = [rect.left, rect.right, rect.top, rect.bottom].map(Math.round);
        const where = `${action.className.split(" ")[0]} at x=${left}..${right}, y=${top}..${bottom}`;
        if (rect.width < 20 || rect.height < 20) {
            throw new Error(`Header action too small: ${where}`);
        }
        if (rect.left < 0 || rect.right > window.innerWidth || rect.top < 0 || rect.bottom > window.innerHeight) {
            throw new Error(`Header action out of the viewport (${window.innerWidth}×${window.innerHeight}): ${where}`);
        }
        if (rect.left < area.left - 1 || rect.right > area.right + 1) {
            throw new Error(`Header action outside the thread column: ${where}`);
        }
    }
    // the assignee is readable, not one letter
    const select = header.querySelector(".o_inbox_assign_select");
    if (select.getBoundingClientRect().width < 90) {
        throw new Error(`The assignee selector is ${select.getBoundingClientRect().width}px wide`);
    }
    const avatar = header.querySelector(".o_inbox_avatar").getBoundingClientRect();
    if (Math.abs(avatar.width - avatar.height) > 1) {
        throw new Error(`The avatar is squashed: ${avatar.width}×${avatar.height}`);
    }
}

const scroller = () => document.querySelector(".o_inbox_thread .o-mail-Thread");

registry.category("web_tour.tours").add("unified_inbox_thread_scroll_tour", {
    steps: () => [
        {
            content: "Open Sam's conversation, longer than a screen",
            trigger: ".o_inbox_row:contains('Sam Scroll')",
            run: "click",
        },
        {
            content: "it opens at its newest message",
            trigger: ".o_inbox_thread .o-mail-Message:contains('Newest message of the history')",
            run: async () => {
                await waitUntil(
                    () => inView(message("Newest message of the history"), scroller()),
                    "the newest message is in view"
                );
                if (scroller().scrollTop < 100) {
                    throw new Error("The thread is not scrolled down to its newest message");
                }
            },
        },
        {
            content: "the header's actions are all on screen",
            trigger: ".o_inbox_thread_header .o_inbox_toggle_state",
            run: () => checkHeaderActions(),
        },
        {
            content: "the files of a message the team sent are on its side, under its bubble",
            trigger: ".o-mail-Message:contains('Here is the X-ray') .o-mail-AttachmentContainer",
            run: async () => {
                await waitUntil(() => message("Here is the X-ray")?.querySelector(".o-mail-AttachmentContainer"), "file");
                const el = message("Here is the X-ray");
                const file = el.querySelector(".o-mail-AttachmentContainer").getBoundingClientRect();
                const bubble = el.querySelector(".o-mail-Message-body").getBoundingClientRect();
                if (Math.abs(file.right - bubble.right) > 4 || file.left < window.innerWidth / 3) {
                    throw new Error(
                        `The file (x=${file.left}..${file.right}) is away from its bubble (x=${bubble.left}..${bubble.right})`
                    );
                }
            },
        },
        {
            content: "Scroll up to read the history",
            trigger: ".o_inbox_thread .o-mail-Thread",
            run: async () => {
                scroller().scrollTop = 0;
                await waitUntil(() => !inView(message("Newest message of the history"), scroller()), "scrolled up");
                // the thread has noted where the user is
                await new Promise((resolve) => setTimeout(resolve, 300));
            },
        },
        {
            content: "Sam writes meanwhile",
            trigger: ".o_inbox_thread .o-mail-Thread",
            run: async () => {
                const id = parseInt(document.querySelector(".o_inbox_row_selected").dataset.id);
                await rpc("/web/dataset/call_kw/inbox.simulate.inbound/inbox_simulate", {
                    model: "inbox.simulate.inbound",
                    method: "inbox_simulate",
                    args: [id, "Are you still there?"],
                    kwargs: {},
                });
            },
        },
        {
            content: "a marker says a new message is below; the history stays where it was",
            trigger: ".o-inbox-Thread-newMessages:contains('1 new message')",
            run: async () => {
                await waitUntil(() => message("Are you still there?"), "the reply is in the thread");
                if (inView(message("Are you still there?"), scroller())) {
                    throw new Error("The thread jumped to the new message while the user read the history");
                }
                if (inView(message("Newest message of the history"), scroller())) {
                    throw new Error("The thread moved while the user read the history");
                }
            },
        },
        {
            content: "The marker takes the user down",
            trigger: ".o-inbox-Thread-newMessages",
            run: "click",
        },
        {
            content: "to the new message, and goes",
            trigger: ".o_inbox_thread:not(:has(.o-inbox-Thread-newMessages))",
            run: async () => {
                await waitUntil(() => inView(message("Are you still there?"), scroller()), "the reply is in view");
            },
        },
        {
            content: "Write a note at the bottom",
            trigger: ".o_inbox_composer_channel[data-channel='note']",
            run: "click",
        },
        {
            content: "Type it",
            trigger: ".o_inbox_composer_html:visible",
            run: "editor Sent from the bottom",
        },
        {
            content: "Add it",
            trigger: ".o_inbox_composer_send:contains('Add note')",
            run: "click",
        },
        {
            content: "it shows at the bottom: the thread keeps up",
            trigger: ".o_inbox_thread .o-mail-Message:contains('Sent from the bottom')",
            run: async () => {
                await waitUntil(() => inView(message("Sent from the bottom"), scroller()), "the note is in view");
            },
        },
    ],
});

registry.category("web_tour.tours").add("unified_inbox_feed_scroll_tour", {
    steps: () => [
        {
            content: "Open the person's Messaging tab",
            trigger: ".o_notebook .nav-link:contains('Messaging')",
            run: "click",
        },
        {
            content: "the feed opens at the newest message",
            trigger: ".o_inbox_feed .o-mail-Message:contains('Newest message of the history')",
            run: async () => {
                const feedScroller = () => document.querySelector(".o_inbox_feed .o-mail-Thread");
                const feed = document.querySelector(".o_inbox_feed");
                await waitUntil(
                    () => inView(message("Newest message of the history", feed), feedScroller(), { onScreen: false }),
                    "the newest message is in view in the feed"
                );
                if (feedScroller().scrollTop < 100) {
                    throw new Error("The feed does not scroll: its history is all shown");
                }
            },
        },
        {
            content: "Write a note",
            trigger: ".o_inbox_feed .o_inbox_composer_channel[data-channel='note']",
            run: "click",
        },
        {
            content: "Type it",
            trigger: ".o_inbox_feed .o_inbox_composer_html",
            run: "editor Sent from the form",
        },
        {
            content: "Add it",
            trigger: ".o_inbox_feed .o_inbox_composer_send:contains('Add note')",
            run: "click",
        },
        {
            content: "it shows at the bottom of the feed",
            trigger: ".o_inbox_feed .o-mail-Message:contains('Sent from the form')",
            run: async () => {
                const feed = document.querySelector(".o_inbox_feed");
                await waitUntil(
                    () =>
                        inView(message("Sent from the form", feed), feed.querySelector(".o-mail-Thread"), {
                            onScreen: false,
                        }),
                    "the note is in view in the feed"
                );
            },
        },
    ],
});
