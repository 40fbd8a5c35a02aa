"""What the Inbox's reports are made of, written as it happens: the open
periods of a conversation (resolution time) and its response cycles (first
and next response times); and the managers' summary in the Inbox."""
from datetime import timedelta
from statistics import median

from odoo import api, fields, models

from .. import channels

# the summary in the Inbox looks this far back
SUMMARY_DAYS = 7
# where a batch of events keeps its conversations' open period and latest cycle, read at once (see
# _inbox_report_read_ahead): the transaction's cache, cleared with the transaction or a savepoint rolled back
REPORT_CYCLES = "unified_inbox.report_cycles"


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Open periods
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        conversations = super().create(vals_list)
        conversations.filtered(lambda conversation: conversation.state == "open")._inbox_report_open(new=True)
        return conversations

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        was_open = self.filtered(lambda conversation: conversation.state == "open")
        result = super().write(vals)
        if vals["state"] == "open":
            (self - was_open)._inbox_report_open()
        else:
            self.env["inbox.report.period"].sudo().search([
                ("conversation_id", "in", was_open.ids), ("closed", "=", False),
            ])._inbox_close(fields.Datetime.now())
            was_open._inbox_report_forget()
        return result

    def _inbox_report_open(self, new=False):
        """An open period starts (``new``: the conversations were just made)."""
        Period = self.env["inbox.report.period"].sudo()
        reopened = set() if new else set(Period.search([("conversation_id", "in", self.ids)]).conversation_id.ids)
        periods = Period.create([{
            "conversation_id": conversation.id, "company_id": conversation.company_id.id,
            "team_id": conversation.team_id.id, "user_id": conversation.user_id.id,
            "opened": fields.Datetime.now(), "reopened": conversation.id in reopened,
        } for conversation in self])
        for conversation, period in zip(self, periods, strict=True):
            conversation._inbox_report_remember(period, self.env["inbox.report.response"].sudo())

    def _inbox_report_period(self):
        """The conversation's current open period (made if it has none: a
        conversation from before the reports)."""
        self.ensure_one()
        Period = self.env["inbox.report.period"].sudo()
        period = Period.search([("conversation_id", "=", self.id), ("closed", "=", False)],
                               order="opened desc, id desc", limit=1)
        if not period:
            self._inbox_report_open()
            period = Period.search([("conversation_id", "=", self.id), ("closed", "=", False)], limit=1)
        return period

    # ------------------------------------------------------------------
    # Response cycles
    # ------------------------------------------------------------------

    def _inbox_read_ahead_conversations(self):
        result = super()._inbox_read_ahead_conversations()
        self._inbox_report_read_ahead()
        return result

    def _inbox_after_inbound(self, message, sender):
        result = super()._inbox_after_inbound(message, sender)
        self._inbox_report_reached_out(message)
        return result

    def _inbox_report_reached_out(self, message):
        """The person reached out: a cycle starts, unless one is waiting."""
        self.ensure_one()
        # cycles follow each other: only the latest may be waiting
        period, latest = self._inbox_report_cycle()
        if latest and not latest.responded:
            return
        cycle = self.env["inbox.report.response"].sudo().create({
            "period_id": period.id, "conversation_id": self.id, "company_id": self.company_id.id,
            "team_id": self.team_id.id, "channel": message.inbox_channel, "first": not latest,
            "start": message.date,
        })
        self._inbox_report_remember(period, cycle)

    def _inbox_report_cycle(self):
        """The conversation's current open period and its latest cycle (none
        yet: an empty recordset), as a batch read them ahead or read now."""
        self.ensure_one()
        known = self.env.cr.cache.get(REPORT_CYCLES, {}).get(self.id)
        if known and known[0]:
            return known
        period = self._inbox_report_period()
        return period, self.env["inbox.report.response"].sudo().search_fetch(
            [("period_id", "=", period.id)], ["responded"], order="id desc", limit=1)

    def _inbox_report_read_ahead(self):
        """Read the open period and latest cycle of these conversations (a
        batch's) at once: each message of the batch then finds them without
        queries of its own. What changes them in the transaction (a period
        opened or closed, a cycle started) keeps them; an answer is a write
        of the cycle itself, which they follow."""
        Period, Response = self.env["inbox.report.period"].sudo(), self.env["inbox.report.response"].sudo()
        known = self.env.cr.cache.setdefault(REPORT_CYCLES, {})
        known.update({conversation.id: (Period, Response) for conversation in self})
        # newest first: the first open period found of a conversation is its current one
        for period in Period.search_fetch([("conversation_id", "in", self.ids), ("closed", "=", False)],
                                          ["conversation_id"], order="opened desc, id desc"):
            if not known[period.conversation_id.id][0]:
                known[period.conversation_id.id] = (period, Response)
        periods = {known[conversation_id][0].id: conversation_id for conversation_id in self.ids
                   if known[conversation_id][0]}
        cycles = Response.browse(cycle_id for _period, cycle_id in Response._read_group(
            [("period_id", "in", list(periods))], ["period_id"], ["id:max"]))
        cycles.fetch(["period_id", "responded"])
        for cycle in cycles:
            known[periods[cycle.period_id.id]] = (cycle.period_id, cycle)

    def _inbox_report_remember(self, period, latest):
        """What a batch read ahead of this conversation (if it did) is now
        ``period`` and its ``latest`` cycle."""
        known = self.env.cr.cache.get(REPORT_CYCLES)
        if known is not None and self.id in known:
            known[self.id] = (period, latest)

    def _inbox_report_forget(self):
        """These conversations' periods changed otherwise: what a batch read
        ahead of them is read again."""
        known = self.env.cr.cache.get(REPORT_CYCLES)
        for conversation_id in self.ids if known is not None else ():
            known.pop(conversation_id, None)

    def _inbox_report_answered(self, message, user):
        """``user`` answered the person with ``message``: the waiting cycle
        ends. Only a person of the company answers: the system, a bot, an
        automated message and internal notes never do."""
        self.ensure_one()
        if not user or user._is_public() or user._is_superuser() or user.share \
                or channels.get(message.inbox_channel).internal:
            return
        waiting = self.env["inbox.report.response"].sudo().search([
            ("conversation_id", "=", self.id), ("responded", "=", False),
        ], order="start", limit=1)
        waiting._inbox_answer(message.date, user)

    def _inbox_team_reached_out(self, message, user, scheduled=False):
        result = super()._inbox_team_reached_out(message, user, scheduled=scheduled)
        if not scheduled:
            # a scheduled message answers nobody yet
            self._inbox_report_answered(message, user)
        return result

    def _inbox_post_sent_elsewhere(self, sender, channel, provider_message_id, address, text, author,
                                   status="sent"):
        message = super()._inbox_post_sent_elsewhere(sender, channel, provider_message_id, address, text, author,
                                                     status=status)
        # an operator answering in Discuss answers; a chatbot, a Page's tool do not
        self._inbox_report_answered(message, author.user_ids[:1])
        return message

    def _inbox_report_rebuild(self):
        """Make the conversations' periods and cycles again from their
        history (what was there before the reports, the demo's messages):
        one open period from their first message, closed at the last one if
        the conversation is closed; a cycle per time the person reached out
        while nothing of theirs waited, answered by the next message or call
        of an Inbox user."""
        Period, Response = self.env["inbox.report.period"].sudo(), self.env["inbox.report.response"].sudo()
        Period.search([("conversation_id", "in", self.ids)]).unlink()
        self._inbox_report_forget()
        external = channels.keys()
        for conversation in self:
            messages = self.env["mail.message"].sudo().search([
                ("model", "=", self._name), ("res_id", "=", conversation.id), ("inbox_channel", "in", external),
                ("inbox_direction", "!=", False), ("inbox_status", "!=", "canceled"),
            ], order="date, id")
            opened = min([conversation.create_date, *messages.mapped("date")])
            period = Period.create({
                "conversation_id": conversation.id, "company_id": conversation.company_id.id,
                "team_id": conversation.team_id.id, "user_id": conversation.user_id.id, "opened": opened,
            })
            if conversation.state == "closed":
                period._inbox_close(messages[-1:].date or opened)
            waiting, cycles = Response, 0
            for message in messages:
                if message.inbox_direction == "inbound" and not waiting:
                    waiting = Response.create({
                        "period_id": period.id, "conversation_id": conversation.id,
                        "company_id": conversation.company_id.id, "team_id": conversation.team_id.id,
                        "channel": message.inbox_channel, "first": not cycles, "start": message.date,
                    })
                    cycles += 1
                elif message.inbox_direction == "outbound" and waiting:
                    user = message.author_id.user_ids[:1]
                    if user and not user.share and not user._is_superuser():
                        waiting._inbox_answer(message.date, user)
                        waiting = Response

    # ------------------------------------------------------------------
    # The managers' summary in the Inbox
    # ------------------------------------------------------------------

    @api.model
    def inbox_report_summary(self):
        """The last week at a glance, for Inbox managers (False for others):
        median first response and resolution times (working hours), people
        waiting, messages in and out."""
        if not self.env.user.has_group("unified_inbox.group_inbox_manager"):
            return False
        since = fields.Datetime.now() - timedelta(days=SUMMARY_DAYS)
        company = [("company_id", "=", self.env.company.id)]
        Response = self.env["inbox.report.response"]
        firsts = Response.search_fetch(
            [*company, ("first", "=", True), ("responded", ">=", since)], ["response_business_hours"])
        periods = self.env["inbox.report.period"].search_fetch(
            [*company, ("closed", ">=", since)], ["resolution_business_hours"])
        messages = dict(self.env["inbox.report.message"]._read_group(
            [*company, ("date", ">=", since)], ["direction"], ["__count"]))
        return {
            "days": SUMMARY_DAYS,
            "first_response_hours": median(firsts.mapped("response_business_hours")) if firsts else None,
            "resolution_hours": median(periods.mapped("resolution_business_hours")) if periods else None,
            "waiting": Response.search_count([*company, ("responded", "=", False)]),
            "inbound": messages.get("inbound", 0),
            "outbound": messages.get("outbound", 0),
        }
