import { describe, expect, test } from "@odoo/hoot";
import { click, manuallyDispatchProgrammaticEvent, queryOne } from "@odoo/hoot-dom";
import { advanceTime, animationFrame } from "@odoo/hoot-mock";
import { contains, defineModels, mountWithCleanup, onRpc } from "@web/../tests/web_test_helpers";
import { InboxAction } from "@unified_inbox/inbox/inbox_action";
import { InboxConversation } from "./mock_server/inbox_conversation";
import { defineInboxChannels, inboxModels } from "./unified_inbox_test_helpers";

describe.current.tags("desktop");

class Conversation extends InboxConversation {
    _records = [
        { id: 1, partner_name: "Alice Martin", phone: "+32470617283" },
        { id: 2, partner_name: "Bob Builder", phone: "+32470111111" },
        // the person is in a conversation of another team
        { id: 3, partner_name: "Carla Other", phone: "+32470123456", team: "Sales", assignee: "Agent A",
          readable: false },
    ];
}
defineModels({ ...inboxModels, InboxConversation: Conversation });
defineInboxChannels();

function mockFilters({ list = true } = {}) {
    onRpc("res.users", "search_read", () => []);
    onRpc("inbox.label", "search_read", () => []);
    onRpc("inbox.sender", "search_read", () => []);
    if (list) {
        // a step, then the mock server's answer
        onRpc("inbox.conversation", "inbox_list", ({ kwargs }) => {
            expect.step(`list ${kwargs.search || ""}`.trim());
        });
    }
}

const rowNames = () => [...document.querySelectorAll(".o_inbox_row .o_inbox_row_name")].map((el) => el.textContent);

test("search runs as one types, once the typing pauses; clearing brings the whole list back", async () => {
    mockFilters();
    await mountWithCleanup(InboxAction, { props: {} });
    expect.verifySteps(["list"]);
    expect(rowNames()).toEqual(["Alice Martin", "Bob Builder"]);

    await contains(".o_inbox_search").edit("Bo", { confirm: false });
    await advanceTime(100);
    await contains(".o_inbox_search").edit("Bob", { confirm: false });
    await advanceTime(100);
    expect.verifySteps([]); // nothing while typing
    await advanceTime(250);
    await animationFrame();
    expect.verifySteps(["list Bob"]);
    expect(rowNames()).toEqual(["Bob Builder"]);

    // the text deleted: the list is back at once
    await contains(".o_inbox_search").clear({ confirm: false });
    await animationFrame();
    expect.verifySteps(["list"]);
    expect(rowNames()).toEqual(["Alice Martin", "Bob Builder"]);

    // the search box's ✕ empties it and says so with a "search" event
    await contains(".o_inbox_search").edit("Alice", { confirm: false });
    await advanceTime(300);
    await animationFrame();
    expect.verifySteps(["list Alice"]);
    const input = queryOne(".o_inbox_search");
    input.value = "";
    await manuallyDispatchProgrammaticEvent(input, "search");
    await animationFrame();
    expect.verifySteps(["list"]);
    expect(rowNames()).toEqual(["Alice Martin", "Bob Builder"]);
    await advanceTime(1000);
    expect.verifySteps([]); // no late search after the clear
});

test("a slow answer to an earlier search does not replace a later one", async () => {
    mockFilters({ list: false });
    let releaseFirst;
    onRpc("inbox.conversation", "inbox_list", async ({ kwargs }) => {
        expect.step(`list ${kwargs.search || ""}`.trim());
        if (kwargs.search === "Alice") {
            await new Promise((resolve) => (releaseFirst = resolve));
        }
    });
    await mountWithCleanup(InboxAction, { props: {} });
    await contains(".o_inbox_search").edit("Alice", { confirm: false });
    await advanceTime(300);
    await contains(".o_inbox_search").edit("Bob", { confirm: false });
    await advanceTime(300);
    await animationFrame();
    expect(rowNames()).toEqual(["Bob Builder"]);
    releaseFirst();
    await animationFrame();
    await animationFrame();
    expect(rowNames()).toEqual(["Bob Builder"]);
    // (editing the box empties it first: the whole list, at once)
    expect.verifySteps(["list", "list Alice", "list", "list Bob"]);
});

test("a number in the national format finds the person", async () => {
    mockFilters();
    await mountWithCleanup(InboxAction, { props: {} });
    await contains(".o_inbox_search").edit("0470 61 72 83", { confirm: false });
    await advanceTime(300);
    await animationFrame();
    expect.verifySteps(["list", "list 0470 61 72 83"]);
    expect(rowNames()).toEqual(["Alice Martin"]);
    expect(".o_inbox_new_number").toHaveCount(0);
});

test("a person another team handles: who handles them, and ask to join, never a new conversation", async () => {
    mockFilters();
    onRpc("inbox.conversation", "inbox_request_join", ({ args }) => {
        expect.step(`ask to join ${args[0]}`);
    });
    await mountWithCleanup(InboxAction, { props: {} });
    await contains(".o_inbox_search").edit("0470 12 34 56", { confirm: false });
    await advanceTime(300);
    await animationFrame();
    expect.verifySteps(["list", "list 0470 12 34 56"]);
    expect(".o_inbox_row").toHaveCount(0);
    expect(".o_inbox_new_number").toHaveCount(0); // no second conversation offered
    expect(".o_inbox_handled_by").toHaveText("In a conversation handled by Sales (Agent A) — Ask to join");
    await click(".o_inbox_ask_join");
    await animationFrame();
    expect.verifySteps(["ask to join 3"]);
    expect(".o_inbox_handled_by").toHaveText("In a conversation handled by Sales (Agent A) — request sent, you will be told.");
    expect(".o_inbox_ask_join").toHaveCount(0);
    // a number nobody has still offers a new conversation
    await contains(".o_inbox_search").edit("0470 99 88 77", { confirm: false });
    await advanceTime(300);
    await animationFrame();
    expect.verifySteps(["list", "list 0470 99 88 77"]); // (emptied, then typed)
    expect(".o_inbox_handled_by").toHaveCount(0);
    expect(".o_inbox_new_number").toHaveText("Nobody has +32470998877. Start a new conversation");
});
