from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class InboxMergePerson(models.TransientModel):
    """"Same person": an Inbox manager makes two people one, after seeing
    what the merge moves."""

    _name = "inbox.merge.person"
    _description = "Merge Two People in the Inbox"

    partner_id = fields.Many2one("res.partner", string="Person", required=True, readonly=True,
                                 help="Stays, with everything of the other person.")
    duplicate_id = fields.Many2one(
        "res.partner", string="Same Person As", required=True,
        domain="[('id', '!=', partner_id), ('is_company', '=', False)]",
        help="Found by a number, an email address or a name. Their contact is deleted once merged.")
    conversation_count = fields.Integer("Conversations Joined", compute="_compute_preview")
    message_count = fields.Integer("Messages Moved", compute="_compute_preview")
    identity_ids = fields.Many2many("inbox.identity", string="Identities Kept", compute="_compute_preview")
    lead_count = fields.Integer("Opportunities Relinked", compute="_compute_preview")
    preview = fields.Text(compute="_compute_preview")

    @api.depends("partner_id", "duplicate_id")
    def _compute_preview(self):
        Message = self.env["mail.message"].sudo()
        for wizard in self:
            duplicate = wizard.duplicate_id.sudo()
            conversations = duplicate.inbox_conversation_ids
            wizard.conversation_count = len(conversations)
            wizard.message_count = conversations and Message.search_count(
                [("model", "=", "inbox.conversation"), ("res_id", "in", conversations.ids)])
            wizard.identity_ids = duplicate.inbox_identity_ids
            wizard.lead_count = self.env["crm.lead"].sudo().with_context(active_test=False).search_count(
                [("partner_id", "=", duplicate.id)]) if duplicate else 0
            wizard.preview = duplicate and wizard._inbox_preview(duplicate)

    def _inbox_preview(self, duplicate):
        """What the merge does, in plain text (names are data, never markup)."""
        person = self.partner_id.display_name
        count = len(self.identity_ids)
        messages = (self.env._("1 message") if self.message_count == 1
                    else self.env._("%s messages", self.message_count))
        identities = self.env._("1 identity") if count == 1 else self.env._("%s identities", count)
        leads = (self.env._("1 opportunity") if self.lead_count == 1
                 else self.env._("%s opportunities", self.lead_count))
        lines = [
            self.env._("%(duplicate)s becomes %(person)s:", duplicate=duplicate.display_name, person=person),
            self.env._("• %(messages)s join %(person)s's conversation, in the order they came;",
                       messages=messages, person=person)
            if self.conversation_count else self.env._("• no conversation to move;"),
            self.env._("• %(identities)s and %(leads)s follow;", identities=identities, leads=leads),
            self.env._("• for each channel, the stricter consent of the two holds;"),
            self.env._("• the contact %s is then deleted.", duplicate.display_name),
        ]
        return "\n".join(lines)

    def action_merge(self):
        self.ensure_one()
        if not self.env.user.has_group("unified_inbox.group_inbox_manager"):
            raise AccessError(self.env._("Only an Inbox manager may merge two people."))
        (self.partner_id | self.duplicate_id).check_access("read")
        hidden = self.duplicate_id.sudo().inbox_conversation_ids.company_id - self.env.user.company_ids
        if hidden:
            # the merge would move conversations this manager cannot read
            raise UserError(self.env._(
                "%(name)s also has conversations in %(companies)s, which you cannot see: a manager of every "
                "company involved merges them.", name=self.duplicate_id.display_name,
                companies=", ".join(hidden.mapped("name"))))
        person = self.partner_id
        name = self.duplicate_id.display_name
        with self.env.cr.savepoint():
            person._inbox_merge(self.duplicate_id)
        conversation = person.sudo().inbox_conversation_ids.filtered(
            lambda c: c.company_id == self.env.company).sorted("state", reverse=True)[:1]
        if conversation:
            conversation.message_post(
                body=self.env._("%(name)s was merged into %(person)s by %(user)s.",
                                name=name, person=person.display_name, user=self.env.user.name),
                message_type="notification", subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close", "infos": {"conversation_id": conversation.id}}
