import { registry } from "@web/core/registry";

/**
 * New messages of a conversation, pushed by the server
 * (``inbox.conversation._inbox_bus_send``), go into its thread wherever it
 * is shown (the Inbox, a person's form) without asking the server again:
 * the push carries the whole message. A push that only says a message's
 * new delivery status carries no thread: the message already shown
 * follows through the Store.
 */
export const inboxRealtimeService = {
    dependencies: ["bus_service", "mail.store"],
    start(env, { bus_service: bus, "mail.store": store }) {
        bus.subscribe("mail.record/insert", (payload) => {
            const pushed = (payload["mail.message"] || []).filter((data) => data.thread);
            if (!pushed.length) {
                return;
            }
            // after the mail service has inserted the payload in the Store
            queueMicrotask(() => {
                for (const data of pushed) {
                    const message = store["mail.message"].get(data.id);
                    const thread = message?.thread;
                    if (
                        thread?.model !== "inbox.conversation" ||
                        !thread.isLoaded ||
                        // the user reads an older page: the newest come with the next one
                        thread.loadNewer ||
                        message.in(thread.messages)
                    ) {
                        continue;
                    }
                    thread.messages.add(message);
                    thread.messages.sort((a, b) => a.id - b.id);
                }
            });
        });
    },
};

registry.category("services").add("unified_inbox.realtime", inboxRealtimeService);
