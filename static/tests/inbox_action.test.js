import { describe, expect, getFixture, test } from "@odoo/hoot";
import { click, dblclick, drag, press, queryAllTexts, queryOne, waitFor } from "@odoo/hoot-dom";
import { advanceTime, animationFrame, Deferred } from "@odoo/hoot-mock";
import { browser } from "@web/core/browser/browser";
import { user } from "@web/core/user";
import {
    contains,
    MockServer,
    mockService,
    mountWithCleanup,
    onRpc,
    serverState,
} from "@web/../tests/web_test_helpers";
import { patchUiSize } from "@mail/../tests/mail_test_helpers";
import { InboxAction } from "@unified_inbox/inbox/inbox_action";
import { COLUMNS, THREAD_MIN_WIDTH } from "@unified_inbox/inbox/column_widths";
import { defineInboxModels } from "./unified_inbox_test_helpers";

describe.current.tags("desktop");
defineInboxModels();

const ROWS = [
    {
        id: 1,
        partner: { id: 11, name: "Alice Martin", phone: "+32470617283", email: "" },
        avatar_text: "AM",
        status: "open",
        user: false,
        last_message_date: "2026-11-21 09:00:00",
        last_message_preview: "Is the clinic open?",
        last_message_channel: "sms",
        is_unread: true,
        labels: [{ id: 3, name: "VIP", color: 2 }],
    },
    {
        id: 2,
        partner: { id: 12, name: "+32470222233", phone: "+32470222233", email: "" },
        avatar_text: "33",
        status: "outbound_only",
        user: false,
        last_message_date: "2026-11-20 09:00:00",
        last_message_preview: "Your results are ready",
        last_message_channel: "whatsapp",
        is_unread: false,
        labels: [],
    },
];

/** What the server pushes for a new message of conversation ``row``: the
 * message and the conversation as this user sees it now. */
function pushMessage(message, row) {
    MockServer.env["bus.bus"]._sendone(serverState.partnerId, "mail.record/insert", {
        "mail.message": [{
            model: "inbox.conversation",
            res_id: row.id,
            thread: { id: row.id, model: "inbox.conversation" },
            ...message,
        }],
        "mail.thread": [{ id: row.id, model: "inbox.conversation" }],
        "inbox.conversation": [{ state: "open", lead_id: false, channel_availability: {}, ...row }],
    });
}

/** A test's answers for the conversation it opens: its record
 * (``inbox_list_row``) and its person panel (``inbox_details``), asked for
 * again after a change; the record comes with the opening (``inbox_open``,
 * registered by mockList: read as it opens), the panel beside it. */
let conversationAnswers = {};

function onConversation(method, answer) {
    conversationAnswers[method] = answer;
    onRpc("inbox.conversation", method, answer);
}

/** What the server answers when the conversation of ``partner`` opens. */
function mockOpening(partner) {
    onConversation("inbox_details", () => ({
        partner: { email: "", address: "", company: "", tags: [], ...partner },
        channels: {},
        opportunities: [],
        appointments: [],
        payments: [],
    }));
    onRpc("inbox.template", "search_read", () => []);
    onRpc("inbox.snippet", "search_read", () => []);
}

/** The latest messages the opening brings (``inbox_open`` with ``messages``). */
function onOpeningMessages(answer) {
    conversationAnswers.messages = answer;
}

function mockList(answer = {}) {
    conversationAnswers = {};
    onRpc("inbox.conversation", "inbox_open", (params) => {
        expect(params.kwargs.mark_read).toBe(true);
        return {
            conversation: { ...conversationAnswers.inbox_list_row(params), is_unread: false },
            messages: conversationAnswers.messages?.(params),
        };
    });
    onRpc("res.users", "search_read", () => []);
    onRpc("inbox.label", "search_read", () => [{ id: 3, name: "VIP" }]);
    onRpc("inbox.sender", "search_read", () => [{ id: 5, name: "Front desk", address: "+32470000001" }]);
    onRpc("inbox.conversation", "inbox_action_count", () => 0);
    onRpc("inbox.conversation", "inbox_report_summary", () => false);
    onRpc("inbox.conversation", "inbox_list", ({ kwargs }) => {
        const filters = [kwargs.search, kwargs.label_id, kwargs.sender_id].filter(Boolean).join(" ");
        expect.step(`list ${kwargs.tab} ${filters}`.trim());
        return {
            conversations: ROWS,
            counts: { open: 2, unread: 1, unassigned: 2, mine: 0, closed: 4, all: 6 },
            total: 2,
            count_cap: 1000,
            new_number: false,
            ...answer,
        };
    });
}

test("tabs show their counts and reload the list", async () => {
    mockList();
    await mountWithCleanup(InboxAction, { props: {} });
    expect.verifySteps(["list open"]);
    expect(".o_inbox_tab[data-tab='closed'] .o_inbox_tab_count").toHaveText("4");
    expect(".o_inbox_row").toHaveCount(2);
    expect(".o_inbox_row[data-id='1'] .o_inbox_unread").toHaveCount(1);
    expect(".o_inbox_row[data-id='2'] .o_inbox_avatar").toHaveText("33");
    expect(".o_inbox_row[data-id='2'] .o_inbox_status").toHaveText("Outbound only");
    await click(".o_inbox_tab[data-tab='closed']");
    await animationFrame();
    expect.verifySteps(["list closed"]);
    expect(".o_inbox_tab[data-tab='closed']").toHaveClass("active");
});

test("search runs on Enter, filters pass their value", async () => {
    mockList();
    await mountWithCleanup(InboxAction, { props: {} });
    expect.verifySteps(["list open"]);
    await contains(".o_inbox_search").edit("0470 61", { confirm: false });
    await press("Enter");
    await animationFrame();
    expect.verifySteps(["list open 0470 61"]);
    await contains(".o_inbox_label_filter").select("3");
    await animationFrame();
    expect.verifySteps(["list open 0470 61 3"]);
    await contains(".o_inbox_sender_filter").select("5");
    await animationFrame();
    expect.verifySteps(["list open 0470 61 3 5"]);
});

test("a valid number that matches nobody offers a new conversation", async () => {
    mockList({ conversations: [], total: 0, new_number: "+32470998877" });
    await mountWithCleanup(InboxAction, { props: {} });
    expect(".o_inbox_new_number").toHaveText("Nobody has +32470998877. Start a new conversation");
    expect(".o_inbox_empty").toHaveCount(1);
    expect.verifySteps(["list open"]);
});

test("the list column is resized by dragging its edge, within bounds, and the width is kept", async () => {
    mockList();
    await mountWithCleanup(InboxAction, { props: {} });
    expect(".o_inbox_list").toHaveStyle({ width: "340px" });
    const handle = ".o_inbox_resizer[data-column='list']";
    const { moveTo, drop } = await drag(handle, { position: { x: 2, y: 10 }, relative: true });
    await moveTo(handle, { position: { x: 102, y: 10 }, relative: true });
    await animationFrame();
    expect(".o_inbox_list").toHaveStyle({ width: "440px" });
    // far past the maximum: held at the bound
    await moveTo(handle, { position: { x: 502, y: 10 }, relative: true });
    await drop();
    await animationFrame();
    expect(".o_inbox_list").toHaveStyle({ width: "640px" });
    const key = `unified_inbox.column_widths.${user.userId}`;
    expect(JSON.parse(browser.localStorage.getItem(key)).list).toBe(640);
    // double-click puts the default back
    await dblclick(handle);
    await animationFrame();
    expect(".o_inbox_list").toHaveStyle({ width: "340px" });
    expect.verifySteps(["list open"]);
});

test("a remembered width is read back within its bounds", async () => {
    mockList();
    const key = `unified_inbox.column_widths.${user.userId}`;
    browser.localStorage.setItem(key, JSON.stringify({ list: 10 }));
    await mountWithCleanup(InboxAction, { props: {} });
    expect(".o_inbox_list").toHaveStyle({ width: "260px" });
    expect.verifySteps(["list open"]);
});

test("a corrupt remembered width falls back to the default", async () => {
    mockList();
    browser.localStorage.setItem(`unified_inbox.column_widths.${user.userId}`, "{not json");
    await mountWithCleanup(InboxAction, { props: {} });
    expect(".o_inbox_list").toHaveStyle({ width: "340px" });
    expect.verifySteps(["list open"]);
});

test("counts past the server's cap show as 999+", async () => {
    mockList({ counts: { open: 1000, unread: 999, unassigned: 2, mine: 0, closed: 4, all: 1000 }, total: 1000 });
    await mountWithCleanup(InboxAction, { props: {} });
    expect(".o_inbox_tab[data-tab='open'] .o_inbox_tab_count").toHaveText("999+");
    expect(".o_inbox_tab[data-tab='unread'] .o_inbox_tab_count").toHaveText("999");
    expect(".o_inbox_total").toHaveText("999+ conversations");
    expect.verifySteps(["list open"]);
});

test("the person panel opts out and sets do-not-disturb per channel, and the composer follows", async () => {
    mockList();
    const availability = (smsReason) => ({
        note: { available: true, reason: "", sender_ids: [], attachment_max_size: 0 },
        email: { available: false, reason: "No email.", sender_ids: [], attachment_max_size: 0 },
        sms: { available: !smsReason, reason: smsReason, sender_ids: [5], attachment_max_size: 0 },
        whatsapp: { available: false, reason: "Closed.", sender_ids: [], attachment_max_size: 0 },
    });
    let optedOut = false;
    onConversation("inbox_list_row", () => ({
        ...ROWS[0], state: "open", lead_id: false,
        channel_availability: availability(optedOut ? "Alice opted out of SMS messages." : ""),
    }));
    onRpc("inbox.conversation", "action_mark_read", () => true);
    onRpc("inbox.template", "search_read", () => []);
    onRpc("inbox.snippet", "search_read", () => []);
    onConversation("inbox_details", () => ({
        partner: { id: 11, name: "Alice Martin", phone: "+32470617283", email: "", address: "", company: "", tags: [] },
        channels: {
            sms: { opted_out: optedOut, dnd: false, address: "+32470617283" },
            whatsapp: { opted_out: optedOut, dnd: false, address: "+32470617283" },
            email: { opted_out: false, dnd: false, address: "" },
        },
        opportunities: [],
        appointments: [],
        payments: [],
    }));
    onRpc("inbox.conversation", "inbox_set_consent", ({ args, kwargs }) => {
        expect.step(`consent ${args[1]} opted_out=${kwargs.opted_out} dnd=${kwargs.dnd}`);
        optedOut = kwargs.opted_out ?? optedOut;
        return true;
    });
    onRpc("/mail/thread/messages", () => ({ messages: [], data: {} }));
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='1']");
    await animationFrame();
    await animationFrame();
    expect(".o_inbox_consent tr[data-channel='email'] .o_inbox_opt").toHaveAttribute("disabled");
    expect(".o_inbox_consent tr[data-channel='sms'] .o_inbox_opt").toHaveText("Opted in");
    expect(".o_inbox_composer_channel[data-channel='sms']").toHaveClass("active");
    await click(".o_inbox_consent tr[data-channel='sms'] .o_inbox_opt");
    await animationFrame();
    await animationFrame();
    expect.verifySteps(["list open", "consent sms opted_out=true dnd=undefined"]);
    expect(".o_inbox_consent tr[data-channel='sms'] .o_inbox_opt").toHaveText("Opted out");
    expect(".o_inbox_consent tr[data-channel='whatsapp'] .o_inbox_opt").toHaveText("Opted out");
    expect(".o_inbox_composer_blocked").toHaveText("Alice opted out of SMS messages.");
    await click(".o_inbox_consent tr[data-channel='sms'] .o_inbox_dnd");
    await animationFrame();
    expect.verifySteps(["consent sms opted_out=undefined dnd=true"]);
});

test("the person panel creates an opportunity, or links one of theirs", async () => {
    mockList();
    let linked = false;
    onConversation("inbox_list_row", () => ({
        ...ROWS[0], state: "open", lead_id: false,
        channel_availability: {},
    }));
    onRpc("inbox.conversation", "action_mark_read", () => true);
    onRpc("inbox.template", "search_read", () => []);
    onRpc("inbox.snippet", "search_read", () => []);
    onConversation("inbox_details", () => ({
        partner: { id: 11, name: "Alice Martin", phone: "", email: "", address: "", company: "", tags: [] },
        channels: Object.fromEntries(
            ["sms", "whatsapp", "email"].map((channel) => [channel, { opted_out: false, dnd: false, address: "" }])
        ),
        opportunities: [{ id: 40, name: "Implants", stage: "New", expected_revenue: 0, currency: "$", user: "", linked }],
        appointments: [],
        payments: [],
        can_create_opportunity: true,
    }));
    onRpc("inbox.conversation", "inbox_link_opportunity", ({ args }) => {
        expect.step(`link ${args[1]}`);
        linked = true;
        return true;
    });
    onRpc("inbox.conversation", "inbox_create_opportunity", () => {
        expect.step("create");
        return 41;
    });
    onRpc("/mail/thread/messages", () => ({ messages: [], data: {} }));
    mockService("action", {
        doAction(action) {
            expect.step(`open ${action.res_model} ${action.res_id}`);
        },
    });
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='1']");
    await animationFrame();
    await animationFrame();
    await click(".o_inbox_opportunity[data-id='40'] .o_inbox_link_opportunity");
    await animationFrame();
    await animationFrame();
    expect.verifySteps(["list open", "link 40"]);
    expect(".o_inbox_opportunity[data-id='40'] .o_inbox_opportunity_linked").toHaveText("Linked");
    expect(".o_inbox_link_opportunity").toHaveCount(0);
    await click(".o_inbox_new_opportunity");
    await animationFrame();
    await animationFrame();
    expect.verifySteps(["create", "open crm.lead 41"]);
});

test("the person panel shows what they have to pay; its payment link goes into the composer", async () => {
    mockList();
    onConversation("inbox_list_row", () => ({
        ...ROWS[0], state: "open", lead_id: false,
        channel_availability: { sms: { available: true, reason: "", sender_ids: [], attachment_max_size: 0 } },
    }));
    onRpc("inbox.conversation", "action_mark_read", () => true);
    onRpc("inbox.template", "search_read", () => []);
    onRpc("inbox.snippet", "search_read", () => []);
    onConversation("inbox_details", () => ({
        partner: { id: 11, name: "Alice Martin", phone: "", email: "", address: "", company: "", tags: [] },
        channels: {},
        opportunities: [],
        appointments: [],
        payments: [{ model: "account.move", id: 4, name: "INV/2026/00004", kind: "Invoice", amount: "$ 250.00" }],
    }));
    onRpc("inbox.conversation", "inbox_payment_link", ({ args }) => {
        expect.step(`link ${args[1]} ${args[2]}`);
        return "Invoice INV/2026/00004, $ 250.00: http://localhost/my/invoices/4";
    });
    onRpc("/mail/thread/messages", () => ({ messages: [], data: {} }));
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='1']");
    await animationFrame();
    await animationFrame();
    expect(".o_inbox_payment_due").toHaveText("Invoice INV/2026/00004Payment link\n$ 250.00 to pay");
    await contains(".o_inbox_composer_body").edit("Here it is:", { confirm: false });
    await click(".o_inbox_payment_link");
    await animationFrame();
    await animationFrame();
    expect.verifySteps(["list open", "link account.move 4"]);
    expect(".o_inbox_composer_body").toHaveValue("Here it is: Invoice INV/2026/00004, $ 250.00: http://localhost/my/invoices/4");
});

test("one conversation is counted in the singular", async () => {
    mockList({ conversations: [ROWS[0]], total: 1 });
    await mountWithCleanup(InboxAction, { props: {} });
    expect(".o_inbox_total").toHaveText("1 conversation");
    expect.verifySteps(["list open"]);
});

test("widening a side column leaves the thread its minimum width", async () => {
    mockList();
    getFixture().style.width = "1100px";
    await mountWithCleanup(InboxAction, { props: {} });
    const inbox = queryOne(".o_inbox");
    const others = [".o_inbox_filters", ".o_inbox_resizer[data-column='list']"]
        .map((selector) => queryOne(selector).offsetWidth)
        .reduce((a, b) => a + b, 0);
    const room = inbox.clientWidth - others - THREAD_MIN_WIDTH;
    expect(room).toBeLessThan(COLUMNS.list.max, { message: "the bound that matters is the thread's" });
    const handle = ".o_inbox_resizer[data-column='list']";
    const { moveTo, drop } = await drag(handle, { position: { x: 2, y: 10 }, relative: true });
    await moveTo(handle, { position: { x: 602, y: 10 }, relative: true });
    await drop();
    await animationFrame();
    expect(".o_inbox_list").toHaveStyle({ width: `${room}px` });
    expect(queryOne(".o_inbox_thread").offsetWidth).toBeGreaterThan(THREAD_MIN_WIDTH - 1);
    expect.verifySteps(["list open"]);
});

test("the WhatsApp badge never says the window is open while WhatsApp cannot be used", async () => {
    mockList();
    const expiry = luxon.DateTime.utc().plus({ hours: 5 }).toFormat("yyyy-MM-dd HH:mm:ss");
    const whatsapp = {
        available: true, reason: "", templates_only: false, window_expiry: expiry, sender_ids: [8],
        attachment_max_size: 0,
    };
    onConversation("inbox_list_row", () => ({
        ...ROWS[0], state: "open", lead_id: false,
        channel_availability: {
            note: { available: true, reason: "", sender_ids: [], attachment_max_size: 0 },
            email: { available: false, reason: "No email.", sender_ids: [], attachment_max_size: 0 },
            sms: { available: true, reason: "", sender_ids: [5], attachment_max_size: 0 },
            whatsapp,
        },
    }));
    onRpc("inbox.conversation", "action_mark_read", () => true);
    onConversation("inbox_details", () => ({
        partner: { id: 11, name: "Alice Martin", phone: "+32470617283", email: "", address: "", company: "", tags: [] },
        channels: {
            sms: { opted_out: false, dnd: false, address: "+32470617283" },
            whatsapp: { opted_out: false, dnd: false, address: "+32470617283" },
            email: { opted_out: false, dnd: false, address: "" },
        },
        opportunities: [],
        appointments: [],
        payments: [],
    }));
    onRpc("inbox.template", "search_read", () => []);
    onRpc("inbox.snippet", "search_read", () => []);
    onRpc("/mail/thread/messages", () => ({ messages: [], data: {} }));
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='1']");
    await animationFrame();
    expect(".o_inbox_whatsapp_window").toHaveAttribute("data-open", "1");
    expect(".o_inbox_whatsapp_window").toHaveText(/WhatsApp window open: 4h 5\dmin left/);
    // she opts out: the window has hours left, WhatsApp is unusable all the same
    Object.assign(whatsapp, { available: false, reason: "Alice opted out of WhatsApp messages." });
    await click(".o_inbox_refresh");
    await animationFrame();
    await animationFrame();
    expect(".o_inbox_whatsapp_window").toHaveAttribute("data-open", "0");
    expect(".o_inbox_whatsapp_window").toHaveText("WhatsApp unavailable");
    expect(".o_inbox_whatsapp_window").toHaveAttribute("title", "Alice opted out of WhatsApp messages.");
    // the provider is down: the same
    whatsapp.reason = "Meta is not ready: down";
    await click(".o_inbox_refresh");
    await animationFrame();
    await animationFrame();
    expect(".o_inbox_whatsapp_window").toHaveAttribute("data-open", "0");
    expect(".o_inbox_whatsapp_window").toHaveAttribute("title", "Meta is not ready: down");
    // only the window is closed (for this number): an approved template may go
    Object.assign(whatsapp, { reason: "The WhatsApp window is closed.", templates_only: true });
    await click(".o_inbox_refresh");
    await animationFrame();
    await animationFrame();
    expect(".o_inbox_whatsapp_window").toHaveText("WhatsApp window closed");
    expect.verifySteps(["list open", "list open", "list open", "list open"]);
});

test("the thread shows with the conversation: its latest messages come in the same answer", async () => {
    mockList();
    onConversation("inbox_list_row", () => ({ ...ROWS[0], state: "open", lead_id: false, channel_availability: {} }));
    mockOpening({ id: 11, name: "Alice Martin", phone: "+32470617283" });
    const message = (id, text) => ({
        id,
        body: ["markup", `<p>${text}</p>`],
        date: `2026-11-21 09:0${id % 10}:00`,
        message_type: "comment",
        model: "inbox.conversation",
        res_id: 1,
        thread: { id: 1, model: "inbox.conversation" },
        inbox_channel: "sms",
        inbox_direction: "inbound",
        inbox_status: "received",
    });
    onOpeningMessages(({ kwargs }) => {
        expect.step(`open with the latest ${kwargs.messages}`);
        return {
            data: {
                "mail.message": [message(702, "Is the clinic open?"), message(701, "Hello")],
                "mail.thread": [{ id: 1, model: "inbox.conversation" }],
            },
            ids: [702, 701],
        };
    });
    onRpc("/mail/thread/messages", async (request) => {
        const { params } = await request.json();
        expect.step(`fetch after ${params.fetch_params.after}`);
        return { messages: [], data: {} };
    });
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='1']");
    await waitFor(".o-mail-Message:contains('Is the clinic open?')");
    expect(queryAllTexts(".o-mail-Message-body")).toEqual(["Hello", "Is the clinic open?"]);
    // the thread's own fetch only asks what came after the newest it holds
    await expect.waitForSteps(["list open", "open with the latest 30", "fetch after 702"]);
});

test("the person panel is asked for beside the opening, and not on a phone, which shows none", async () => {
    mockList();
    onConversation("inbox_list_row", ({ args }) => ({
        ...ROWS.find((row) => row.id === args[0][0]),
        state: "open",
        lead_id: false,
        channel_availability: {},
    }));
    mockOpening({ id: 11, name: "Alice Martin", phone: "+32470617283", company: "Martin & Co" });
    // the panel's answer waits for this
    let panelAnswered = Promise.resolve();
    onRpc("inbox.conversation", "inbox_details", async () => {
        await panelAnswered;
    });
    onRpc("inbox.conversation", "inbox_details", () => expect.step("panel"));
    onRpc("inbox.conversation", "inbox_open", () => expect.step("open"));
    onRpc("/mail/thread/messages", () => ({ messages: [], data: {} }));
    await patchUiSize({ width: 390 });
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='1']");
    await waitFor(".o_inbox_thread_header:contains('Alice Martin')");
    await expect.waitForSteps(["list open", "open"]);
    expect(".o_inbox_details").toHaveCount(0);
    // the screen grows: the panel of the open conversation shows, asked for then
    await patchUiSize({ width: 1440 });
    await waitFor(".o_inbox_details:contains('Martin & Co')");
    expect.verifySteps(["panel"]);
    // on a wide screen, both calls go at once, and the thread shows before the panel answers
    panelAnswered = new Deferred();
    await click(".o_inbox_row[data-id='2']");
    await waitFor(".o_inbox_thread_header:contains('+32470222233')");
    expect.verifySteps(["panel", "open"]);
    // not the panel of the person shown before
    expect(".o_inbox_details:contains('Martin & Co')").toHaveCount(0);
    panelAnswered.resolve();
    await waitFor(".o_inbox_details:contains('Martin & Co')");
});

test("a pushed message updates its row, the counts and the open thread without asking again", async () => {
    mockList();
    onConversation("inbox_list_row", ({ args }) => {
        expect.step(`conversation ${args[0][0]}`);
        return { ...ROWS[1], state: "open", lead_id: false, channel_availability: {} };
    });
    onRpc("inbox.conversation", "action_mark_read", ({ args }) => {
        expect.step(`read ${args[0][0]}`);
        return true;
    });
    mockOpening({ id: 12, name: "+32470222233", phone: "+32470222233" });
    onRpc("/mail/thread/messages", () => {
        expect.step("messages");
        return { messages: [], data: {} };
    });
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='2']");
    await waitFor(".o_inbox_thread_header");
    await animationFrame();
    expect.verifySteps(["list open", "conversation 2", "messages"]);
    expect(queryAllTexts(".o_inbox_row .o_inbox_row_name")).toEqual(["Alice Martin", "+32470222233"]);
    // the person writes: the push carries the message and the conversation as this user sees it
    pushMessage({
        id: 501,
        body: ["markup", "<p>Are you there?</p>"],
        date: "2026-11-22 09:00:00",
        message_type: "comment",
        inbox_channel: "whatsapp",
        inbox_direction: "inbound",
        inbox_status: "received",
    }, {
        ...ROWS[1],
        last_message_date: "2026-11-22 09:00:00",
        last_message_preview: "Are you there?",
        last_message_channel: "whatsapp",
        is_unread: true,
    });
    await waitFor(".o-mail-Message:contains('Are you there?')");
    // the row moves up with its new preview; the Unread tab counts it
    expect(queryAllTexts(".o_inbox_row .o_inbox_row_name")).toEqual(["+32470222233", "Alice Martin"]);
    expect(".o_inbox_row[data-id='2'] .o_inbox_row_preview").toHaveText("Are you there?");
    expect(".o_inbox_tab[data-tab='unread'] .o_inbox_tab_count").toHaveText("2");
    // the conversation is on screen: what came in is read, once the burst is over
    await advanceTime(300);
    await animationFrame();
    expect.verifySteps(["read 2"]);
    expect(".o_inbox_tab[data-tab='unread'] .o_inbox_tab_count").toHaveText("1");
    expect(".o_inbox_row[data-id='2'] .o_inbox_unread").toHaveCount(0);
});

test("another agent's change of assignee or status is pushed: the list is read again for the tab shown", async () => {
    mockList();
    await mountWithCleanup(InboxAction, { props: {} });
    expect.verifySteps(["list open"]);
    // a manager closed Alice's conversation: the line of history and the conversation as it is now
    pushMessage(
        { id: 601, body: ["markup", ""], date: "2026-11-22 09:05:00", message_type: "notification" },
        { ...ROWS[0], status: "closed", state: "closed" }
    );
    await animationFrame();
    await advanceTime(300);
    // the Open tab no longer holds it: the server says what it holds now
    await expect.waitForSteps(["list open"]);
});

test("a conversation that went to another team leaves the screen of who no longer reads it", async () => {
    mockList();
    onConversation("inbox_list_row", () => ({ ...ROWS[0], state: "open", lead_id: false, channel_availability: {} }));
    onRpc("inbox.conversation", "action_mark_read", () => true);
    mockOpening({ id: 11, name: "Alice Martin", phone: "+32470617283" });
    onRpc("/mail/thread/messages", () => ({ messages: [], data: {} }));
    await mountWithCleanup(InboxAction, { props: {} });
    await click(".o_inbox_row[data-id='1']");
    await waitFor(".o_inbox_thread_header");
    expect.verifySteps(["list open"]);
    MockServer.env["bus.bus"]._sendone(serverState.partnerId, "unified_inbox/conversation_gone", { id: 1 });
    await waitFor(".o_notification:contains('This conversation went to another team or assignee.')");
    expect(".o_inbox_thread_header").toHaveCount(0);
    await advanceTime(300);
    await expect.waitForSteps(["list open"]);
});

test("pushes that keep coming do not put off reading the list again", async () => {
    mockList();
    await mountWithCleanup(InboxAction, { props: {} });
    expect.verifySteps(["list open"]);
    // a busy queue: a conversation that is not on the page, pushed every 100 ms
    for (let push = 0; push < 4; push++) {
        pushMessage({ id: 900 + push, body: "Busy", inbox_direction: "inbound" }, { ...ROWS[0], id: 30 + push });
        await animationFrame();
        await advanceTime(100);
    }
    await animationFrame();
    expect.verifySteps(["list open"], { message: "300 ms after the first push, not after the last" });
});

test("a push older than the list shown is kept out, and the list is read again", async () => {
    const asOf = "2026-11-22T10:00:00.000000";
    mockList({ conversations: ROWS.map((row) => ({ ...row, as_of: asOf })) });
    await mountWithCleanup(InboxAction, { props: {} });
    expect.verifySteps(["list open"]);
    // the bus replays to a page just loaded what it pushed in the last minute
    MockServer.env["bus.bus"]._sendone(serverState.partnerId, "mail.record/insert", {
        "inbox.conversation": [{ ...ROWS[1], last_message_preview: "Older news", as_of: "2026-11-22T09:59:59.000000" }],
    });
    await animationFrame();
    await advanceTime(300);
    await expect.waitForSteps(["list open"]);
    expect(".o_inbox_row[data-id='2'] .o_inbox_row_preview").toHaveText("Your results are ready");
});
