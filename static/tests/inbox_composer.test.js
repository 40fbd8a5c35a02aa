import { describe, expect, test } from "@odoo/hoot";
import { click, press, queryOne, setInputFiles, waitFor } from "@odoo/hoot-dom";
import { animationFrame } from "@odoo/hoot-mock";
import { contains, makeServerError, mountWithCleanup, onRpc, patchWithCleanup } from "@web/../tests/web_test_helpers";
import { session } from "@web/session";
import { lastLeaf } from "@html_editor/utils/dom_traversal";
import { insertText } from "@html_editor/../tests/_helpers/user_actions";
import { InboxComposer } from "@unified_inbox/inbox/inbox_composer";
import { looksLikePaymentDetails } from "@unified_inbox/inbox/inbox_payment_hint";
import { defineInboxModels } from "./unified_inbox_test_helpers";

describe.current.tags("desktop");
defineInboxModels();

onRpc("inbox.snippet", "search_read", () => [
    { id: 2, shortcut: "hello", body: "Hello, how can we help?" },
    { id: 1, shortcut: "hours", body: "We are open 9 to 5." },
    { id: 3, shortcut: "parking", body: "Park behind the building." },
]);

onRpc("inbox.template", "search_read", () => [
    { id: 1, name: "Reminder", channel: "sms" },
    { id: 2, name: "Welcome", channel: "email" },
]);

const MB = 1 << 20;
const conversation = {
    id: 7,
    channel_availability: {
        note: { available: true, reason: "", sender_ids: [], attachment_max_size: 25 * MB },
        email: { available: false, reason: "Alice has no valid email address.", sender_ids: [], attachment_max_size: 25 * MB },
        sms: { available: true, reason: "", sender_ids: [5, 6], attachment_max_size: 0 },
        whatsapp: { available: false, reason: "The WhatsApp window is closed.", sender_ids: [], attachment_max_size: 16 * MB },
    },
};
const senders = [
    { id: 5, name: "Front desk", address: "+32470000001" },
    { id: 6, name: "Night line", address: "+32470000002" },
];

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

test("a channel of ids a provider gives is offered only to who has one there", async () => {
    const messenger = { available: true, reason: "", sender_ids: [8], attachment_max_size: 25 * MB };
    await mountWithCleanup(InboxComposer, {
        props: {
            conversation: {
                ...conversation,
                channel_availability: {
                    ...conversation.channel_availability,
                    messenger: { ...messenger, available: false, reachable: false, reason: "No id there." },
                },
            },
            onSent: () => {},
        },
    });
    expect(".o_inbox_composer_channel[data-channel='messenger']").toHaveCount(0);
    expect(".o_inbox_composer_channel").toHaveCount(4);
    await mountWithCleanup(InboxComposer, {
        props: {
            conversation: {
                ...conversation,
                id: 8,
                channel_availability: { ...conversation.channel_availability, messenger: { ...messenger, reachable: true } },
            },
            onSent: () => {},
        },
    });
    expect(".o_inbox_composer_channel[data-channel='messenger']:enabled").toHaveCount(1);
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

/** Type in the rich text editor of email and notes. */
async function typeRich(composer, text) {
    composer.editor.editable.focus();
    composer.editor.shared.selection.setCursorEnd(lastLeaf(composer.editor.editable));
    await insertText(composer.editor, text);
    await animationFrame();
}

test("a note needs no provider, and is rich text", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ args }) => {
        expect.step(`${args[1]} ${args[2]}`);
        return 43;
    });
    const composer = await mountWithCleanup(InboxComposer, { props: { conversation, onSent: () => {} } });
    await contains(".o_inbox_composer_body").edit("Call back", { confirm: false });
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    expect(".o_inbox_composer_send").toHaveText("Add note");
    expect(".o_inbox_composer_body").toHaveCount(0);
    expect(".o_inbox_composer_html").toHaveText("Call back", { message: "what was written goes along" });
    await typeRich(composer, " tomorrow");
    await click(".o_inbox_composer_send");
    await animationFrame();
    expect.verifySteps(["note <p>Call back tomorrow</p>"]);
    expect(".o_inbox_composer_html").toHaveText("");
});

test("an email is written in paragraphs: Enter makes one, Ctrl+Enter sends", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ args, kwargs }) => {
        expect.step(`${args[1]} ${kwargs.subject} ${args[2].startsWith("<p>Dear Alice")}`);
        return 49;
    });
    const withEmail = JSON.parse(JSON.stringify(conversation));
    withEmail.channel_availability.email = { ...withEmail.channel_availability.email, available: true, sender_ids: [5] };
    const composer = await mountWithCleanup(InboxComposer, { props: { conversation: withEmail, senders, onSent: () => {} } });
    await click(".o_inbox_composer_channel[data-channel='email']");
    await animationFrame();
    await contains(".o_inbox_composer_subject").edit("Your results", { confirm: false });
    await typeRich(composer, "Dear Alice");
    await press("Enter");
    await animationFrame();
    expect.verifySteps([]);
    await press(["Control", "Enter"]);
    await animationFrame();
    expect.verifySteps(["email Your results true"]);
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

test("the message goes out from the chosen account of the channel", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ args, kwargs }) => {
        expect.step(`${args[1]} from ${kwargs.sender_id}`);
        return 44;
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    expect(".o_inbox_composer_sender option").toHaveCount(2);
    expect(".o_inbox_composer_sender").toHaveValue("5");
    expect(".o_inbox_composer_sender option:eq(1)").toHaveText("Night line (+32470000002)");
    await contains(".o_inbox_composer_sender").select("6");
    await contains(".o_inbox_composer_body").edit("From the night line", { confirm: false });
    await click(".o_inbox_composer_send");
    await animationFrame();
    expect.verifySteps(["sms from 6"]);
    // a note has no sending account
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    expect(".o_inbox_composer_sender").toHaveCount(0);
});

test("files attach only where the channel takes them, and go with the message", async () => {
    onRpc("ir.attachment", "create", ({ args }) => {
        expect.step(`upload ${args[0].map((values) => `${values.name}@${values.res_model},${values.res_id}`)}`);
        return [90];
    });
    onRpc("ir.attachment", "unlink", ({ args }) => {
        expect.step(`remove ${args[0]}`);
        return true;
    });
    onRpc("inbox.conversation", "message_inbox_send", ({ args, kwargs }) => {
        expect.step(`${args[1]} ${JSON.stringify(args[2])} ${kwargs.attachment_ids}`);
        return 45;
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    expect(".o_inbox_composer_attach").toHaveCount(0, { message: "SMS takes no files" });
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    await click(".o_inbox_composer_attach");
    await setInputFiles([new File(["%PDF-1.4"], "results.pdf", { type: "application/pdf" })]);
    await expect.waitForSteps(["upload results.pdf@inbox.conversation,7"]);
    await animationFrame();
    expect(".o_inbox_composer_attachment").toHaveText("results.pdf");
    // a file alone is a message
    await click(".o_inbox_composer_send");
    await animationFrame();
    expect.verifySteps(['note "" 90']);
    expect(".o_inbox_composer_attachment").toHaveCount(0);
});

test("a file too large for the channel is refused before upload; a removed one is deleted", async () => {
    onRpc("ir.attachment", "create", () => [91]);
    onRpc("ir.attachment", "unlink", ({ args }) => {
        expect.step(`remove ${args[0]}`);
        return true;
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    const huge = new File(["x"], "scan.tiff", { type: "image/tiff" });
    Object.defineProperty(huge, "size", { value: 26 * MB });
    await click(".o_inbox_composer_attach");
    await setInputFiles([huge]);
    await animationFrame();
    expect(".o_notification").toHaveText("scan.tiff is larger than 25 MB.");
    expect(".o_inbox_composer_attachment").toHaveCount(0);
    await click(".o_inbox_composer_attach");
    await setInputFiles([new File(["hello"], "notes.txt", { type: "text/plain" })]);
    // the file is read, then uploaded: its badge comes after both
    await waitFor(".o_inbox_composer_attachment button");
    await click(".o_inbox_composer_attachment button");
    await animationFrame();
    expect.verifySteps(["remove 91"]);
    expect(".o_inbox_composer_attachment").toHaveCount(0);
});

test("typing / offers the snippets; Enter inserts the one chosen in place of the shortcut", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ args }) => {
        expect.step(JSON.stringify(args[2]));
        return 46;
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    await contains(".o_inbox_composer_body").edit("Hi! /h", { confirm: false });
    await animationFrame();
    expect(".o_inbox_snippet").toHaveCount(2, { message: "hello and hours start with h" });
    expect(".o_inbox_snippet.active").toHaveAttribute("data-shortcut", "hello");
    await press("ArrowDown");
    await animationFrame();
    expect(".o_inbox_snippet.active").toHaveAttribute("data-shortcut", "hours");
    await press("Enter");
    await animationFrame();
    expect(".o_inbox_composer_body").toHaveValue("Hi! We are open 9 to 5.");
    expect(".o_inbox_snippet").toHaveCount(0);
    expect.verifySteps([], { message: "Enter inserted, it did not send" });
    await press("Enter");
    await animationFrame();
    expect.verifySteps(['"Hi! We are open 9 to 5."']);
});

test("the snippet picker inserts at the caret; a slash inside a word is no shortcut", async () => {
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    await contains(".o_inbox_composer_body").edit("and/or", { confirm: false });
    await animationFrame();
    expect(".o_inbox_snippet").toHaveCount(0);
    await click(".o_inbox_composer_snippets");
    await animationFrame();
    expect(".o_inbox_snippet").toHaveCount(3);
    await contains(".o_inbox_snippet[data-shortcut='parking']").click();
    await animationFrame();
    expect(".o_inbox_composer_body").toHaveValue("and/or Park behind the building.", {
        message: "a word of its own",
    });
});

test("a message can be scheduled; notes cannot", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ args, kwargs }) => {
        expect.step(`${args[1]} at ${kwargs.scheduled_date}`);
        return 47;
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    await click(".o_inbox_composer_schedule");
    await animationFrame();
    expect(".o_inbox_composer_send").toHaveText("Schedule");
    // hoot cannot type in a datetime-local input: set it as the browser would
    const input = queryOne(".o_inbox_composer_date");
    input.value = "2030-01-15T09:30";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await contains(".o_inbox_composer_body").edit("Reminder", { confirm: false });
    await click(".o_inbox_composer_send");
    await animationFrame();
    const utc = luxon.DateTime.fromISO("2030-01-15T09:30").toUTC().toFormat("yyyy-MM-dd HH:mm:ss");
    expect.verifySteps([`sms at ${utc}`]);
    expect(".o_inbox_composer_date").toHaveCount(0, { message: "back to sending now" });
    expect(".o_inbox_composer_send").toHaveText("Send");
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    expect(".o_inbox_composer_schedule").toHaveCount(0);
});

test("a channel that became unusable says why and does not send", async () => {
    onRpc("inbox.conversation", "message_inbox_send", () => expect.step("sent"));
    const blocked = JSON.parse(JSON.stringify(conversation));
    await mountWithCleanup(InboxComposer, { props: { conversation: blocked, senders, onSent: () => {} } });
    blocked.channel_availability.sms = { ...blocked.channel_availability.sms, available: false, reason: "Alice opted out of SMS messages." };
    await contains(".o_inbox_composer_body").edit("Promo", { confirm: false });
    await animationFrame();
    expect(".o_inbox_composer_blocked").toHaveText("Alice opted out of SMS messages.");
    expect(".o_inbox_composer_send").toHaveAttribute("disabled");
    await press("Enter");
    await animationFrame();
    expect.verifySteps([]);
});

test("a closed WhatsApp window locks free text and offers the approved templates only", async () => {
    onRpc("inbox.template", "search_read", () => [
        { id: 3, name: "Reminder", channel: "whatsapp", whatsapp_template_name: "reminder", whatsapp_status: "approved" },
        { id: 4, name: "Offer", channel: "whatsapp", whatsapp_template_name: "offer", whatsapp_status: "pending" },
        { id: 5, name: "Plain", channel: "whatsapp", whatsapp_template_name: false, whatsapp_status: false },
    ]);
    onRpc("inbox.conversation", "inbox_render_template", () => ({ subject: "", body: "Hello Alice, see you Monday." }));
    onRpc("inbox.conversation", "message_inbox_send", ({ args, kwargs }) => {
        expect.step(`${args[1]} template ${kwargs.template_id}`);
        return 48;
    });
    const closed = JSON.parse(JSON.stringify(conversation));
    closed.channel_availability.whatsapp = {
        available: false,
        templates_only: true,
        reason: "The WhatsApp window is closed.",
        sender_ids: [5],
        attachment_max_size: 0,
    };
    await mountWithCleanup(InboxComposer, { props: { conversation: closed, senders, onSent: () => {} } });
    expect(".o_inbox_composer_channel[data-channel='whatsapp']").not.toHaveAttribute("disabled");
    await click(".o_inbox_composer_channel[data-channel='whatsapp']");
    await animationFrame();
    expect(".o_inbox_composer_window").toHaveText(/only an approved template can be sent/);
    expect(".o_inbox_composer_body").toHaveAttribute("readonly");
    expect(".o_inbox_composer_template option").toHaveCount(2, { message: "the choice, and the approved one" });
    expect(".o_inbox_composer_send").toHaveAttribute("disabled");
    await contains(".o_inbox_composer_template").select("3");
    await animationFrame();
    expect(".o_inbox_composer_body").toHaveValue("Hello Alice, see you Monday.");
    expect(".o_inbox_composer_body").toHaveAttribute("readonly");
    expect(".o_inbox_composer_send").not.toHaveAttribute("disabled");
    await click(".o_inbox_composer_send");
    await animationFrame();
    expect.verifySteps(["whatsapp template 3"]);
});

test("a sender account named after its address shows the address once", async () => {
    const sameName = [
        { id: 5, name: "hello@clinic.example.com", address: "hello@clinic.example.com" },
        { id: 6, name: "Night line", address: "+32470000002" },
    ];
    await mountWithCleanup(InboxComposer, { props: { conversation, senders: sameName, onSent: () => {} } });
    expect(".o_inbox_composer_sender option[value='5']").toHaveText("hello@clinic.example.com");
    expect(".o_inbox_composer_sender option[value='6']").toHaveText("Night line (+32470000002)");
});

test("an email without subject is not sent: the subject is marked and focused", async () => {
    onRpc("inbox.conversation", "message_inbox_send", ({ kwargs }) => {
        expect.step(`sent ${kwargs.subject}`);
        return 50;
    });
    const withEmail = JSON.parse(JSON.stringify(conversation));
    withEmail.channel_availability.email = { ...withEmail.channel_availability.email, available: true, sender_ids: [5] };
    const composer = await mountWithCleanup(InboxComposer, { props: { conversation: withEmail, senders, onSent: () => {} } });
    await click(".o_inbox_composer_channel[data-channel='email']");
    await animationFrame();
    await typeRich(composer, "Dear Alice");
    await click(".o_inbox_composer_send");
    await animationFrame();
    expect.verifySteps([], { message: "the server is not asked" });
    expect(".o_inbox_composer_subject").toHaveClass("is-invalid");
    expect(".o_inbox_composer_subject").toBeFocused();
    expect(".o_inbox_composer_subject_error").toHaveText("An email needs a subject.");
    await contains(".o_inbox_composer_subject").edit("Your results", { confirm: false });
    expect(".o_inbox_composer_subject").not.toHaveClass("is-invalid");
    expect(".o_inbox_composer_subject_error").toHaveCount(0);
    await click(".o_inbox_composer_send");
    await animationFrame();
    expect.verifySteps(["sent Your results"]);
});

test("tapping an unusable channel shows its reason under the channels, without choosing it", async () => {
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    expect(".o_inbox_composer_channel_reason").toHaveCount(0);
    // a disabled button lets the tap through to its slot (phones have no hover for its title)
    await click(".o_inbox_composer_channel_slot[data-channel='email']");
    await animationFrame();
    expect(".o_inbox_composer_channel_reason").toHaveText("Email: Alice has no valid email address.");
    expect(".o_inbox_composer_channel[data-channel='sms']").toHaveClass("active");
    expect(".o_inbox_composer_channel[data-channel='email']").not.toHaveClass("active");
    await click(".o_inbox_composer_channel_slot[data-channel='whatsapp']");
    await animationFrame();
    expect(".o_inbox_composer_channel_reason").toHaveText("WhatsApp: The WhatsApp window is closed.");
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    expect(".o_inbox_composer_channel_reason").toHaveCount(0, { message: "a usable channel chosen: no reason left" });
    expect(".o_inbox_composer_channel[data-channel='note']").toHaveClass("active");
});

test("payment instructions typed by hand are recognized, ordinary text is not", () => {
    for (const text of [
        "Please pay by bank transfer",
        "IBAN: BE71 0961 2345 6769",
        "to DE89370400440532013000 please",
        "my card is 4111 1111 1111 1111",
        "Par virement, merci",
        "Per Überweisung",
    ]) {
        expect(looksLikePaymentDetails(text)).toBe(true, { message: text });
    }
    for (const text of [
        "See you on Tuesday at 10",
        "Call me at +32 470 61 72 83",
        "Order 1234567890123 is on its way", // 13 digits that fail the Luhn check
        "BE71 0961 2345 6768", // an IBAN with a wrong check
        "Our swiftest answer", // swift inside a word
        "",
    ]) {
        expect(looksLikePaymentDetails(text)).toBe(false, { message: text });
    }
});

test("payment links: the person's open documents, the link at the caret; a hint on typed instructions", async () => {
    patchWithCleanup(session, { inbox_payment_links: true });
    onRpc("inbox.conversation", "inbox_payment_documents", () => [
        { model: "account.move", id: 4, name: "INV/2026/00004", kind: "Invoice", amount: "$ 250.00" },
    ]);
    onRpc("inbox.conversation", "inbox_payment_link", ({ args }) => {
        expect.step(`link ${args[1]} ${args[2]}`);
        return "Invoice INV/2026/00004, $ 250.00: http://localhost/my/invoices/4?payment=True";
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    expect(".o_inbox_composer_payment_hint").toHaveCount(0);
    await contains(".o_inbox_composer_body").edit("Hello, you can pay by bank transfer to BE71 0961 2345 6769", {
        confirm: false,
    });
    await animationFrame();
    expect(".o_inbox_composer_payment_hint").toHaveCount(1);
    expect(".o_inbox_composer_send").toBeEnabled({ message: "a hint, never a block" });
    await contains(".o_inbox_composer_body").edit("Here is the link:", { confirm: false });
    await click(".o_inbox_composer_payment");
    await animationFrame();
    expect(".o_inbox_payment").toHaveCount(1);
    expect(".o_inbox_payment").toHaveText("Invoice INV/2026/00004\n$ 250.00");
    await click(".o_inbox_payment");
    await animationFrame();
    expect.verifySteps(["link account.move 4"]);
    expect(".o_inbox_composer_body").toHaveValue(
        "Here is the link: Invoice INV/2026/00004, $ 250.00: http://localhost/my/invoices/4?payment=True"
    );
    expect(".o_inbox_payments").toHaveCount(0);
    // notes reach nobody: no link there
    await click(".o_inbox_composer_channel[data-channel='note']");
    await animationFrame();
    expect(".o_inbox_composer_payment").toHaveCount(0);
});

test("payment links: nothing to pay, or a refusal, is said in one line", async () => {
    patchWithCleanup(session, { inbox_payment_links: true });
    let documents = [];
    onRpc("inbox.conversation", "inbox_payment_documents", () => documents);
    onRpc("inbox.conversation", "inbox_payment_link", () => {
        throw makeServerError({ message: "Online payment option is not enabled in Configuration." });
    });
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    await click(".o_inbox_composer_payment");
    await animationFrame();
    expect(".o_inbox_composer_payment_error").toHaveText("Nothing open to pay for this person.");
    documents = [{ model: "account.move", id: 4, name: "INV/2026/00004", kind: "Invoice", amount: "$ 250.00" }];
    await contains(".o_inbox_composer_body").edit("Kept", { confirm: false });
    await click(".o_inbox_composer_payment");
    await animationFrame();
    await click(".o_inbox_payment");
    await animationFrame();
    expect(".o_inbox_composer_payment_error").toHaveText("Online payment option is not enabled in Configuration.");
    expect(".o_inbox_composer_body").toHaveValue("Kept");
});

test("no payment links without an app that makes them for the user", async () => {
    await mountWithCleanup(InboxComposer, { props: { conversation, senders, onSent: () => {} } });
    await contains(".o_inbox_composer_body").edit("IBAN BE71 0961 2345 6769", { confirm: false });
    await animationFrame();
    expect(".o_inbox_composer_payment").toHaveCount(0);
    expect(".o_inbox_composer_payment_hint").toHaveCount(0);
});
