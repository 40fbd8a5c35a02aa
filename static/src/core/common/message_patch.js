import { Message } from "@mail/core/common/message";
import { deserializeDateTime, toLocaleDateTimeString } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { inboxChannel } from "./inbox_channels";
import { InboxRescheduleDialog } from "./reschedule_dialog";

export const INBOX_STATUSES = {
    queued: { label: _t("Queued"), icon: "fa-clock-o", class: "text-muted" },
    sent: { label: _t("Sent"), icon: "fa-check", class: "text-muted" },
    delivered: { label: _t("Delivered"), icon: "fa-check-circle", class: "text-success" },
    read: { label: _t("Read"), icon: "fa-eye", class: "text-primary" },
    failed: { label: _t("Failed"), icon: "fa-exclamation-triangle", class: "text-danger" },
    canceled: { label: _t("Canceled"), icon: "fa-ban", class: "text-muted" },
    unknown: { label: _t("Outcome unknown"), icon: "fa-question-circle", class: "text-warning" },
    received: { label: _t("Received"), icon: "fa-arrow-down", class: "text-muted" },
};

// the form a card's View opens, where the model has one made for the Inbox
const CARD_FORM_VIEWS = {
    "calendar.event": "unified_inbox.calendar_event_view_form_inbox",
};

const CARD_ICONS = {
    opportunity: "fa-star",
    appointment: "fa-calendar",
    invoice: "fa-file-text-o",
    consent: "fa-bell-slash-o",
    record: "fa-bookmark-o",
};

export const CALL_STATUSES = {
    queued: { label: _t("Calling…"), icon: "fa-phone", class: "text-muted" },
    ringing: { label: _t("Ringing"), icon: "fa-bell-o", class: "text-muted" },
    in_progress: { label: _t("In progress"), icon: "fa-phone", class: "text-success" },
    completed: { label: _t("Completed"), icon: "fa-check", class: "text-success" },
    busy: { label: _t("Busy"), icon: "fa-minus-circle", class: "text-warning" },
    no_answer: { label: _t("No answer"), icon: "fa-phone", class: "text-danger" },
    failed: { label: _t("Failed"), icon: "fa-exclamation-triangle", class: "text-danger" },
    canceled: { label: _t("Canceled"), icon: "fa-ban", class: "text-muted" },
};

patch(Message.prototype, {
    /** A call's entry: { status, duration, user, recording, recording_id }, else null. */
    get inboxCall() {
        return this.message.inbox_call || null;
    },
    /** Missed: an inbound call nobody answered. */
    get inboxCallMissed() {
        const status = this.inboxCall?.status;
        return this.message.inbox_direction === "inbound" && !["ringing", "in_progress", "completed"].includes(status);
    },
    get inboxCallStatus() {
        const status = this.inboxCall?.status || "queued";
        return this.inboxCallMissed
            ? { label: _t("Missed"), icon: "fa-phone", class: "text-danger" }
            : CALL_STATUSES[status];
    },
    /** "2:05" */
    get inboxCallDuration() {
        const seconds = this.inboxCall?.duration || 0;
        return seconds ? `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` : "";
    },
    /** An activity card: something that happened to a record of the person. */
    get inboxCard() {
        return this.message.inbox_card || null;
    },
    get inboxCardIcon() {
        return CARD_ICONS[this.inboxCard?.kind] || CARD_ICONS.record;
    },
    /** What the card says, its times in the reader's time zone (the card
     * keeps them as UTC data: it is stored once for every reader). */
    get inboxCardTitle() {
        const parts = this.inboxCard?.title_parts;
        if (!parts) {
            return this.inboxCard?.title || "";
        }
        return parts
            .map((part) =>
                typeof part === "string" ? part : toLocaleDateTimeString(deserializeDateTime(part.datetime))
            )
            .join("");
    },
    async onClickInboxCardView() {
        const card = this.inboxCard;
        // a record deleted since the card was posted: say so, not an error
        const exists = await this.env.services.orm.call("mail.message", "inbox_card_exists", [[this.message.id]]);
        if (!exists) {
            this.env.services.notification.add(
                card.kind === "appointment"
                    ? _t("This appointment no longer exists: it was canceled or deleted.")
                    : _t("This record no longer exists: it was deleted."),
                { type: "warning" }
            );
            this.message.inbox_card = { ...card, res_id: false };
            return;
        }
        // over the Inbox, which stays where it is
        this.env.services.action.doAction({
            type: "ir.actions.act_window",
            name: this.inboxCardTitle,
            res_model: this.inboxCard.model,
            res_id: this.inboxCard.res_id,
            views: [[false, "form"]],
            target: "new",
            context: { form_view_ref: CARD_FORM_VIEWS[this.inboxCard.model] },
        });
    },
    get inboxChannel() {
        return inboxChannel(this.message.inbox_channel);
    },
    get inboxStatus() {
        return INBOX_STATUSES[this.message.inbox_status];
    },
    /** When a queued message waits for its scheduled time: that time, for the user. */
    get inboxScheduledFor() {
        const when = this.message.inbox_scheduled_date;
        if (this.message.inbox_status !== "queued" || !when || when <= luxon.DateTime.now()) {
            return "";
        }
        return when.toLocaleString(luxon.DateTime.DATETIME_MED);
    },
    /** In the Inbox, what the team writes (to the person or as a note). */
    get isInboxTeamSide() {
        return Boolean(this.env.inInbox && this.message.inbox_channel && this.message.inbox_direction !== "inbound");
    },
    get isAlignedRight() {
        return this.isInboxTeamSide || super.isAlignedRight;
    },
    get attClass() {
        // the Inbox reads as a chat: the team on the right, the person on the left
        return { ...super.attClass, "o-inbox-teamSide": this.isInboxTeamSide };
    },
    async onClickInboxCancel() {
        await this.env.services.orm.call("mail.message", "action_inbox_cancel", [[this.message.id]]);
        this.message.inbox_status = "canceled";
    },
    onClickInboxReschedule() {
        this.env.services.dialog.add(InboxRescheduleDialog, { message: this.message });
    },
    async onClickInboxRetry() {
        await this.env.services.orm.call("mail.message", "action_inbox_retry", [[this.message.id]]);
        this.message.inbox_status = "queued";
        this.message.inbox_error = false;
    },
});
