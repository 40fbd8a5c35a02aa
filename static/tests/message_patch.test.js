import {
    click,
    contains,
    openFormView,
    start,
    startServer,
} from "@mail/../tests/mail_test_helpers";
import { describe, expect, mockTimeZone, test } from "@odoo/hoot";
import { queryFirst } from "@odoo/hoot-dom";
import { onRpc } from "@web/../tests/web_test_helpers";
import { defineInboxModels } from "./unified_inbox_test_helpers";

describe.current.tags("desktop");
defineInboxModels();

async function postInboxMessage(values) {
    const pyEnv = await startServer();
    const partnerId = pyEnv["res.partner"].create({ name: "Alice" });
    pyEnv["mail.message"].create({
        body: "Hello Alice",
        message_type: "comment",
        model: "res.partner",
        res_id: partnerId,
        ...values,
    });
    return partnerId;
}

test("outbound message shows its channel and delivery status", async () => {
    const partnerId = await postInboxMessage({
        inbox_channel: "whatsapp",
        inbox_direction: "outbound",
        inbox_status: "delivered",
    });
    await start();
    await openFormView("res.partner", partnerId);
    await contains(".o-inbox-Message-channel.o-inbox-channel-whatsapp", { text: "WhatsApp" });
    await contains(".o-inbox-Message-status[data-status='delivered']", { text: "Delivered" });
    await contains(".o-inbox-Message-cancel", { count: 0 });
    await contains(".o-inbox-Message-retry", { count: 0 });
});

test("inbound message shows its channel but no delivery status", async () => {
    const partnerId = await postInboxMessage({
        inbox_channel: "sms",
        inbox_direction: "inbound",
        inbox_status: "received",
    });
    await start();
    await openFormView("res.partner", partnerId);
    await contains(".o-inbox-Message-channel", { text: "SMS" });
    await contains(".o-inbox-Message-status", { count: 0 });
});

test("a message without inbox channel is left alone", async () => {
    const partnerId = await postInboxMessage({});
    await start();
    await openFormView("res.partner", partnerId);
    await contains(".o-mail-Message", { text: "Hello Alice" });
    await contains(".o-inbox-Message-meta", { count: 0 });
});

test("failed message shows the reason and can be retried", async () => {
    const partnerId = await postInboxMessage({
        inbox_channel: "sms",
        inbox_direction: "outbound",
        inbox_status: "failed",
        inbox_error: "Handset unreachable",
    });
    onRpc("mail.message", "action_inbox_retry", ({ args }) => {
        expect.step(`retry ${args[0].length}`);
    });
    await start();
    await openFormView("res.partner", partnerId);
    await contains(".o-inbox-Message-error", { text: "Handset unreachable" });
    await click(".o-inbox-Message-retry");
    await contains(".o-inbox-Message-status[data-status='queued']", { text: "Queued" });
    await contains(".o-inbox-Message-error", { count: 0 });
    expect.verifySteps(["retry 1"]);
});

test("queued message can be canceled", async () => {
    const partnerId = await postInboxMessage({
        inbox_channel: "email",
        inbox_direction: "outbound",
        inbox_status: "queued",
    });
    onRpc("mail.message", "action_inbox_cancel", () => {
        expect.step("cancel");
    });
    await start();
    await openFormView("res.partner", partnerId);
    await click(".o-inbox-Message-cancel");
    await contains(".o-inbox-Message-status[data-status='canceled']", { text: "Canceled" });
    expect.verifySteps(["cancel"]);
});

test("an activity card shows what happened, and View opens the record", async () => {
    const partnerId = await postInboxMessage({
        message_type: "notification",
        body: "Opportunity created: Whitening",
        inbox_card: {
            kind: "opportunity", event: "create", model: "res.partner", res_id: 1, title: "Opportunity created: Whitening",
        },
    });
    await start();
    await openFormView("res.partner", partnerId);
    await contains(".o-inbox-Card[data-kind='opportunity'] .o-inbox-Card-title", { text: "Opportunity created: Whitening" });
    await contains(".o-inbox-Card .fa-star");
    await contains(".o-inbox-Card-deleted", { count: 0 });
    await click(".o-inbox-Card-view");
    await contains(".modal .o_form_view");
});

test("the card of a deleted record has nothing to open", async () => {
    const partnerId = await postInboxMessage({
        message_type: "notification",
        body: "Opportunity deleted: Implants",
        inbox_card: { kind: "opportunity", event: "unlink", model: "crm.lead", res_id: false, title: "Opportunity deleted: Implants" },
    });
    await start();
    await openFormView("res.partner", partnerId);
    await contains(".o-inbox-Card-deleted", { text: "Deleted" });
    await contains(".o-inbox-Card-view", { count: 0 });
});

test("View on the card of a deleted appointment says it no longer exists", async () => {
    const partnerId = await postInboxMessage({
        message_type: "notification",
        body: "Appointment created: Check-up",
        inbox_card: {
            kind: "appointment", event: "create", model: "res.partner", res_id: 9999, title: "Appointment created: Check-up",
        },
    });
    await start();
    await openFormView("res.partner", partnerId);
    await click(".o-inbox-Card-view");
    await contains(".o_notification", { text: "This appointment no longer exists: it was canceled or deleted." });
    await contains(".modal .o_form_view", { count: 0 });
    await contains(".o-inbox-Card-deleted", { text: "Deleted" });
});

test("a card's times are in the reader's time zone", async () => {
    mockTimeZone("Europe/Brussels");
    const partnerId = await postInboxMessage({
        message_type: "notification",
        body: "Appointment Check-up: Start Mar 4, 2031, 3:00:00 PM UTC → Mar 5, 2031, 5:00:00 PM UTC",
        inbox_card: {
            kind: "appointment", event: "write", model: "res.partner", res_id: 1,
            title: "Appointment Check-up: Start Mar 4, 2031, 3:00:00 PM UTC → Mar 5, 2031, 5:00:00 PM UTC",
            title_parts: [
                "Appointment Check-up: Start ", { datetime: "2031-03-04 15:00:00" }, " → ",
                { datetime: "2031-03-05 17:00:00" },
            ],
        },
    });
    await start();
    await openFormView("res.partner", partnerId);
    await contains(".o-inbox-Card-title");
    // UTC+1 in March in Brussels
    expect(queryFirst(".o-inbox-Card-title").textContent).toMatch(
        /^Appointment Check-up: Start Mar 4, 2031, 4:00\sPM → Mar 5, 2031, 6:00\sPM$/
    );
});
