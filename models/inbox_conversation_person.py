"""The person panel of the Inbox: who the person is, their consent per channel, their opportunities and
appointments; and the opportunity of the conversation."""
from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import channels


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Person panel
    # ------------------------------------------------------------------

    def inbox_details(self):
        """The person panel of the Inbox: contact data, per-channel opt-out
        and do-not-disturb, open opportunities, upcoming appointments and
        what they still have to pay."""
        self.ensure_one()
        self.check_access("read")
        partner = self.partner_id
        usable = self.env["inbox.sender"]._inbox_usable_by_channel(self.company_id)
        # what the user may see of the CRM and the calendar, by their own rights
        Lead, Event = self.env["crm.lead"], self.env["calendar.event"]
        leads = Lead.search(
            [("partner_id", "=", partner.id), ("type", "=", "opportunity")],
            order="date_deadline asc, id desc", limit=5) if Lead.has_access("read") else Lead
        events = Event.search(
            [("partner_ids", "in", partner.id), ("stop", ">=", fields.Datetime.now())],
            order="start asc", limit=5) if Event.has_access("read") else Event
        return {
            "partner": {
                "id": partner.id, "name": partner.name, "phone": partner.phone or "", "email": partner.email or "",
                "address": partner._display_address(without_company=True).strip(),
                "company": partner.parent_id.name or partner.company_name or "",
                "tags": partner.category_id.mapped("name"),
            },
            # the numbers, addresses and ids they wrote from beyond the ones above (a merged person's)
            "identities": [{
                "kind": row.kind, "address": row.address, "provider": row.provider_id.name or "",
                "verified": row.verified,
            } for row in self.env["inbox.identity"].search([("partner_id", "=", partner.id)])
                if row.address not in (partner.phone_sanitized, partner.email_normalized)],
            "channels": {
                channel: {"opted_out": partner._inbox_is_opted_out(channel), "dnd": partner._inbox_is_dnd(channel),
                          "address": self._inbox_recipient_address(
                              channel, channels.get(channel).identity == channels.SCOPED
                              and self._inbox_usable_senders(channel, usable[channel, self.company_id])[:1]) or ""}
                for channel in (entry.key for entry in channels.all_channels(internal=False))
            },
            "opportunities": [{
                "id": lead.id, "name": lead.name, "stage": lead.stage_id.name or "",
                "expected_revenue": lead.expected_revenue, "currency": lead.company_currency.symbol or "",
                "user": lead.user_id.name or "", "linked": lead == self.lead_id,
            } for lead in leads],
            "can_create_opportunity": Lead.has_access("create"),
            "can_book": Event.has_access("create"),
            "can_merge": self.env.user.has_group("unified_inbox.group_inbox_manager"),
            "appointments": [{
                "id": event.id, "name": event.name, "start": event.start, "allday": event.allday,
                "organizer": event.user_id.name or "",
            } for event in events],
            # what they still have to pay, for a payment link
            "payments": self._inbox_payment_documents(),
        }

    def inbox_set_consent(self, channel, opted_out=None, dnd=None):
        """Opt the person out of ``channel`` or back in (``opted_out``), or
        set its do-not-disturb (``dnd``), from the Inbox's person panel.
        Opt-outs go to the channel's opt-out list where Odoo keeps one (the
        phone list covers SMS and WhatsApp, as STOP and START replies do).
        The change is written in the conversation for the team."""
        self.ensure_one()
        self.check_access("write")
        label = self._inbox_channel(channel).label
        if channels.get(channel).internal:
            raise UserError(self.env._("An internal note reaches nobody: it takes no consent."))
        partner = self.partner_id.sudo()
        changes = []
        if opted_out is not None and bool(opted_out) != partner._inbox_is_opted_out(channel):
            reason = self.env._("Changed from the Inbox by %s.", self.env.user.name)
            partner._inbox_set_opt_out(channel, bool(opted_out), reason)
            changes.append(self.env._("opted out of %s", label) if opted_out else self.env._("opted in to %s", label))
        if dnd is not None and bool(dnd) != partner._inbox_is_dnd(channel):
            partner._inbox_set_dnd(channel, bool(dnd))
            changes.append(self.env._("Do Not Disturb on for %s", label) if dnd
                           else self.env._("Do Not Disturb off for %s", label))
        if changes:
            title = self.env._("%(name)s: %(changes)s (by %(user)s).", name=partner.display_name,
                      changes=", ".join(changes), user=self.env.user.name)
            self._inbox_post_card(
                {"kind": "consent", "event": "write", "model": "res.partner", "res_id": partner.id, "title": title})
        return True

    # ------------------------------------------------------------------
    # Opportunity
    # ------------------------------------------------------------------

    @api.model
    def _inbox_feed(self, partner, lead=None, create=False):
        """The conversation shown on a person's or an opportunity's form (see
        ``inbox_feed_conversation``), within the user's access rights."""
        self.check_access("read")
        order = "last_message_date desc nulls last, id desc"
        base = [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)]
        conversation = (lead and self.search([*base, ("lead_id", "=", lead.id)], order=order, limit=1)) \
            or self.search(base, order=order, limit=1)
        if not conversation and create:
            self.check_access("create")
            # the person's one conversation, unless another team has it open
            conversation = self.with_context(mail_create_nosubscribe=True)._inbox_start(partner, self.env.company, {
                "lead_id": lead.id if lead else False,
                "team_id": (lead.team_id if lead else self.env.user.crm_team_ids[:1]).id,
                "user_id": self.env.uid,
            })
        return conversation.id or False

    def inbox_create_opportunity(self):
        """Create an opportunity for the person, prefilled from the
        conversation, and link it. Returns its id."""
        self.ensure_one()
        self.check_access("write")
        Lead = self.env["crm.lead"]
        if not Lead.has_access("create"):
            raise UserError(self.env._("You cannot create opportunities: ask for access to the CRM."))
        partner = self.partner_id
        lead = Lead.create({
            "name": partner.name,
            "type": "opportunity",
            "partner_id": partner.id,
            "team_id": self.team_id.id,
            # who creates it follows it up: the CRM's own-documents rule allows no other
            "user_id": self.env.user.id,
            "company_id": self.company_id.id,
        })
        self._inbox_link_lead(lead)
        return lead.id

    def inbox_link_opportunity(self, lead_id):
        """Link an existing opportunity of the person (``False``: unlink)."""
        self.ensure_one()
        self.check_access("write")
        lead = self.env["crm.lead"].browse(lead_id).exists() if lead_id else self.env["crm.lead"]
        if lead:
            lead.check_access("read")
            if lead.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
                raise UserError(self.env._("%(lead)s is not an opportunity of %(person)s.", lead=lead.name,
                                  person=self.partner_id.name))
        self._inbox_link_lead(lead)
        return True

    def _inbox_link_lead(self, lead):
        self.sudo().lead_id = lead
        if lead:
            self.message_post(body=self.env._("Linked to the opportunity %s.", lead.name),
                              message_type="notification", subtype_xmlid="mail.mt_note")
