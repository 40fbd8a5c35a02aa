from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    inbox_conversation_ids = fields.One2many("inbox.conversation", "lead_id", string="Conversations")
    inbox_conversation_count = fields.Integer("Conversation Count", compute="_compute_inbox_conversation_count")

    def _compute_inbox_conversation_count(self):
        counts = dict(self.env["inbox.conversation"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]))
        for lead in self:
            lead.inbox_conversation_count = counts.get(lead, 0)

    def action_view_inbox_conversations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("unified_inbox.inbox_conversation_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id, "default_lead_id": self.id}
        return action
