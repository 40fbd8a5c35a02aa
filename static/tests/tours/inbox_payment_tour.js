import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("unified_inbox_payment_tour", {
    url: "/odoo/action-unified_inbox.inbox",
    steps: () => [
        {
            content: "Open Wanda's conversation",
            trigger: ".o_inbox_row:contains('Wanda Workflow')",
            run: "click",
        },
        {
            content: "Payment instructions typed by hand",
            trigger: ".o_inbox_composer_body",
            run: "edit Please pay by bank transfer",
        },
        {
            content: "a gentle hint to use a link instead",
            trigger: ".o_inbox_composer_payment_hint:contains('a payment link keeps the payment tracked')",
        },
        {
            content: "nothing is blocked",
            trigger: ".o_inbox_composer_send:enabled",
        },
        {
            content: "Start again with a sentence of one's own",
            trigger: ".o_inbox_composer_body",
            run: "edit Here is your invoice:",
        },
        {
            content: "The person panel: what Wanda has to pay, with its payment link",
            trigger: ".o_inbox_payment_due:contains('to pay') .o_inbox_payment_link",
            run: "click",
        },
        {
            content: "the link is in the composer, after what was typed, for review",
            trigger: ".o_inbox_composer_body:value(/portal_pay$/)",
            run() {
                const link = /^Here is your invoice: Invoice \S+, .+: http\S+\/my\/invoices\/\d+\?\S*payment_token=\S+#portal_pay$/;
                if (!link.test(this.anchor.value)) {
                    throw new Error(`not the invoice's payment link: ${this.anchor.value}`);
                }
            },
        },
        {
            content: "Send it",
            trigger: ".o_inbox_composer_send",
            run: "click",
        },
        {
            content: "the message with its link is in the thread",
            trigger: ".o-mail-Message:contains('Here is your invoice') a[href*='/my/invoices/']",
        },
    ],
});
