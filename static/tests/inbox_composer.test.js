import { describe, expect, test } from "@odoo/hoot";
import { click, press } from "@odoo/hoot-dom";
import { animationFrame } from "@odoo/hoot-mock";
import { contains, mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";
import { InboxComposer } from "@unified_inbox/inbox/inbox_composer";
import { defineInboxModels } from "./unified_inbox_test_helpers";

describe.current.tags("desktop");
defineInboxModels();

onRpc("inbox.template", "search_read", () => [
    { id: 1, name: "Reminder", channel: "sms" },
    { id: 2, name: "Welcome", channel: "email" },
]);

const conversation = {
    id: 7,
    channel_availability: {
        note: { available: true, reason: "" },
        email: { available: false, reason: "Alice has no valid email address." },
        sms: { available: true, reason: "" },
        whatsapp: { available: false, reason: "The WhatsApp window is closed." },
    },
};

test("unusable channels are disabled with their reason; the first usable one is chosen", async () => {
    await mountWithCleanup(InboxComposer, { props: { conversation, onSent: () => {} } });
    expect(".o_inbox_composer_channel[data-channel='sms']").toHaveClass("active");
    expect(".o_inbox_composer_channel[data-channel='whatsapp']").toHaveAttribute("disabled");
    expect(".o_inbox_composer_channel[data-channel='whatsapp']").toHaveAttribute(
        "title",
        "The WhatsApp window is closed."
    );
    expect(".o_inbox_composer_channel[data-channel='email']").toHaveAttribute("disabled");
    expect(".o_inbox_composer_subject").toHaveCount(0);
});

test("Enter sends on the chosen channel, Shift+Enter does not", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ args }) => {
        expect.step(`${args[0][0]} ${args[1]} ${JSON.stringify(args[2])}`);
        return 42;
    });
    await mountWithCleanup(InboxComposer, {
        props: { conversation, onSent: () => expect.step("sent") },
    });
    await contains(".o_inbox_composer_body").edit("See you at ten", { confirm: false });
    expect(".o_inbox_composer_counter").toHaveText("14 / 1");
    await click(".o_inbox_composer_body");
    await press(["Shift", "Enter"]);
    await animationFrame();
    expect.verifySteps([]);
    await press("Enter");
    await animationFrame();
    // Shift+Enter made a new line, Enter sent
    expect.verifySteps(['7 sms "See you at ten\\n"', "sent"]);
    expect(".o_inbox_composer_body").toHaveValue("");
});

test("a note needs no provider", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ args }) => {
        expect.step(args[1]);
        return 43;
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, onSent: () => {} } });
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    expect(".o_inbox_composer_send").toHaveText("Add note");
    await contains(".o_inbox_composer_body").edit("Call back tomorrow", { confirm: false });
    await click(".o_inbox_composer_send");
    await animationFrame();
    expect.verifySteps(["note"]);
});

test("a template of the channel prefills the composer; No template keeps what is written", async () => {
    onRpc("inbox.conversation", "inbox_render_template", ({ args }) => {
        expect.step(`render ${args[1]}`);
        return { subject: "", body: "Hello Alice, see you tomorrow." };
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, onSent: () => {} } });
    expect(".o_inbox_composer_template option").toHaveCount(2, { message: "No template + the SMS one" });
    await contains(".o_inbox_composer_template").select("1");
    await animationFrame();
    expect.verifySteps(["render 1"]);
    expect(".o_inbox_composer_body").toHaveValue("Hello Alice, see you tomorrow.");
    await contains(".o_inbox_composer_template").select("");
    await animationFrame();
    expect(".o_inbox_composer_body").toHaveValue("Hello Alice, see you tomorrow.");
    expect.verifySteps([]);
});
