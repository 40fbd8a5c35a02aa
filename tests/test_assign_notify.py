from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestAssignNotify(InboxCommon):
    """Assigning with "Notify" unchecked tells the assignee nothing; checked,
    exactly once, by the channel they prefer (email or Odoo)."""

    def assign(self, user, notify):
        # with Odoo's tracking on, as in the Inbox (the common set-up turns it off)
        conversation = self.conversation.with_context(tracking_disable=False, mail_notrack=False)
        before_messages = self.env["mail.message"].search([]).ids
        before_mails = self.env["mail.mail"].sudo().search([]).ids
        conversation.with_user(self.manager).inbox_assign(user.id, notify=notify)
        notices = self.env["mail.message"].search([
            ("id", "not in", before_messages), ("partner_ids", "in", user.partner_id.ids)])
        mails = self.env["mail.mail"].sudo().search([
            ("id", "not in", before_mails), ("recipient_ids", "in", user.partner_id.ids)])
        return notices, mails

    def test_not_notified(self):
        notices, mails = self.assign(self.user_b, notify=False)
        self.assertFalse(notices)
        self.assertFalse(mails, "not even Odoo's own 'you have been assigned' email")
        self.assertEqual(self.conversation.user_id, self.user_b)

    def test_notified_once_by_email(self):
        self.user_b.notification_type = "email"
        notices, mails = self.assign(self.user_b, notify=True)
        self.assertEqual(len(notices), 1)
        self.assertIn("assigned you the conversation with Alice Customer", notices.body)
        self.assertEqual(len(mails), 1)

    def test_notified_once_in_odoo(self):
        self.user_b.notification_type = "inbox"
        notices, mails = self.assign(self.user_b, notify=True)
        self.assertEqual(len(notices), 1)
        self.assertEqual(notices.notification_ids.filtered(
            lambda n: n.res_partner_id == self.user_b.partner_id).notification_type, "inbox")
        self.assertFalse(mails)
