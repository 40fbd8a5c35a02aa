import {
    click,
    contains,
    openFormView,
    start,
    startServer,
} from "@mail/../tests/mail_test_helpers";
import { describe, expect, test } from "@odoo/hoot";
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
