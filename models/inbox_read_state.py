from odoo import api, fields, models


class InboxReadState(models.Model):
    """How far a user has read a conversation (for the unread state)."""

    _name = "inbox.read.state"
    _description = "Inbox Read State"
    _log_access = False

    conversation_id = fields.Many2one("inbox.conversation", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    last_read_message_id = fields.Many2one("mail.message", ondelete="set null")

    _conversation_user_unique = models.UniqueIndex("(conversation_id, user_id)")

    @api.model
    def _inbox_mark(self, conversation, user, message_id):
        """Move the user's read mark forward to ``message_id`` (never back)."""
        self.flush_model()
        self.env.cr.execute("""
            INSERT INTO inbox_read_state (conversation_id, user_id, last_read_message_id)
                 VALUES (%(conversation)s, %(user)s, %(message)s)
            ON CONFLICT (conversation_id, user_id) DO UPDATE
                    SET last_read_message_id = GREATEST(
                        inbox_read_state.last_read_message_id, EXCLUDED.last_read_message_id)
        """, {"conversation": conversation.id, "user": user.id, "message": message_id})
        self.invalidate_model(["last_read_message_id"])
        conversation.invalidate_recordset(["is_unread"])
