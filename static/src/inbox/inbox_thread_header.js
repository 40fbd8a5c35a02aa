import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { callAvailability, windowedChannels } from "@unified_inbox/core/common/inbox_channels";

/** The open conversation's header: who, its state and assignee, the reply
 * windows of its channels, its labels; attend, assign, label, close. */
export class InboxThreadHeader extends Component {
    static template = "unified_inbox.InboxThreadHeader";
    static props = {
        // the open conversation (see InboxAction.open)
        conversation: Object,
        // the Inbox users one may assign to, and every label
        users: Array,
        labels: Array,
        onBack: Function,
        // (userId or false, { notify })
        onAssign: Function,
        onAssignToMe: Function,
        // (labelId, active)
        onSetLabel: Function,
        onToggleState: Function,
        onCall: Function,
        // (active): the bot answers the person, or not
        onSetBot: Function,
    };

    setup() {
        this.state = useState({ notifyAssignee: false });
    }

    /** The Call button's state (see callAvailability), or null: no button. */
    get call() {
        return callAvailability(this.props.conversation);
    }

    /** Why it cannot be used, or what it does. */
    get callTitle() {
        return this.call?.reason || _t("Call: your phone rings, then theirs");
    }

    /** The assignee: { id, name }, or false. */
    get assignee() {
        return this.props.conversation.user || false;
    }

    /** The labels the conversation does not have yet. */
    get unsetLabels() {
        const set = new Set((this.props.conversation.labels || []).map((label) => label.id));
        return this.props.labels.filter((label) => !set.has(label.id));
    }

    onLabelAdd(ev) {
        const labelId = parseInt(ev.target.value);
        ev.target.value = "";
        if (labelId) {
            this.props.onSetLabel(labelId, true);
        }
    }

    onAssignChange(ev) {
        return this.props.onAssign(parseInt(ev.target.value) || false, { notify: this.state.notifyAssignee });
    }

    /**
     * Per channel with a reply window (WhatsApp's 24 hours) the person can
     * be written to on: whether free text may go, and for how long (the
     * window's end is in the channel's availability).
     */
    get replyWindows() {
        const conversation = this.props.conversation;
        const windows = [];
        for (const channel of windowedChannels()) {
            const availability = conversation.channel_availability?.[channel.key];
            if (!availability?.sender_ids?.length || (channel.identity === "scoped" && !availability.reachable)) {
                // nobody answers there, or the person has no id there
                continue;
            }
            const key = channel.key;
            const icon = channel.icon;
            if (!availability.available && !availability.templates_only) {
                // opted out, do-not-disturb, provider down: whatever the
                // window, nothing can go on the channel now
                windows.push({
                    key, icon, open: false, reason: availability.reason,
                    label: _t("%s unavailable", channel.label),
                });
                continue;
            }
            const now = luxon.DateTime.now();
            const end = availability.window_expiry;
            const expiry = end ? luxon.DateTime.fromSQL(end, { zone: "utc" }) : null;
            if (availability.templates_only || !expiry || expiry <= now) {
                windows.push({ key, icon, open: false, label: _t("%s window closed", channel.label) });
                continue;
            }
            const { hours, minutes } = expiry.diff(now, ["hours", "minutes"]).toObject();
            windows.push({
                key, icon, open: true,
                label: _t("%(channel)s window open: %(hours)sh %(minutes)smin left", {
                    channel: channel.label,
                    hours: Math.floor(hours),
                    minutes: Math.floor(minutes),
                }),
            });
        }
        return windows;
    }
}
