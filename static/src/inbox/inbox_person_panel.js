import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { callAvailability, externalChannels } from "@unified_inbox/core/common/inbox_channels";
import { formatDate } from "./inbox_format";

/** The Inbox's right column: the person of the open conversation, their
 * consent per channel, their opportunities, upcoming appointments and
 * what they still have to pay. */
export class InboxPersonPanel extends Component {
    static template = "unified_inbox.InboxPersonPanel";
    static props = {
        width: Number,
        // the open conversation (its partner: { id, name, phone, email })
        conversation: Object,
        // inbox_details, once loaded (else null)
        details: { type: [Object, { value: null }] },
        // (model, id)
        onOpenRecord: Function,
        // (channel key, { opted_out } or { dnd })
        onSetConsent: Function,
        onCreateOpportunity: Function,
        onLinkOpportunity: Function,
        onBookAppointment: Function,
        onMergePerson: Function,
        onCall: Function,
        // (active): the bot answers the person, or not
        onSetBot: Function,
        // ({ model, id }): the payment link of one of their open documents in the composer
        onPaymentLink: Function,
    };

    /** The Call button's state (see callAvailability), or null: no button. */
    get call() {
        return callAvailability(this.props.conversation);
    }

    get botTitle() {
        return this.props.conversation.bot_active
            ? _t("On: click to take over")
            : _t("Off: click to let the bot answer");
    }

    /** Why it cannot be used, or what it does. */
    get callTitle() {
        return this.call?.reason || _t("Call: your phone rings, then theirs");
    }

    /** The icon of an identity of the ``kind`` (see channels/base.py). */
    identityIcon(kind) {
        return { phone: "fa-phone", email: "fa-envelope-o" }[kind] || "fa-user-circle-o";
    }

    setup() {
        this.formatDate = formatDate;
    }

    /** The channels that reach the person and whose consent is known, in the registry's order. */
    get consentChannels() {
        const consents = this.props.details?.channels || {};
        // a channel of ids a provider gives (Messenger…) only where the person has one
        return externalChannels().filter(
            (channel) => consents[channel.key] && (channel.identity !== "scoped" || consents[channel.key].address)
        );
    }

    /** "SMS and WhatsApp share one opt-out.": channels under one opt-out
     * list (a STOP on one stops the others). */
    get sharedOptOuts() {
        const byList = {};
        for (const channel of this.consentChannels) {
            if (channel.opt_out_list) {
                (byList[channel.opt_out_list] ||= []).push(channel.label);
            }
        }
        return Object.values(byList)
            .filter((labels) => labels.length > 1)
            .map((labels) =>
                _t("%(channels)s and %(last)s share one opt-out.", {
                    channels: labels.slice(0, -1).join(", "),
                    last: labels.at(-1),
                })
            );
    }
}
