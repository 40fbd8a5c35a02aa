"""The manual actions queue: the calls and messages the user has to make,
as Odoo's activities (scheduled by hand or by an automation rule), due
today or before, on people, opportunities and conversations, oldest first.
Each is done in the person's conversation."""
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

# the records whose activities are the queue's, and how each names its person
QUEUE_MODELS = {"res.partner": None, "crm.lead": "partner_id", "inbox.conversation": "partner_id"}
QUEUE_LIMIT = 200


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    @api.model
    def _inbox_action_domain(self):
        """The user's due calls and messages on the queue's records."""
        message = self.env.ref("unified_inbox.mail_activity_type_message")
        return [
            ("user_id", "=", self.env.uid), ("res_model", "in", list(QUEUE_MODELS)),
            "|", ("activity_type_id.category", "=", "phonecall"), ("activity_type_id", "=", message.id),
            ("date_deadline", "<=", fields.Date.context_today(self)),
        ]

    @api.model
    def inbox_action_queue(self):
        """The queue, oldest first: ``[{id, kind (call or message), summary,
        note, date_deadline, overdue, record {model, id, name}, partner {id,
        name, phone}}]``; an action on a record without a person is left out."""
        today = fields.Date.context_today(self)
        activities = self.env["mail.activity"].search(
            self._inbox_action_domain(), order="date_deadline, id", limit=QUEUE_LIMIT)
        queue = []
        for activity in activities:
            person = self._inbox_action_person(activity)
            if not person:
                continue
            queue.append({
                "id": activity.id,
                "kind": "call" if activity.activity_type_id.category == "phonecall" else "message",
                "icon": activity.activity_type_id.icon or "fa-tasks",
                "summary": activity.summary or activity.activity_type_id.name,
                "note": html2plaintext(activity.note or "").strip(),
                "date_deadline": fields.Date.to_string(activity.date_deadline),
                "overdue": activity.date_deadline < today,
                "record": {"model": activity.res_model, "id": activity.res_id, "name": activity.res_name or ""},
                "partner": {"id": person.id, "name": person.display_name, "phone": person.phone or ""},
            })
        return queue

    @api.model
    def inbox_action_count(self):
        """The size of the queue (what its tab shows)."""
        return len(self.inbox_action_queue())

    @api.model
    def inbox_action_open(self, activity_id):
        """The id of the conversation to do the action in: the person's
        latest, or a new one of the user's."""
        person = self._inbox_action_person(self._inbox_action_get(activity_id))
        return self._inbox_feed(person, create=True)

    @api.model
    def inbox_action_done(self, activity_id, feedback=False):
        """Mark the action done (Odoo's activity feedback on its record)."""
        self._inbox_action_get(activity_id).action_feedback(feedback=feedback or False)
        return True

    @api.model
    def _inbox_action_get(self, activity_id):
        activity = self.env["mail.activity"].search([("id", "=", activity_id), *self._inbox_action_domain()])
        if not activity:
            raise UserError(self.env._("This action is not in your queue any more: done, or given to somebody else."))
        return activity

    @api.model
    def _inbox_action_person(self, activity):
        record = self.env[activity.res_model].browse(activity.res_id).exists()
        field = QUEUE_MODELS[activity.res_model]
        return (record[field] if field else record) if record else self.env["res.partner"]
