import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

SHORTCUT = re.compile(r"[\w-]+")


class InboxSnippet(models.Model):
    """A reply an agent inserts in any composer by typing ``/shortcut``:
    their own, their team's, or everyone's."""

    _name = "inbox.snippet"
    _description = "Inbox Snippet"
    _order = "shortcut, id"

    shortcut = fields.Char(required=True, help="Typed after a slash in the composer, e.g. /hours.")
    body = fields.Text(required=True, translate=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users", string="Owner", index="btree_not_null", ondelete="cascade",
        default=lambda self: self.env.user if not self.env.user.has_group("unified_inbox.group_inbox_manager")
        else False,
        help="Set: a personal snippet, for its owner only.")
    team_id = fields.Many2one(
        "crm.team", index="btree_not_null", ondelete="cascade",
        help="Set: shared with the team's members. Neither owner nor team: shared with everyone.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    scope = fields.Selection(
        [("personal", "Personal"), ("team", "Team"), ("everyone", "Everyone")], compute="_compute_scope")

    @api.depends("user_id", "team_id")
    def _compute_scope(self):
        for snippet in self:
            snippet.scope = "personal" if snippet.user_id else "team" if snippet.team_id else "everyone"

    @api.constrains("shortcut")
    def _check_shortcut(self):
        for snippet in self:
            if not SHORTCUT.fullmatch(snippet.shortcut or ""):
                raise ValidationError(self.env._(
                    "The shortcut %s may only hold letters, digits, - and _: it is typed after a slash.",
                    snippet.shortcut))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("shortcut"):
                vals["shortcut"] = vals["shortcut"].strip().lstrip("/").lower()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("shortcut"):
            vals["shortcut"] = vals["shortcut"].strip().lstrip("/").lower()
        return super().write(vals)
