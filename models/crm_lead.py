from odoo import _, fields, models


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

    def _inbox_card_noun(self):
        return _("Opportunity") if self.type == "opportunity" else _("Lead")

    def _inbox_card_title(self, rule, old=None, new=None):
        if rule.event == "write" and rule.field_id.name == "stage_id" and self.stage_id.is_won:
            return _("Opportunity won: %s", self.display_name)
        if rule.event == "write" and rule.field_id.name == "active":
            if self.active:
                return _("Opportunity restored: %s", self.display_name)
            return _("Opportunity lost: %(name)s (%(reason)s)", name=self.display_name,
                     reason=self.lost_reason_id.name or _("no reason given"))
        return super()._inbox_card_title(rule, old, new)
