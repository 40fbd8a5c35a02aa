import threading

import requests
from psycopg2 import IntegrityError

from odoo import Command, api
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import InboxCommon
from .test_concurrency import RealCursorCase, WorkersServerCase

ALICE_NUMBER = "+32470617283"  # InboxCommon's person, in team A's conversation


@tagged("post_install", "-at_install")
class TestOneConversationPerPerson(InboxCommon):
    """One open conversation per person and company, whoever starts it: an
    agent of another team (user_b, team B) is told who handles it and may
    ask to join; the person's messages always land in that one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.conversation.user_id = cls.user_a
        cls.Conversation = cls.env["inbox.conversation"]

    def open_ones(self):
        return self.Conversation.search([("partner_id", "=", self.partner.id), ("state", "=", "open")])

    def test_search_tells_another_team_who_handles_the_person(self):
        for search in ("0470 61 72 83", "+32 470 61 72 83", "Alice@Customer.example.com"):
            result = self.Conversation.with_user(self.user_b).inbox_list(search=search)
            self.assertEqual(result["conversations"], [], "nothing of its content")
            self.assertFalse(result["new_number"], f"{search}: no second conversation offered")
            self.assertEqual(result["handled_by"], [
                {"id": self.conversation.id, "team": "Team A", "user": "Agent A"}], search)
        # the team that handles it sees it, and is told nothing more
        result = self.Conversation.with_user(self.user_a).inbox_list(search="0470 61 72 83")
        self.assertEqual([row["id"] for row in result["conversations"]], [self.conversation.id])
        self.assertEqual(result["handled_by"], [])
        # a part of a name is no identity: nobody is told of other teams' people by it
        self.assertEqual(self.Conversation.with_user(self.user_b).inbox_list(search="Alice")["handled_by"], [])

    def test_no_second_open_conversation_whoever_starts_it(self):
        compose = self.env["inbox.compose"].with_user(self.user_b)
        for values in ({"new_address": "0470 61 72 83"}, {"partner_id": self.partner.id}):
            wizard = compose.create(dict(values, channel="note", body="Hello from Pre-Sales"))
            with self.assertRaisesRegex(UserError, r"Alice Customer already has an open conversation, handled by "
                                                   r"Team A \(Agent A\)"):
                wizard.action_send()
        with self.assertRaisesRegex(UserError, "handled by Team A"):
            self.partner.with_user(self.user_b).inbox_feed_conversation(create=True)
        for user in (self.user_b, self.user_a, self.manager):
            with self.assertRaisesRegex(UserError, "already has an open conversation"):
                self.Conversation.with_user(user).create({"partner_id": self.partner.id, "team_id": self.team_b.id})
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        with self.assertRaisesRegex(UserError, "one open conversation per company"):
            self.Conversation.create([{"partner_id": newcomer.id}, {"partner_id": newcomer.id}])
        self.assertEqual(self.open_ones(), self.conversation)
        # the team that handles it writes in it, from the New button too
        wizard = self.env["inbox.compose"].with_user(self.user_a).create(
            {"new_address": "0470 61 72 83", "channel": "note", "body": "Hello from Sales"})
        self.assertEqual(wizard.action_send()["res_id"], self.conversation.id)

    def test_reopening_an_old_one_is_refused_while_another_is_open(self):
        self.conversation.action_close()
        newer = self.Conversation.create({"partner_id": self.partner.id, "team_id": self.team_b.id})
        with self.assertRaisesRegex(UserError, "handled by Team B"):
            self.conversation.action_reopen()
        with self.assertRaisesRegex(UserError, "already has an open conversation"):
            self.conversation.write({"state": "open"})
        newer.action_close()
        self.conversation.action_reopen()
        self.assertEqual(self.open_ones(), self.conversation)

    def test_the_database_holds_the_rule_too(self):
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute("""
                INSERT INTO inbox_conversation (partner_id, company_id, state, name)
                     VALUES (%s, %s, 'open', 'raw')
            """, [self.partner.id, self.company.id])
        # closed ones are history: as many as there were
        self.Conversation.create([{"partner_id": self.partner.id, "state": "closed"}] * 2)

    def test_inbound_lands_in_the_one_conversation(self):
        with self.assertRaises(UserError):
            self.env["inbox.compose"].with_user(self.user_b).create(
                {"new_address": ALICE_NUMBER, "channel": "note", "body": "Hi"}).action_send()
        self.receive(self.conversation, "sms", "Where is my order?")
        self.assertEqual(self.conversation.last_message_preview, "Where is my order?")
        self.conversation.action_close()
        self.receive(self.conversation, "whatsapp", "Hello again")
        self.assertEqual(self.conversation.state, "open", "a closed one is reopened")
        self.assertEqual(self.Conversation.search_count([("partner_id", "=", self.partner.id)]), 1)

    def test_a_closed_conversation_of_another_team_does_not_stop_a_new_one(self):
        self.conversation.action_close()
        wizard = self.env["inbox.compose"].with_user(self.user_b).create(
            {"new_address": "0470 61 72 83", "channel": "note", "body": "Hello from Pre-Sales"})
        started = self.Conversation.browse(wizard.action_send()["res_id"])
        self.assertNotEqual(started, self.conversation)
        self.assertEqual((started.team_id, started.user_id), (self.team_b, self.user_b))
        self.receive(started, "sms", "Thanks")
        self.assertEqual(started.last_message_preview, "Thanks")
        self.assertEqual(self.conversation.state, "closed")
        self.assertEqual(self.open_ones(), started)

    def test_ask_to_join_then_decline_or_let_in(self):
        as_b = self.conversation.with_user(self.user_b)
        with self.assertRaises(AccessError):
            as_b.read(["name"])
        answer = as_b.inbox_request_join()
        self.assertEqual(answer, {"id": self.conversation.id, "team": "Team A", "user": "Agent A", "requested": True})
        request = self.env["mail.message"].search([
            ("model", "=", "inbox.conversation"), ("res_id", "=", self.conversation.id),
            ("message_type", "=", "user_notification")], order="id desc", limit=1)
        self.assertEqual(request.partner_ids, self.user_a.partner_id, "the assignee is asked")
        self.assertIn("Agent B (Team B) asks to join the conversation with Alice Customer", request.body)
        accept = self.conversation._inbox_join_path(self.user_b, "accept")
        self.assertIn(accept, request.body)
        self.assertIn(self.conversation._inbox_join_path(self.user_b, "decline"), request.body)
        # asked again at once: nobody is asked twice
        self.assertEqual(as_b.inbox_request_join()["requested"], True)
        self.assertEqual(self.env["mail.message"].search(
            [("message_type", "=", "user_notification")], order="id desc", limit=1), request)
        # unassigned, the team's members are asked
        request.date = "2020-01-01 00:00:00"
        self.conversation.user_id = False
        self.team_a.member_ids |= self.manager
        as_b.inbox_request_join()
        request = self.env["mail.message"].search(
            [("message_type", "=", "user_notification")], order="id desc", limit=1)
        self.assertEqual(request.partner_ids, (self.user_a | self.manager).partner_id)
        # nobody but who may write it decides
        with self.assertRaises(AccessError):
            as_b._inbox_decide_join(self.user_b, True)
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.employee).inbox_request_join()

        self.conversation.with_user(self.user_a)._inbox_decide_join(self.user_b, False)
        told = self.env["mail.message"].search([("partner_ids", "in", self.user_b.partner_id.id)], order="id desc",
                                               limit=1)
        self.assertIn("declined your request", told.body)
        self.assertFalse(told.model, "no record the requester could not read")
        with self.assertRaises(AccessError):
            as_b.read(["name"])

        self.conversation.with_user(self.user_a)._inbox_decide_join(self.user_b, True)
        self.assertIn(self.user_b.partner_id, self.conversation.message_partner_ids)
        self.assertEqual(as_b.read(["name"])[0]["name"], "Alice Customer", "a follower reads it")
        as_b.message_inbox_send("note", "Pre-Sales here")
        self.assertIn(self.user_b, self.conversation._inbox_readers(), "and is pushed its messages")
        result = self.Conversation.with_user(self.user_b).inbox_list(search="0470 61 72 83")
        self.assertEqual(([row["id"] for row in result["conversations"]], result["handled_by"]),
                         ([self.conversation.id], []))
        self.assertIn("let you in", self.env["mail.message"].search(
            [("partner_ids", "in", self.user_b.partner_id.id)], order="id desc", limit=1).body)


@tagged("post_install", "-at_install")
class TestJoinLinks(InboxCommon, HttpCase):
    """The links of a request to join: signed, applied as who clicks."""

    def test_links(self):
        self.conversation.user_id = self.user_a
        accept = self.conversation._inbox_join_path(self.user_b, "accept")
        forged = accept[:-4] + ("0000" if not accept.endswith("0000") else "1111")
        self.authenticate("inbox_user_a", "inbox_user_a")
        self.assertEqual(self.url_open(forged, allow_redirects=False).status_code, 404)
        self.assertEqual(self.url_open(accept.replace("/accept/", "/decline/"), allow_redirects=False).status_code,
                         404, "a signature is for one decision")
        self.authenticate("inbox_user_b", "inbox_user_b")
        self.assertEqual(self.url_open(accept, allow_redirects=False).status_code, 403,
                         "the requester cannot let themselves in")
        self.assertNotIn(self.user_b.partner_id, self.conversation.message_partner_ids)
        self.authenticate("inbox_user_a", "inbox_user_a")
        response = self.url_open(accept, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(self.user_b.partner_id, self.conversation.message_partner_ids)


@tagged("post_install", "-at_install")
class TestNationalFormat(InboxCommon):
    """A number typed as people of the company's country write it finds the person."""

    def test_national_format_of_the_company_country(self):
        Conversation = self.env["inbox.conversation"].with_user(self.user_a)
        for search in ("0470 61 72 83", "0470/61.72.83", "+32 470 61 72 83", "0032 470 61 72 83"):
            result = Conversation.inbox_list(search=search)
            self.assertEqual([row["id"] for row in result["conversations"]], [self.conversation.id], search)

    def test_company_without_country_reads_its_numbers_country(self):
        self.company.country_id = False
        Conversation = self.env["inbox.conversation"].with_user(self.user_a)
        result = Conversation.inbox_list(search="0470 61 72 83")
        self.assertEqual([row["id"] for row in result["conversations"]], [self.conversation.id],
                         "its sender numbers are Belgian")
        self.assertEqual(Conversation.inbox_list(search="0470 99 88 77")["new_number"], "+32470998877")


class TwoTeamsCommitted:
    """Two Inbox users, each the member of a team (Sales, Pre-Sales), and a
    person, committed for tests that run real transactions at once."""

    user_prefix = person_name = phone = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.env_cursor() as (cr, env):
            group = env.ref("unified_inbox.group_inbox_user")
            users = env["res.users"].create([{
                "name": f"{cls.user_prefix} {name}", "login": f"{cls.user_prefix.lower()}_{name}_{cls.suffix}",
                "password": f"pw-{cls.suffix}", "group_ids": [Command.link(group.id)],
            } for name in ("sales", "presales")])
            teams = env["crm.team"].create([
                {"name": f"Sales {cls.suffix}", "member_ids": [Command.link(users[0].id)]},
                {"name": f"Pre-Sales {cls.suffix}", "member_ids": [Command.link(users[1].id)]},
            ])
            partner = env["res.partner"].create({"name": f"{cls.person_name} {cls.suffix}", "phone": cls.phone})
            cls.user_ids, cls.team_ids, cls.partner_id = users.ids, teams.ids, partner.id
            cls.logins = users.mapped("login")
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.env_cursor() as (cr, env):
            env["inbox.conversation"].search([("partner_id", "=", cls.partner_id)]).unlink()
            users = env["res.users"].browse(cls.user_ids)
            env["inbox.compose"].search([("create_uid", "in", users.ids)]).unlink()
            partners = users.partner_id | env["res.partner"].browse(cls.partner_id)
            env["crm.team"].browse(cls.team_ids).unlink()
            users.unlink()
            partners.unlink()
            cr.commit()  # pylint: disable=invalid-commit


@tagged("post_install", "-at_install")
class TestStartingAtOnce(TwoTeamsCommitted, RealCursorCase):
    """Two agents of two teams start a conversation with the same person at
    the same moment, each in their own transaction: one conversation."""

    user_prefix, person_name, phone = "Starter", "Sought Sam", "+32 470 55 00 09"

    def start(self, env, index):
        env = api.Environment(env.cr, self.user_ids[index], {})
        wizard = env["inbox.compose"].create({"partner_id": self.partner_id, "channel": "note", "body": "Hello"})
        return wizard._inbox_new_conversation()

    def test_two_teams_start_at_once(self):
        with self.env_cursor() as (cr_sales, env_sales), self.env_cursor() as (cr_pre, env_pre):
            cr_pre.execute("SELECT 1")  # Pre-Sales' snapshot: before Sales commits
            started = self.start(env_sales, 0)
            outcome = []

            def presales_starts():
                try:
                    self.start(env_pre, 1)
                    outcome.append("a second one")
                except ConcurrencyError:
                    outcome.append("start again")

            presales = threading.Thread(target=presales_starts)
            presales.start()
            presales.join(timeout=1)
            self.assertTrue(presales.is_alive(), "Pre-Sales waits while Sales starts it")
            cr_sales.commit()
            presales.join(timeout=30)
            self.assertEqual(outcome, ["start again"])
            cr_pre.rollback()
            # afresh, as the RPC layer retries: Pre-Sales is told who handles it
            with self.assertRaisesRegex(UserError, f"handled by Sales {self.suffix} \\(Starter sales\\)"):
                self.start(env_pre, 1)
            cr_pre.rollback()
            conversations = env_sales["inbox.conversation"].search([("partner_id", "=", self.partner_id)])
            self.assertEqual(conversations, started)


@tagged("post_install", "-at_install")
class TestStartingAtOnceOverRpc(TwoTeamsCommitted, WorkersServerCase):
    """The same, as the web client does it, on a real Odoo with two HTTP
    workers: both agents press Send in the New Conversation dialog at the
    same moment. One conversation is started; the other agent is told who
    handles it (their request was retried afresh)."""

    user_prefix, person_name, phone = "Racer", "Raced Rose", "+32 470 55 00 10"

    def call(self, session, model, method, args):
        return session.post(f"{self.base_url}/web/dataset/call_kw/{model}/{method}", json={
            "jsonrpc": "2.0", "params": {"model": model, "method": method, "args": args, "kwargs": {}},
        }, timeout=60).json()

    def test_two_teams_press_send_at_once(self):
        sessions = []
        for login in self.logins:
            session = requests.Session()
            answer = session.post(f"{self.base_url}/web/session/authenticate", json={
                "jsonrpc": "2.0", "params": {"db": self.dbname, "login": login, "password": f"pw-{self.suffix}"},
            }, timeout=30).json()
            self.assertIn("result", answer, answer)
            sessions.append(session)
        wizards = [self.call(session, "inbox.compose", "create", [{
            "new_address": "+32 470 55 00 10", "channel": "note", "body": f"Hello from {login}"}])["result"]
            for session, login in zip(sessions, self.logins, strict=True)]
        answers = self.all_at_once([
            lambda session=session, wizard=wizard: self.call(session, "inbox.compose", "action_send", [[wizard]])
            for session, wizard in zip(sessions, wizards, strict=True)])
        winners = [index for index, answer in enumerate(answers) if "result" in answer]
        self.assertEqual(len(winners), 1, answers)
        told = answers[1 - winners[0]]["error"]["data"]["message"]
        team = ("Sales", "Pre-Sales")[winners[0]]
        self.assertIn(f"already has an open conversation, handled by {team} {self.suffix}", told)
        with self.env_cursor() as (_cr, env):
            conversations = env["inbox.conversation"].search([("partner_id", "=", self.partner_id)])
            self.assertEqual(len(conversations), 1)
            self.assertEqual(conversations.user_id.id, self.user_ids[winners[0]])
