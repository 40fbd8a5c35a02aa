import { Component, onWillStart, useState } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { INBOX_CHANNELS } from "@unified_inbox/core/common/message_patch";

const SMS_SEGMENT = 160;

/** Write to the person on one channel; unusable channels say why. */
export class InboxComposer extends Component {
    static template = "unified_inbox.InboxComposer";
    static props = ["conversation", "onSent"];

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.channels = INBOX_CHANNELS;
        this.state = useState({
            channel: this.firstAvailable(),
            body: "",
            subject: "",
            sending: false,
            templates: [],
            templateId: "",
        });
        onWillStart(async () => {
            this.state.templates = await this.orm.searchRead("inbox.template", [], ["name", "channel"], {
                order: "name",
            });
        });
    }

    get channelTemplates() {
        return this.state.templates.filter((template) => template.channel === this.state.channel);
    }

    async onTemplateChange(ev) {
        this.state.templateId = ev.target.value;
        if (!this.state.templateId) {
            return; // "No template": what is written stays
        }
        const { subject, body } = await this.orm.call(
            "inbox.conversation",
            "inbox_render_template",
            [[this.props.conversation.id], parseInt(this.state.templateId)]
        );
        Object.assign(this.state, { subject, body });
    }

    get availability() {
        return this.props.conversation.channel_availability || {};
    }

    firstAvailable() {
        const availability = this.props.conversation.channel_availability || {};
        return ["whatsapp", "sms", "email"].find((key) => availability[key]?.available) || "note";
    }

    get counter() {
        const length = this.state.body.length;
        if (!["sms", "whatsapp"].includes(this.state.channel)) {
            return "";
        }
        return this.state.channel === "sms"
            ? `${length} / ${Math.max(1, Math.ceil(length / SMS_SEGMENT))}`
            : `${length}`;
    }

    select(channel) {
        if (this.availability[channel]?.available) {
            this.state.channel = channel;
            this.state.templateId = "";
        }
    }

    onKeydown(ev) {
        if (ev.key === "Enter" && !ev.shiftKey) {
            ev.preventDefault();
            this.send();
        }
    }

    async send() {
        if (this.state.sending || !this.state.body.trim()) {
            return;
        }
        this.state.sending = true;
        try {
            await this.orm.call(
                "inbox.conversation",
                "message_inbox_send",
                [[this.props.conversation.id], this.state.channel, this.state.body],
                { subject: this.state.channel === "email" ? this.state.subject : null }
            );
            Object.assign(this.state, { body: "", subject: "", templateId: "" });
            await this.props.onSent();
        } finally {
            this.state.sending = false;
        }
    }
}
