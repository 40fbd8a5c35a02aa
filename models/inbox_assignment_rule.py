from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# a user who set one of these statuses takes no new conversation
UNAVAILABLE_STATUSES = ("away", "busy", "offline")


class InboxAssignmentRule(models.Model):
    """Who takes a new conversation: the next available member of a team, in
    turn, for the conversations that reach some sender accounts or carry
    some labels."""

    _name = "inbox.assignment.rule"
    _description = "Inbox Assignment Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    team_id = fields.Many2one("crm.team", required=True, check_company=True, ondelete="cascade")
    sender_ids = fields.Many2many(
        "inbox.sender", string="Sender Accounts", check_company=True,
        help="The rule takes conversations written to these numbers or addresses; empty: any.")
    label_ids = fields.Many2many(
        "inbox.label", string="Labels", help="The rule takes conversations with one of these labels; empty: any.")
    user_ids = fields.Many2many(
        "res.users", string="Agents", domain="[('share', '=', False)]",
        help="Who takes turns; empty: the team's members. Someone away, busy, offline by choice or out of office "
             "is skipped.")
    last_user_id = fields.Many2one("res.users", string="Last Assigned", readonly=True, copy=False)

    @api.constrains("user_ids")
    def _check_user_ids(self):
        group = self.env.ref("unified_inbox.group_inbox_user")
        for rule in self:
            outsiders = rule.user_ids.filtered(lambda user: group not in user.all_group_ids)
            if outsiders:
                raise ValidationError(self.env._("%s cannot use the Inbox.", ", ".join(outsiders.mapped("name"))))

    def _inbox_matches(self, conversation, sender):
        self.ensure_one()
        if self.sender_ids and sender not in self.sender_ids:
            return False
        return not self.label_ids or bool(self.label_ids & conversation.label_ids)

    def _inbox_candidates(self):
        """The agents who may take the next conversation, in turn order."""
        self.ensure_one()
        group = self.env.ref("unified_inbox.group_inbox_user")
        users = (self.user_ids or self.team_id.member_ids).filtered(
            lambda user: user.active and group in user.all_group_ids and not user.is_out_of_office
            and user.manual_im_status not in UNAVAILABLE_STATUSES
            and self.company_id in user.company_ids)
        return users.sorted("id")

    def _inbox_next_user(self):
        """The next available agent after the last one assigned, or nobody.
        Concurrent deliveries take turns: the rule is locked until commit."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT last_user_id FROM inbox_assignment_rule WHERE id = %s FOR UPDATE", self.id))
        self.invalidate_recordset(["last_user_id"])
        candidates = self._inbox_candidates()
        if not candidates:
            return candidates
        after = candidates.filtered(lambda user: user.id > self.last_user_id.id)
        user = after[:1] or candidates[:1]
        self.last_user_id = user
        return user

    @api.model
    def _inbox_assign(self, conversation, sender=None, labelled_only=False):
        """Give ``conversation`` to the first matching rule's next agent (and
        to its team); returns the agent, or nobody when no rule applies or
        nobody is available. ``labelled_only``: only the rules on labels (a
        label was just put on the conversation)."""
        domain = [("company_id", "=", conversation.company_id.id)]
        if labelled_only:
            domain.append(("label_ids", "!=", False))
        for rule in self.search(domain).filtered(lambda rule: rule._inbox_matches(conversation, sender)):
            user = rule._inbox_next_user()
            if user:
                conversation.team_id = rule.team_id
                conversation.inbox_assign(user.id)
                return user
        return self.env["res.users"]
