from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..providers import WebhookRequest


class InboxWebhookController(http.Controller):
    """Every provider posts here; the provider's adapter does the rest.

    No Odoo user calls it: a provider's servers do, and what they post is
    taken for its token and its signature (see the adapter's
    ``verify_webhook``), not for a session. Hence ``auth="none"``, without
    the public user (whose lookup costs each request a query), writing
    (``readonly=False``: it keeps the events)."""

    @http.route(
        "/unified_inbox/webhook/<string:token>", type="http", auth="none", readonly=False,
        methods=["GET", "POST"], csrf=False, save_session=False)
    def inbox_webhook(self, token, **_kwargs):
        provider = request.env["inbox.provider"].sudo()._inbox_from_token(token)
        if not provider:
            raise NotFound()
        httprequest = request.httprequest
        webhook_request = WebhookRequest(
            method=httprequest.method,
            url=httprequest.url,
            headers=dict(httprequest.headers),
            body=httprequest.get_data(),
            form=httprequest.form.to_dict(flat=False),
            query=httprequest.args.to_dict(),
        )
        status, content_type, body = provider._inbox_handle_webhook(webhook_request)
        return request.make_response(body, headers=[("Content-Type", content_type)], status=status)
