from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request
from odoo.tools import consteq


class InboxJoinController(http.Controller):
    """The links of a request to join a conversation (see
    ``inbox.conversation.inbox_request_join``): one click lets the agent in
    or declines. Signed, and applied with the rights of whoever clicks."""

    @http.route(
        "/unified_inbox/join/<int:conversation_id>/<int:user_id>/<any(accept,decline):decision>/<string:signature>",
        type="http", auth="user", methods=["GET"])
    def inbox_join(self, conversation_id, user_id, decision, signature):
        conversation = request.env["inbox.conversation"].browse(conversation_id).exists()
        requester = request.env["res.users"].sudo().browse(user_id).exists()
        if not (conversation and requester) or not consteq(
                signature, conversation._inbox_join_path(requester, decision).rsplit("/", 1)[1]):
            raise NotFound()
        conversation._inbox_decide_join(requester, decision == "accept")
        return request.redirect(f"/odoo/action-unified_inbox.inbox_conversation_action/{conversation.id}")
