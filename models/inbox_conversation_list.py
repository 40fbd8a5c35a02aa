"""The Inbox's conversation list: one page, the tab counts, the filters and the search."""
from odoo import api, models
from odoo.addons.mail.tools.discuss import Store
from odoo.addons.phone_validation.tools import phone_validation
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, escape_psql
from odoo.tools.mail import email_normalize

from .. import channels
from ..tools.display import avatar_text

# the Inbox's tab counts stop there (shown as "999+")
COUNT_CAP = 1000
# a search matching more conversations is run as a subquery, not as ids
SEARCH_IDS_LIMIT = 5000
# tab counts of at most this many conversations are made in one pass
SMALL_SET = 5000


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    @api.model
    def _inbox_tab_domains(self):
        return {
            "open": [("state", "=", "open")],
            "unread": [("is_unread", "=", True)],
            "unassigned": [("state", "=", "open"), ("user_id", "=", False)],
            "mine": [("user_id", "=", self.env.uid)],
            "closed": [("state", "=", "closed")],
            "all": [],
        }

    @api.model
    def _inbox_tab_counts(self, domain):
        """The count of each status tab within ``domain``. A filter that
        leaves few conversations (a label, a sender, a search) is counted
        exactly in one pass over them; a large inbox tab by tab, up to
        ``COUNT_CAP``."""
        self.env.cr.execute(self._search(domain, limit=SMALL_SET + 1).select())
        ids = [row[0] for row in self.env.cr.fetchall()]
        tabs = self._inbox_tab_domains()
        if len(ids) > SMALL_SET:
            return self._inbox_capped_counts({name: Domain(domain) & Domain(tab) for name, tab in tabs.items()})
        self.flush_model(["state", "user_id"])
        self.env.cr.execute(SQL("SELECT state, user_id FROM inbox_conversation WHERE id = ANY(%s)", ids))
        rows = self.env.cr.fetchall()
        counts = {
            "open": sum(state == "open" for state, _user in rows),
            "unread": self.search_count([("id", "in", ids), *tabs["unread"]]),
            "unassigned": sum(state == "open" and not user for state, user in rows),
            "mine": sum(user == self.env.uid for _state, user in rows),
            "closed": sum(state == "closed" for state, _user in rows),
            "all": len(rows),
        }
        return {name: min(count, COUNT_CAP) for name, count in counts.items()}

    @api.model
    def _inbox_capped_counts(self, domains):
        """``{name: count}`` of the conversations of each domain of
        ``domains``, counted up to ``COUNT_CAP`` (the Inbox shows more as
        "999+"): an exact count of a large inbox would read all of it on
        every refresh. One query for all of them."""
        counts = [
            SQL("(SELECT COUNT(*) FROM (%s) AS capped)", self._search(domain, limit=COUNT_CAP).select(SQL("1")))
            for domain in domains.values()
        ]
        self.env.cr.execute(SQL("SELECT %s", SQL(", ").join(counts)))
        return dict(zip(domains, self.env.cr.fetchone(), strict=True))

    @api.model
    def _inbox_search_domain(self, search, number):
        """The conversations whose person's name or email, or one of whose
        messages, contains ``search``, or whose person has the E.164
        ``number``: one indexed lookup per source, united (an OR across
        tables would defeat every index and read all conversations). The
        ids are read once when they are few, so that the page and the six
        counts do not search again."""
        self.flush_model(["name", "partner_id"])
        self.env["res.partner"].flush_model(["email_normalized", "phone_sanitized"])
        self.env["mail.message"].flush_model(["model", "res_id", "body", "message_type"])
        like = f"%{escape_psql(search)}%"
        partners = SQL("SELECT id FROM res_partner WHERE email_normalized ILIKE %s", like)
        if number:
            partners = SQL("%s UNION SELECT id FROM res_partner WHERE phone_sanitized = %s", partners, number)
        # the literal model name lets PostgreSQL use the partial trigram index on bodies
        matching = SQL("""
            SELECT id FROM inbox_conversation WHERE name ILIKE %(like)s
             UNION SELECT id FROM inbox_conversation WHERE partner_id IN (%(partners)s)
             UNION SELECT res_id FROM mail_message
                    WHERE model = 'inbox.conversation' AND message_type != 'user_notification' AND body ILIKE %(like)s
        """, like=like, partners=partners)
        self.env.cr.execute(SQL("%s LIMIT %s", matching, SEARCH_IDS_LIMIT + 1))
        ids = [row[0] for row in self.env.cr.fetchall()]
        return Domain("id", "in", ids if len(ids) <= SEARCH_IDS_LIMIT else matching)

    @api.model
    def _inbox_filter_domain(self, channel=None, sender_id=None, user_id=None, label_id=None, search=None):
        """The domain of the list's filters (all but the status tab), and
        the E.164 number the search is, if it is a valid one."""
        domain = []
        if channel:
            self._inbox_channel(channel)
            # no channel's key is part of another's
            domain.append(Domain("channels", "ilike", channel))
        if sender_id:
            domain.append(Domain("last_sender_id", "=", sender_id))
        if user_id:
            domain.append(Domain("user_id", "=", user_id))
        if label_id:
            # from the label's side: a few labelled conversations among many
            # are found by the relation's index, not by probing every row
            self.flush_model(["label_ids"])
            domain.append(Domain("id", "in", SQL(
                "SELECT inbox_conversation_id FROM inbox_conversation_inbox_label_rel WHERE inbox_label_id = %s",
                label_id)))
        number = False
        search = (search or "").strip()
        if search:
            # a valid number is searched normalized; a partial or invalid one is no phone search
            if sum(char.isdigit() for char in search) >= 6:
                number = self._inbox_search_number(search)
            domain.append(self._inbox_search_domain(search, number))
        return Domain.AND(domain), number

    @api.model
    def _inbox_search_number(self, search):
        """The E.164 number ``search`` is, or False. International formats
        stand alone; a national one ("0470 12 34 56") is read in the country
        of the current company, else of its sender numbers (a company whose
        country is not set), else of the user's other companies."""
        Partner = self.env["res.partner"]
        number = self.env["inbox.sender"]._inbox_normalize(channels.PHONE, search, raise_exception=False)
        if number:
            return number
        senders = self.env["inbox.sender"].sudo().search(
            [("company_id", "=", self.env.company.id), ("channel", "in", channels.keys(identity=channels.PHONE))])
        codes = {phone_validation.phone_get_country_code_for_number(address) for address in senders.mapped("address")}
        countries = self.env.company.country_id | self.env["res.country"].search([("code", "in", list(codes))]) \
            | self.env.companies.country_id
        for country in countries:
            number = Partner._phone_format(number=search, country=country, raise_exception=False)
            if number:
                return number
        return False

    @api.model
    def _inbox_handled_elsewhere(self, number=False, email=False):
        """Who handles the open conversation, in the current company, of the
        person with exactly this number or email address, when the user may
        not read it: team and assignee, nothing of its content."""
        if not (number or email):
            return []
        partners = self.env["res.partner"].sudo().search(
            [("phone_sanitized", "=", number)] if number else [("email_normalized", "=", email)])
        if not partners:
            return []
        domain = [("partner_id", "in", partners.ids), ("company_id", "=", self.env.company.id), ("state", "=", "open")]
        hidden = self.sudo().search(domain, order="id") - self.search(domain).sudo()
        return [conversation._inbox_handled_by() for conversation in hidden]

    @api.model
    def inbox_list(self, tab="open", channel=None, sender_id=None, user_id=None, label_id=None, search=None,
                   sort="recent", offset=0, limit=40):
        """One page of the Inbox's conversation list, with the count of each
        status tab under the same filters. A constant number of queries
        whatever the page size."""
        tabs = self._inbox_tab_domains()
        if tab not in tabs:
            raise UserError(self.env._("Unknown status tab %s.", tab))
        domain, number = self._inbox_filter_domain(channel, sender_id, user_id, label_id, search)
        order = "last_message_date desc nulls last, id desc"
        full_domain = Domain(domain) & Domain(tabs[tab])
        if sort == "oldest_unanswered":
            full_domain &= Domain("last_message_direction", "=", "inbound")
            order = "last_message_date asc nulls first, id asc"
        conversations = self.search_fetch(full_domain, [
            "partner_id", "state", "user_id", "last_message_date", "last_message_preview", "last_message_channel",
            "last_inbound_message_id", "label_ids",
        ], offset=offset, limit=limit, order=order)
        conversations.partner_id.fetch(["name", "phone", "email", "phone_sanitized"])
        conversations.user_id.fetch(["name"])
        conversations.label_ids.fetch(["name", "color"])
        counts = self._inbox_tab_counts(domain)
        total = counts[tab]
        if sort == "oldest_unanswered":
            total = self._inbox_capped_counts({"list": full_domain})["list"]
        # the person of the number or address may be another team's: say who
        # handles them (the user may ask to join), never offer a second conversation
        email = search and "@" in search and email_normalize(search.strip())
        handled_by = self._inbox_handled_elsewhere(number, email)
        return {
            "conversations": [conversation._inbox_list_row() for conversation in conversations],
            "counts": counts,
            "total": total,
            "count_cap": COUNT_CAP,
            "new_number": number if number and not counts["all"] and not handled_by else False,
            "handled_by": handled_by,
        }

    def inbox_list_row(self):
        """The Inbox's record of this conversation, as its Store holds it:
        the list's row, and what the header and the composer of the open
        conversation show (its state, its channels for the current user).
        To read it again after a change; opening one (on the page shown or
        not: one just started, under other filters) reads it through
        :meth:`inbox_open`."""
        self.ensure_one()
        self.check_access("read")
        return self._inbox_store_record()

    def _inbox_store_record(self):
        return Store().add(self).get_result()[self._name][0]

    def inbox_open(self, mark_read=False, messages=0):
        """What the Inbox shows of a conversation it opens, in one call: its
        record (see :meth:`inbox_list_row`), with ``mark_read`` read first
        by the user when it was unread; with ``messages``, the latest that
        many messages of the thread as ``/mail/thread/messages`` gives them
        (``data`` for the Store, their ``ids``, newest first), so that the
        thread shows with the rest rather than after it, a request later.
        The person panel is not in it (see :meth:`inbox_details`): a wide
        screen asks for it beside this call, so that the thread does not
        wait for it, and a phone, which shows no panel, does not ask."""
        self.ensure_one()
        self.check_access("read")
        if mark_read and self.is_unread:
            self._inbox_mark_read()
        opened = {"conversation": self._inbox_store_record()}
        if messages:
            latest = self.env["mail.message"]._message_fetch(domain=None, thread=self, limit=messages)["messages"]
            latest.set_message_done()
            opened["messages"] = {"data": Store().add(latest).get_result(), "ids": latest.ids}
        return opened

    def _inbox_list_row(self):
        self.ensure_one()
        partner = self.partner_id
        return {
            "id": self.id,
            "partner": {"id": partner.id, "name": partner.name, "phone": partner.phone or "",
                        "email": partner.email or ""},
            "avatar_text": avatar_text(partner),
            "status": self.display_status,
            "user": {"id": self.user_id.id, "name": self.user_id.name} if self.user_id else False,
            "last_message_date": self.last_message_date,
            "last_message_preview": self.last_message_preview or "",
            "last_message_channel": self.last_message_channel or False,
            "is_unread": self.is_unread,
            "labels": [{"id": label.id, "name": label.name, "color": label.color} for label in self.label_ids],
            # what the row says is as of this transaction (see _to_store)
            "as_of": self._inbox_as_of(),
        }
