#!/usr/bin/env python3
"""Benchmark of the Inbox screens on a large database (not a test: it measures and prints).

Seeds, once, 100,000 conversations with 1,000,000 messages (bulk SQL: one
statement per table, the indexes built after), one of them with 1,000
messages. Then measures, as an Inbox user of one team and as an Inbox
manager, the server time of:

- the list's first page (``inbox_list``) on each status tab and with each
  filter (channel, sender, assignee, label, search by name, number, text);
- opening a conversation of 1,000 messages, as the Inbox does: one call
  (``inbox_open``) for the conversation's record and read mark, and its
  latest 30 messages as ``/mail/thread/messages`` sends them (fetch +
  Store); and, to tell them apart, the conversation alone and the messages
  alone (``/mail/thread/messages``); and the person panel
  (``inbox_details``), which a wide screen asks for beside the opening (the
  thread does not wait for it) and a phone not at all.

and, as references on the same data: Odoo's own ``web_search_read`` of the
same 40 rows (the fields a list view of them would read), and Odoo's own
Discuss loading the latest messages of a channel of 1,000 messages (what
``/discuss/channel/messages`` does); the ratios of the Inbox to them.

Each figure is the median of --runs calls, each on a cold ORM cache; the SQL
query count of each call is printed beside it. The figures of each ratio are
measured in turns (one call of each per round), so that whatever else the
machine does falls on both sides alike.

Usage: dev/bench_inbox.py [--runs 15] [--reseed]
Runs on its own database (unified_inbox_bench_list), created on first use.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

DB = os.environ.get("BENCH_DB", "unified_inbox_bench_list")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import ensure_database, shell, use_project_python  # noqa: E402

use_project_python(__file__)

CONVERSATIONS = 100_000
MESSAGES = 1_000_000
BIG_THREAD = 1_000

SEED_CODE = """
import os
import time
from odoo import Command
conversations, messages, big = (int(os.environ[name]) for name in ("CONVERSATIONS", "MESSAGES", "BIG_THREAD"))
cr = env.cr
if os.environ.get("RESEED"):
    cr.execute("DELETE FROM mail_message WHERE model = 'inbox.conversation'")
    cr.execute("DELETE FROM inbox_conversation")
    cr.execute("DELETE FROM res_partner WHERE email LIKE 'person%%@bench.example'")
cr.execute("SELECT count(*) FROM inbox_conversation")
if cr.fetchone()[0] >= conversations:
    print("seeded")
    raise SystemExit
started = time.time()
team = env["crm.team"].create({"name": "Bench team"})
provider = env["inbox.provider"].create({"name": "Bench Sandbox"})
senders = {
    channel: env["inbox.sender"].create({
        "name": f"Bench {channel}", "provider_id": provider.id, "channel": channel, "address": address,
        "team_ids": [Command.set(team.ids)]})
    for channel, address in (("sms", "+32 470 00 01 01"), ("whatsapp", "+32 470 00 01 02"),
                             ("email", "desk@bench.example"))
}
labels = env["inbox.label"].create([{"name": f"Bench label {index}", "color": index} for index in range(1, 6)])
groups = {"agent": "unified_inbox.group_inbox_user", "manager": "unified_inbox.group_inbox_manager"}
users = env["res.users"]
for index in range(1, 6):
    login = "bench_agent" if index == 1 else ("bench_manager" if index == 2 else f"bench_user_{index}")
    group = groups["manager" if index == 2 else "agent"]
    users |= env["res.users"].create({
        "name": f"Bench User {index}", "login": login, "password": login,
        "group_ids": [Command.link(env.ref(group).id)]})
team.member_ids = users
env.flush_all()
company, admin = env.company.id, env.ref("base.user_admin")
subtype = env.ref("unified_inbox.mt_inbox_message").id
user_ids = users.ids

# a bulk load: the tables' indexes are built once after it, not row by row
# (a trigram index takes a million rows one at a time in tens of minutes)
cr.execute(\"\"\"
    SELECT i.relname, pg_get_indexdef(i.oid)
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname IN ('res_partner', 'inbox_conversation', 'mail_message') AND NOT x.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
\"\"\")
indexes = cr.fetchall()
for name, _definition in indexes:
    cr.execute(f'DROP INDEX "{name}"')
cr.execute(\"\"\"
    INSERT INTO res_partner (name, complete_name, phone, phone_sanitized, email, email_normalized, active,
                             type, is_company, partner_share, lang, create_date, write_date, create_uid, write_uid)
    SELECT 'Person ' || g, 'Person ' || g, '+3248' || lpad(g::text, 7, '0'), '+3248' || lpad(g::text, 7, '0'),
           'person' || g || '@bench.example', 'person' || g || '@bench.example', true,
           'contact', false, true, 'en_US', now(), now(), 1, 1
      FROM generate_series(1, %s) g
\"\"\", (conversations,))
cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE email LIKE 'person%%@bench.example'")
# every 4th conversation unassigned, every 5th closed, the others spread
# over the five users; the last message's
# channel and direction turn; dates go back one minute per conversation
cr.execute(\"\"\"
    INSERT INTO inbox_conversation (partner_id, name, company_id, team_id, user_id, state, last_message_date,
                                    last_inbound_date, last_message_preview, last_message_channel,
                                    last_message_direction, last_sender_id, create_date, write_date,
                                    create_uid, write_uid)
    SELECT p.id, p.name, %(company)s, %(team)s,
           CASE WHEN p.n %% 4 = 0 THEN NULL ELSE (%(users)s::int[])[1 + (p.n / 4) %% 5] END,
           CASE WHEN p.n %% 5 = 0 THEN 'closed' ELSE 'open' END,
           now() - p.n * interval '1 minute', now() - p.n * interval '1 minute',
           'Message 10 about appointment ' || p.n,
           (ARRAY['sms', 'whatsapp', 'email'])[1 + p.n %% 3],
           CASE WHEN p.n %% 2 = 0 THEN 'outbound' ELSE 'inbound' END,
           (%(senders)s::int[])[1 + p.n %% 3], now(), now(), 1, 1
      FROM (SELECT id, name, row_number() OVER (ORDER BY id) AS n
              FROM res_partner WHERE email LIKE 'person%%@bench.example') p
\"\"\", {"company": company, "team": team.id, "users": user_ids,
      "senders": [senders["sms"].id, senders["whatsapp"].id, senders["email"].id]})
# the first conversation holds the big thread; the others share the rest
cr.execute("SELECT min(id), max(id) FROM inbox_conversation")
first, last = cr.fetchone()
per_conversation = (messages - big) // (conversations - 1)
cr.execute(\"\"\"
    INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, author_id, date,
                              inbox_channel, inbox_direction, inbox_status, inbox_sender_id,
                              create_date, write_date, create_uid, write_uid)
    SELECT 'inbox.conversation', c.id,
           '<p>Message ' || s.n || ' about appointment ' || c.id || '</p>', 'comment', %(subtype)s,
           CASE WHEN (c.id + s.n) %% 2 = 1 THEN c.partner_id ELSE %(author)s END,
           c.last_message_date - (s.total - s.n) * interval '7 minutes',
           (ARRAY['sms', 'whatsapp', 'email'])[1 + (c.id + s.n) %% 3],
           CASE WHEN (c.id + s.n) %% 2 = 1 THEN 'inbound' ELSE 'outbound' END,
           CASE WHEN (c.id + s.n) %% 2 = 1 THEN 'received' ELSE 'delivered' END,
           (%(senders)s::int[])[1 + (c.id + s.n) %% 3], now(), now(), 1, 1
      FROM inbox_conversation c
      CROSS JOIN LATERAL (
          SELECT n, CASE WHEN c.id = %(first)s THEN %(big)s ELSE %(per)s END AS total
            FROM generate_series(1, CASE WHEN c.id = %(first)s THEN %(big)s ELSE %(per)s END) n
      ) s
\"\"\", {"subtype": subtype, "author": admin.partner_id.id, "first": first, "big": big, "per": per_conversation,
      "senders": [senders["sms"].id, senders["whatsapp"].id, senders["email"].id]})
cr.execute(\"\"\"
    UPDATE inbox_conversation c SET last_inbound_message_id = m.last_inbound, channels = m.channels
      FROM (SELECT res_id, max(id) FILTER (WHERE inbox_direction = 'inbound') AS last_inbound,
                   string_agg(DISTINCT inbox_channel, ' ' ORDER BY inbox_channel) AS channels
              FROM mail_message WHERE model = 'inbox.conversation' GROUP BY res_id) m
     WHERE m.res_id = c.id
\"\"\")
cr.execute(\"\"\"
    INSERT INTO inbox_conversation_inbox_label_rel (inbox_conversation_id, inbox_label_id)
    SELECT id, (%s::int[])[1 + (id / 10) %% 5] FROM inbox_conversation WHERE id %% 10 = 1
\"\"\", (labels.ids,))
# the agent has read half of their conversations
cr.execute(\"\"\"
    INSERT INTO inbox_read_state (conversation_id, user_id, last_read_message_id)
    SELECT id, %s, last_inbound_message_id FROM inbox_conversation
     WHERE id %% 2 = 0 AND last_inbound_message_id IS NOT NULL
\"\"\", (user_ids[0],))
cr.execute("UPDATE inbox_conversation SET name = 'Thousand Messages' WHERE id = %s", (first,))
for _name, definition in indexes:
    cr.execute(definition)
cr.commit()
# statistics for the planner (ANALYZE is transactional: commit it too)
cr.execute("ANALYZE")
cr.commit()
print(f"seeded in {time.time() - started:.0f} s")
"""

MEASURE_CODE = """
import json, os, statistics, time
from odoo import Command
from odoo.addons.mail.tools.discuss import Store
runs = int(os.environ["RUNS"])
results = {}
# the reference thread: a Discuss channel of 1,000 messages of its two members
bench_users = env["res.users"].search([("login", "in", ("bench_agent", "bench_manager"))])
channel = env["discuss.channel"].search([("name", "=", "Bench thousand")])
if not channel:
    channel = env["discuss.channel"].create({"name": "Bench thousand", "channel_type": "channel"})
    channel._add_members(users=bench_users)
    env.cr.execute(\"\"\"
        INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, author_id, date,
                                  create_date, write_date, create_uid, write_uid)
        SELECT 'discuss.channel', %(channel)s, '<p>Message ' || n || ' about appointment</p>', 'comment',
               %(subtype)s, (%(authors)s::int[])[1 + n %% 2], now() - (1000 - n) * interval '7 minutes',
               now(), now(), 1, 1
          FROM generate_series(1, 1000) n
    \"\"\", {"channel": channel.id, "subtype": env.ref("mail.mt_comment").id,
           "authors": bench_users.partner_id.ids})
    env.cr.commit()
for login in ("bench_agent", "bench_manager"):
    user = env["res.users"].search([("login", "=", login)])
    uenv = env(user=user)
    Conversation = uenv["inbox.conversation"]
    label = uenv["inbox.label"].search([("name", "=", "Bench label 1")])
    sender = uenv["inbox.sender"].search([("name", "=", "Bench sms")])
    big = Conversation.search([("name", "=", "Thousand Messages")])

    def timed_in_turns(calls):
        # calls (name: function) measured in turns, runs + 1 rounds: whatever
        # else the machine does falls on each of them alike, and their ratios hold
        timings, queries = {name: [] for name in calls}, {}
        for run in range(runs + 1):
            for name, call in calls.items():
                uenv.invalidate_all()
                count = env.cr.sql_log_count
                started = time.perf_counter()
                call()
                elapsed = time.perf_counter() - started
                env.cr.rollback()
                if run:  # the first round warms the caches of the server
                    timings[name].append(elapsed * 1000)
                    queries[name] = env.cr.sql_log_count - count
        return {name: {"median_ms": round(statistics.median(timings[name]), 1), "queries": queries[name]}
                for name in calls}

    def timed(call):
        return timed_in_turns({"call": call})["call"]

    cases = {f"tab {tab}": {"tab": tab} for tab in ("open", "unread", "unassigned", "mine", "closed", "all")}
    cases.update({
        "channel whatsapp": {"channel": "whatsapp"},
        "sender": {"sender_id": sender.id},
        "assignee": {"user_id": user.id},
        "label": {"label_id": label.id},
        "search name": {"search": "Person 4242"},
        "search number": {"search": "+32 480 00 42 42"},
        "search email": {"search": "person4242@bench"},
        "search message text": {"search": "appointment 4242"},
        "oldest unanswered": {"sort": "oldest_unanswered"},
    })
    list_results = {name: timed(lambda kwargs=kwargs: Conversation.inbox_list(**kwargs))
                    for name, kwargs in cases.items()}

    def thread_page():
        # what /mail/thread/messages does
        thread = Conversation._get_thread_with_access(big.id, mode="read")
        fetched = uenv["mail.message"]._message_fetch(domain=None, thread=thread, limit=30)
        fetched["messages"].set_message_done()
        return Store().add(fetched["messages"]).get_result()

    def discuss_page():
        # what /discuss/channel/messages does
        found = uenv["discuss.channel"].search([("id", "=", channel.id)])
        fetched = uenv["mail.message"]._message_fetch(domain=None, thread=found, limit=30)
        fetched["messages"].set_message_done()
        return Store().add(fetched["messages"]).get_result()

    # the Inbox and Odoo's own in turns, for their ratios: the Open tab's
    # first page and the same 40 rows as a list view of them reads them;
    # what the Inbox asks when a conversation opens (the conversation: its
    # record, read mark and latest messages, in one call; the person panel
    # beside it) and Discuss
    open_domain = Conversation._inbox_tab_domains()["open"]
    measured = timed_in_turns({
        "first page": lambda: Conversation.inbox_list(tab="open"),
        "web_search_read, same 40 rows": lambda: Conversation.web_search_read(
            open_domain, {"partner_id": {"fields": {"display_name": {}}}, "state": {}, "last_message_date": {},
                          "user_id": {"fields": {"display_name": {}}}, "last_message_preview": {},
                          "last_message_channel": {}, "label_ids": {"fields": {"display_name": {}, "color": {}}}},
            limit=40, order="last_message_date desc nulls last, id desc"),
        "opening (inbox_open)": lambda: big.inbox_open(mark_read=True, messages=30),
        "the conversation alone": lambda: big.inbox_open(mark_read=True),
        "its latest 30 messages alone": thread_page,
        "the person panel, beside it": big.inbox_details,
        "Discuss, latest 30 of 1,000 messages": discuss_page,
    })
    open_results = {name: measured[name] for name in (
        "opening (inbox_open)", "the conversation alone", "its latest 30 messages alone",
        "the person panel, beside it")}
    reference_results = {name: measured[name] for name in (
        "web_search_read, same 40 rows", "Discuss, latest 30 of 1,000 messages")}
    results[login] = {"list": list_results, "first_page": measured["first page"], "open": open_results,
                      "reference": reference_results,
                      "messages_in_thread": uenv["mail.message"].search_count(
                          [("model", "=", "inbox.conversation"), ("res_id", "=", big.id)])}
print(json.dumps(results))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    ensure_database(DB)
    started = time.perf_counter()
    print(shell(DB, SEED_CODE, CONVERSATIONS=str(CONVERSATIONS), MESSAGES=str(MESSAGES),
                BIG_THREAD=str(BIG_THREAD), RESEED="1" if args.reseed else ""),
          f"({time.perf_counter() - started:.0f} s with Odoo's start)")
    results = json.loads(shell(DB, MEASURE_CODE, RUNS=str(args.runs)))
    for login, result in results.items():
        print(f"\n{login}: median of {args.runs} calls, cold ORM cache")
        print("  list, first page (40 rows and the six tab counts):")
        for name, figures in result["list"].items():
            print(f"    {name:<22} {figures['median_ms']:>7.1f} ms  {figures['queries']:>3} queries")
        opening = result["open"]["opening (inbox_open)"]["median_ms"]
        print(f"  opening the conversation of {result['messages_in_thread']} messages, its latest 30 with it:")
        for name, figures in result["open"].items():
            print(f"    {name:<28} {figures['median_ms']:>7.1f} ms  {figures['queries']:>3} queries")
        reference = result["reference"]
        print("  Odoo's own, on the same data:")
        for name, figures in reference.items():
            print(f"    {name:<38} {figures['median_ms']:>7.1f} ms  {figures['queries']:>3} queries")
        first_page = result["first_page"]["median_ms"]
        discuss = reference["Discuss, latest 30 of 1,000 messages"]["median_ms"]
        print(f"  ratios: Inbox first page with its six tab counts ({first_page:.1f} ms in turns with it) / "
              f"web_search_read of its 40 rows: "
              f"{first_page / reference['web_search_read, same 40 rows']['median_ms']:.2f} (target 1.5 at most); "
              f"opening the conversation / Discuss loading its latest messages: {opening / discuss:.2f}, "
              f"its latest messages alone: "
              f"{result['open']['its latest 30 messages alone']['median_ms'] / discuss:.2f} (target 1.0 at most)")


if __name__ == "__main__":
    main()
