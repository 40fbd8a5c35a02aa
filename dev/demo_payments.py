"""Payment links in the demo, run by dev/demo.sh in an Odoo shell once
Invoicing with online payments (account_payment) and Odoo's demo payment
provider (payment_demo) are installed: open invoices of Jonas Becker and
Emma de Vries, and an SMS to Jonas with his invoice's payment link, which
can be paid with the demo provider (the payment makes its card)."""
from odoo import Command


def open_invoice(env, partner, line, amount):
    invoice = env["account.move"].create({
        "move_type": "out_invoice", "partner_id": partner.id,
        "invoice_line_ids": [Command.create({"name": line, "quantity": 1, "price_unit": amount})],
    })
    invoice.action_post()
    return invoice


def main(env):
    env = env(user=env.ref("base.user_admin"))  # written by the demo's admin, not the system
    jonas = env.ref("unified_inbox.c_jonas")
    invoice = open_invoice(env, jonas.partner_id, "Check-up and cleaning", 95)
    open_invoice(env, env.ref("unified_inbox.p_emma"), "Whitening, second session", 180)
    link = jonas.inbox_payment_link("account.move", invoice.id)
    jonas.message_inbox_send("sms", f"Thanks for your visit, Jonas! You can pay online here: {link}")
    env.cr.commit()


main(env)  # noqa: F821 (the Odoo shell's environment)
