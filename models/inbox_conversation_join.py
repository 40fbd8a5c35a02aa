"""Asking to join a conversation another team handles, and letting somebody in."""
from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import hmac

# an agent asks to join a conversation at most once in this time
JOIN_REQUEST_DELAY = timedelta(hours=1)


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    def _inbox_handled_by(self):
        """Who handles the conversation (team, assignee): what an Inbox user
        of its company who may not read it is told, and nothing else."""
        self.ensure_one()
        conversation = self.sudo()
        return {"id": conversation.id, "team": conversation.team_id.name or "",
                "user": conversation.user_id.name or ""}

    def _inbox_handled_by_message(self):
        handled = self._inbox_handled_by()
        if handled["team"] and handled["user"]:
            who = self.env._("%(team)s (%(user)s)", team=handled["team"], user=handled["user"])
        else:
            who = handled["team"] or handled["user"] or self.env._("nobody yet")
        return self.env._("%(person)s already has an open conversation, handled by %(who)s. "
                          "Search their number in the Inbox to ask to join it.",
                          person=self.sudo().partner_id.display_name, who=who)

    def _inbox_handlers(self):
        """Who may let somebody in: the assignee, else the team's members,
        else the followers, else the Inbox managers of the company (Inbox
        users of the company all)."""
        self.ensure_one()
        conversation = self.sudo()

        def inbox_users(users):
            return users.filtered(lambda user: user.active and not user.share and user != self.env.user
                                  and conversation.company_id in user.company_ids
                                  and user.has_group("unified_inbox.group_inbox_user"))

        for users in (conversation.user_id, conversation.team_id.member_ids, conversation.message_partner_ids.user_ids):
            if handlers := inbox_users(users):
                return handlers
        return inbox_users(self.env["res.users"].sudo().search(
            [("all_group_ids", "in", self.env.ref("unified_inbox.group_inbox_manager").id)]))

    def inbox_request_join(self):
        """Ask those who handle the conversation to let the current user in:
        they get a notification with a link to let them in (as a follower:
        the access rules do the rest) and one to decline. For the Inbox
        users of its company who cannot read it. Returns who handles it."""
        self.ensure_one()
        user = self.env.user
        conversation = self.sudo()
        if not user.has_group("unified_inbox.group_inbox_user") or conversation.company_id not in user.company_ids:
            raise AccessError(self.env._("You cannot ask to join this conversation."))
        if self.has_access("read"):
            return dict(conversation._inbox_handled_by(), joined=True)
        if self.env["mail.message"].sudo().search_count([
            ("model", "=", self._name), ("res_id", "=", self.id), ("message_type", "=", "user_notification"),
            ("author_id", "=", user.partner_id.id), ("date", ">", fields.Datetime.now() - JOIN_REQUEST_DELAY),
        ], limit=1):
            # asked already: those who handle it are not asked again so soon
            return dict(conversation._inbox_handled_by(), requested=True)
        handlers = conversation._inbox_handlers()
        if not handlers:
            raise UserError(self.env._("Nobody handles this conversation yet: ask an Inbox manager."))
        base_url = conversation.get_base_url()
        accept, decline = (f"{base_url}{conversation._inbox_join_path(user, decision)}"
                           for decision in ("accept", "decline"))
        team = user.sudo().crm_team_ids[:1].name
        body = Markup("<p>%s</p><p><a href=\"%s\">%s</a> · <a href=\"%s\">%s</a></p>") % (
            self.env._("%(user)s%(team)s asks to join the conversation with %(person)s.", user=user.name,
                       team=f" ({team})" if team else "", person=conversation.partner_id.display_name),
            accept, self.env._("Let them in"), decline, self.env._("Decline"))
        conversation.message_notify(
            partner_ids=handlers.partner_id.ids, body=body,
            subject=self.env._("%s asks to join a conversation", user.name))
        return dict(conversation._inbox_handled_by(), requested=True)

    def _inbox_join_path(self, user, decision):
        """The link that lets ``user`` in (or declines): signed, so that only
        the notification's readers can make it, and used as one who may
        write the conversation."""
        self.ensure_one()
        signature = hmac(self.env(su=True), "unified_inbox-join", (self.id, user.id, decision))
        return f"/unified_inbox/join/{self.id}/{user.id}/{decision}/{signature}"

    def _inbox_decide_join(self, requester, accept):
        """Let ``requester`` in, as a follower, or decline; by a user who may
        write the conversation. The requester is told either way."""
        self.ensure_one()
        self.check_access("write")
        person = self.partner_id.display_name
        if accept:
            self.sudo().message_subscribe(partner_ids=requester.partner_id.ids)
            self.message_post(body=self.env._("%(user)s let %(requester)s in.", user=self.env.user.name,
                                              requester=requester.name),
                              message_type="notification", subtype_xmlid="mail.mt_note")
            self.sudo().message_notify(
                partner_ids=requester.partner_id.ids, subject=self.env._("You joined the conversation with %s", person),
                body=self.env._("%(user)s let you in the conversation with %(person)s.", user=self.env.user.name,
                                person=person))
        else:
            # the requester may not read the conversation: a notification of no record
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=requester.partner_id.ids, subject=self.env._("Request to join declined"),
                body=self.env._("%(user)s declined your request to join the conversation with %(person)s.",
                                user=self.env.user.name, person=person))
        return True
