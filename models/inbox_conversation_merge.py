"""Merging: the conversations of two people found to be one, made one."""

from odoo import Command, models
from odoo.tools import SQL

# what belongs to a conversation by (model, id) columns rather than a foreign key
THREAD_COLUMNS = {"mail_message": "model", "ir_attachment": "res_model", "mail_activity": "res_model"}


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    def _inbox_absorb(self, others):
        """Move the history of the conversations ``others`` into this one
        and delete them: every message (cards included), file, follower,
        activity and label is kept, in the order they came; the list columns
        are recomputed from the merged history. The team and assignee stay
        this one's; it is open if one of them was."""
        self.ensure_one()
        conversation, others = self.sudo(), (others - self).sudo()
        if not others:
            return
        values = {"label_ids": [Command.link(label.id) for label in others.label_ids]}
        if not conversation.lead_id and others.lead_id:
            values["lead_id"] = others.lead_id[:1].id
        if "open" in others.mapped("state"):
            values["state"] = "open"
        followers = others.message_partner_ids - conversation.message_partner_ids
        self.env.flush_all()
        for table, model_column in THREAD_COLUMNS.items():
            self.env.cr.execute(SQL(
                "UPDATE %(table)s SET res_id = %(id)s WHERE %(model)s = %(name)s AND res_id IN %(others)s",
                table=SQL.identifier(table), model=SQL.identifier(model_column), id=self.id, name=self._name,
                others=tuple(others.ids)))
        self.env.invalidate_all()
        others.unlink()
        conversation.write(values)
        conversation.message_subscribe(partner_ids=followers.ids)
        conversation._inbox_sync_from_messages()
