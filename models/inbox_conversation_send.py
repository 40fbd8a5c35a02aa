"""Writing to the person: the one API every composer uses, and the checks of what is written."""
from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext, is_html_empty, plaintext2html

from .. import channels
from ..providers import ATTACHMENT_EXTENSIONS

# a scheduled date this far in the past is taken as "now" (clocks differ)
CLOCK_SKEW = timedelta(minutes=1)


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    def message_inbox_send(self, channel, body, subject=None, sender_id=None, template_id=None,
                           attachment_ids=None, scheduled_date=None):
        """Write to the person on ``channel``: the one API every composer uses.

        An internal note is posted at once and reaches nobody outside the
        company. Other channels are queued for their sender account's
        provider and go out through the dispatch queue (at
        ``scheduled_date`` if given). Refuses with a UserError whatever the
        channel rules forbid.

        :return: the new ``mail.message``
        """
        self.ensure_one()
        self.check_access("write")
        entry = self._inbox_channel(channel)
        if entry.calls:
            raise UserError(self.env._("A call is placed with the Call button, not written."))
        template = self._inbox_check_template(channel, template_id)
        if template:
            rendered_subject, rendered_body = template._inbox_render(self)
            if entry.rich_text:
                # what the template rendered is text (it carries what
                # customers wrote): never taken as HTML
                rendered_body = template._inbox_rich_text(rendered_body)
            subject, body = subject or rendered_subject, body or rendered_body
            if template.whatsapp_template_name:
                # the provider sends the approved text: the thread shows that, not an edit
                body = rendered_body
        html_body = self._inbox_check_content(channel, body, subject, bool(attachment_ids))
        attachments = self._inbox_check_attachments(channel, attachment_ids or [])

        if entry.internal:
            message = self._inbox_post(
                body=html_body, message_type="comment", subtype_xmlid="mail.mt_note",
                attachment_ids=attachments.ids, inbox_channel=channel)
            self._inbox_touch(message)
            return message

        sender = self._inbox_check_sender(channel, sender_id)
        reason = self._inbox_unavailable_reason(
            channel, sender, approved_template=bool(template.whatsapp_template_name))
        if reason:
            raise UserError(reason)
        if scheduled_date and fields.Datetime.to_datetime(scheduled_date) < fields.Datetime.now() - CLOCK_SKEW:
            raise UserError(self.env._("A message cannot be scheduled in the past."))

        message = self._inbox_post(
            body=html_body,
            subject=subject or False,
            message_type="comment",
            subtype_xmlid="unified_inbox.mt_inbox_message",
            attachment_ids=attachments.ids,
            inbox_channel=channel,
            inbox_direction="outbound",
            inbox_status="queued",
            inbox_sender_id=sender.id,
            inbox_provider_id=sender.provider_id.id,
            inbox_address=self._inbox_recipient_address(channel, sender),
            inbox_next_attempt=scheduled_date or fields.Datetime.now(),
            inbox_scheduled_date=scheduled_date or False,
            inbox_template=(template and template._inbox_render_whatsapp(self)) or False,
        )
        self.sudo().last_sender_id = sender
        self._inbox_touch(message)
        self.env["mail.message"]._inbox_trigger_dispatch(scheduled_date)
        if not self.env.su:
            self._inbox_team_reached_out(message, self.env.user, scheduled=bool(scheduled_date))
        return message

    def _inbox_team_reached_out(self, message, user, scheduled=False):
        """``user``, a person of the company (never the system: a bot, an
        automated message), wrote or called the person with ``message``
        (``scheduled``: to go later). The reports and the bot follow it."""
        self.ensure_one()

    def inbox_render_template(self, template_id):
        """``{subject, body, body_html}`` of a template for this conversation,
        to prefill the composer (still editable).

        A template is plain text, and so are the values it shows (a person's
        name, an email's display name): ``body`` is that text, and
        ``body_html``, for the rich text of email and notes, is the same text
        escaped, never a "<" of the result taken for markup. It is sanitized
        all the same, as the composer shows it as HTML."""
        self.ensure_one()
        self.check_access("read")
        template = self.env["inbox.template"].browse(template_id).exists()
        if not template:
            raise UserError(self.env._("This template no longer exists."))
        subject, body = template._inbox_render(self)
        body = str(body or "")
        return {
            "subject": str(subject or ""),
            "body": body,
            "body_html": str(template._inbox_rich_text(body)),
        }

    def _inbox_check_template(self, channel, template_id):
        template = self.env["inbox.template"]
        if not template_id:
            return template
        template = template.browse(template_id).exists()
        if not template or template.channel != channel:
            raise UserError(self.env._("This template is not a %s template.", channels.get(channel).label))
        template._inbox_check_sendable()
        return template

    def _inbox_check_content(self, channel, body, subject, has_attachments):
        """The body to store (HTML), once the channel's rules on content hold:
        rich text or plain text, a subject, a length, as the channel says."""
        entry = channels.get(channel)
        if entry.rich_text:
            html_body = self._inbox_html(body)
            text = "" if is_html_empty(html_body) else html2plaintext(html_body).strip()
        else:
            text = (body or "").strip()
            html_body = plaintext2html(text)
        if not text and not has_attachments:
            raise UserError(self.env._("Write a message before sending."))
        if entry.subject and not (subject or "").strip():
            raise UserError(self.env._("An email needs a subject."))
        if entry.max_length and len(text) > entry.max_length:
            raise UserError(self.env._("A %(channel)s message is limited to %(max)s characters.",
                                       channel=entry.label, max=entry.max_length))
        return html_body

    def _inbox_check_sender(self, channel, sender_id):
        """The sender account to use: the one asked for if the user may use
        it here, else the best one of the channel (maybe none)."""
        if not sender_id:
            return self._inbox_usable_senders(channel)[:1]
        sender = self.env["inbox.sender"].sudo().browse(sender_id).exists()._inbox_usable_by(self.env.user)
        if not sender or sender.company_id != self.company_id:
            raise UserError(self.env._("You cannot send from this sender account."))
        return sender

    @staticmethod
    def _inbox_html(body):
        """Rich text as Markup (mail.message sanitizes it); plain text converted."""
        if not body:
            return Markup()
        if isinstance(body, Markup) or "<" in body:
            return Markup(body)
        return plaintext2html(body)

    def _inbox_check_attachments(self, channel, attachment_ids):
        attachments = self.env["ir.attachment"].browse(attachment_ids).exists()
        if not attachments:
            return attachments
        max_size = channels.get(channel).attachment_max_size
        if not max_size:
            raise UserError(self.env._("%s messages cannot carry attachments.", channels.get(channel).label))
        attachments.check_access("read")
        for attachment in attachments:
            extension = (attachment.name or "").rsplit(".", 1)[-1].lower() if "." in (attachment.name or "") else ""
            if extension not in ATTACHMENT_EXTENSIONS:
                raise UserError(self.env._("%s: this type of file cannot be sent.", attachment.name))
            if attachment.file_size > max_size:
                raise UserError(self.env._("%(name)s is larger than %(size)s MB.", name=attachment.name,
                                           size=max_size >> 20))
        return attachments
