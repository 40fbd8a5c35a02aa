from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html


class CrmLead(models.Model):
    _inherit = "crm.lead"

    inbox_conversation_ids = fields.One2many("inbox.conversation", "lead_id", string="Conversations")
    inbox_conversation_count = fields.Integer("Conversation Count", compute="_compute_inbox_conversation_count")
    inbox_leadgen_id = fields.Char("Lead Ads ID", readonly=True, copy=False,
                                   help="The lead form answer (Meta Lead Ads) this opportunity came from.")
    inbox_lead_form_id = fields.Char("Lead Form", readonly=True, copy=False)

    _inbox_leadgen_unique = models.UniqueIndex("(inbox_leadgen_id) WHERE inbox_leadgen_id IS NOT NULL")

    def _compute_inbox_conversation_count(self):
        counts = dict(self.env["inbox.conversation"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]))
        for lead in self:
            lead.inbox_conversation_count = counts.get(lead, 0)

    def inbox_feed_conversation(self, create=False):
        """The conversation the opportunity's form shows: the one linked to
        it, else its person's latest one; with ``create``, a new one linked
        to it. Returns its id or False."""
        self.ensure_one()
        if not self.partner_id:
            raise UserError(self.env._("Set the opportunity's customer to write to them."))
        return self.env["inbox.conversation"]._inbox_feed(self.partner_id, lead=self, create=create)

    def action_view_inbox_conversations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("unified_inbox.inbox_conversation_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id, "default_lead_id": self.id}
        return action

    def _inbox_card_noun(self):
        return self.env._("Opportunity") if self.type == "opportunity" else self.env._("Lead")

    def _inbox_card_title(self, rule, old=None, new=None):
        if rule.event == "write" and rule.field_name == "stage_id" and self.stage_id.is_won:
            return self.env._("Opportunity won: %s", self.display_name)
        if rule.event == "write" and rule.field_name == "active":
            if self.active:
                return self.env._("Opportunity restored: %s", self.display_name)
            return self.env._("Opportunity lost: %(name)s (%(reason)s)", name=self.display_name,
                              reason=self.lost_reason_id.name or self.env._("no reason given"))
        return super()._inbox_card_title(rule, old, new)

    # ------------------------------------------------------------------
    # Leads from ads (Meta Lead Ads)
    # ------------------------------------------------------------------

    @api.model
    def _inbox_receive_lead_ad(self, provider, event):
        """A lead form filled in (a LeadAd): its answers from the provider,
        the person found by number or email or created once, their
        conversation, and one opportunity per person and form (created, or
        updated by a later answer), with its ad attribution and a follow-up
        activity for its salesperson. The same answer twice does nothing."""
        if self.with_context(active_test=False).search_count([("inbox_leadgen_id", "=", event.leadgen_id)]):
            return self.browse()
        answers = provider._inbox_adapter().fetch_lead(event.leadgen_id)
        values = answers["fields"]
        company = provider.company_id
        partner = self.env["res.partner"]._inbox_from_lead_answers(values, company)
        conversation = self.env["inbox.conversation"]._inbox_route(partner, self.env["inbox.sender"], company)
        form = answers.get("form") or event.form_id
        self.env["inbox.lock"]._inbox_acquire(f"lead-form:{partner.id}:{form}")
        lead = self.search([("partner_id", "=", partner.id), ("inbox_lead_form_id", "=", form),
                            ("type", "=", "opportunity")], limit=1)
        # the answers are what the person typed: text, escaped wherever it is shown
        summary = "\n".join(f"{name}: {value}" for name, value in values.items())
        if lead:
            lead.message_post(body=plaintext2html(self.env._("The person filled in the form again:\n%s", summary)),
                              message_type="comment", subtype_xmlid="mail.mt_note")
            return lead
        utm = self.env["utm.mixin"]
        platform = "Instagram" if answers.get("platform") == "ig" else "Facebook"
        lead = self.with_context(mail_create_nolog=True).create({
            "name": answers.get("campaign") or self.env._("Lead from %s", platform),
            "type": "opportunity",
            "partner_id": partner.id,
            "user_id": conversation.user_id.id,
            "team_id": conversation.team_id.id,
            "company_id": company.id,
            "description": plaintext2html(summary),
            "inbox_leadgen_id": event.leadgen_id,
            "inbox_lead_form_id": form,
            "source_id": utm._find_or_create_record("utm.source", platform).id,
            "medium_id": utm._find_or_create_record("utm.medium", self.env._("Lead Ads")).id,
            "campaign_id": answers.get("campaign") and utm._find_or_create_record(
                "utm.campaign", answers["campaign"]).id,
        })
        conversation._inbox_link_lead(lead)
        if lead.user_id:
            lead.activity_schedule("mail.mail_activity_data_todo", user_id=lead.user_id.id,
                                   summary=self.env._("Follow up the lead from %s", platform))
        return lead
