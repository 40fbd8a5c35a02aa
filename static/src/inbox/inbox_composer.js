import { Component, onWillStart, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { getDataURLFromFile } from "@web/core/utils/urls";
import { INBOX_CHANNELS } from "@unified_inbox/core/common/message_patch";

const SMS_SEGMENT = 160;

/** Write to the person on one channel; unusable channels say why. */
export class InboxComposer extends Component {
    static template = "unified_inbox.InboxComposer";
    static props = {
        conversation: Object,
        onSent: Function,
        // every sender account the user can see: { id, name, address }
        senders: { type: Array, optional: true },
    };
    static defaultProps = { senders: [] };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.channels = INBOX_CHANNELS;
        this.fileInput = useRef("fileInput");
        const channel = this.firstAvailable();
        this.state = useState({
            channel,
            senderId: this.defaultSenderId(channel),
            body: "",
            subject: "",
            sending: false,
            uploading: false,
            templates: [],
            templateId: "",
            // uploaded, not yet sent: { id, name }
            attachments: [],
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

    /** The accounts the user may send from on the chosen channel. */
    get channelSenders() {
        const usable = this.availability[this.state.channel]?.sender_ids || [];
        return usable.map(
            (id) => this.props.senders.find((sender) => sender.id === id) || { id, name: `#${id}`, address: "" }
        );
    }

    defaultSenderId(channel) {
        return this.props.conversation.channel_availability?.[channel]?.sender_ids?.[0] || false;
    }

    get maxAttachmentSize() {
        return this.availability[this.state.channel]?.attachment_max_size || 0;
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
            this.state.senderId = this.defaultSenderId(channel);
            this.state.templateId = "";
        }
    }

    onSenderChange(ev) {
        this.state.senderId = parseInt(ev.target.value) || false;
    }

    attach() {
        this.fileInput.el.click();
    }

    async onFilesChosen(ev) {
        const files = [...ev.target.files];
        ev.target.value = "";
        const maxSize = this.maxAttachmentSize;
        const tooLarge = files.filter((file) => file.size > maxSize);
        for (const file of tooLarge) {
            this.notification.add(
                _t("%(name)s is larger than %(size)s MB.", { name: file.name, size: maxSize >> 20 }),
                { type: "danger" }
            );
        }
        const accepted = files.filter((file) => file.size <= maxSize);
        if (!accepted.length) {
            return;
        }
        this.state.uploading = true;
        try {
            const values = await Promise.all(
                accepted.map(async (file) => ({
                    name: file.name,
                    mimetype: file.type || "application/octet-stream",
                    datas: (await getDataURLFromFile(file)).split(",")[1],
                    res_model: "inbox.conversation",
                    res_id: this.props.conversation.id,
                }))
            );
            const ids = await this.orm.create("ir.attachment", values);
            this.state.attachments.push(...ids.map((id, index) => ({ id, name: values[index].name })));
        } finally {
            this.state.uploading = false;
        }
    }

    async removeAttachment(attachment) {
        this.state.attachments = this.state.attachments.filter((item) => item.id !== attachment.id);
        await this.orm.unlink("ir.attachment", [attachment.id]);
    }

    onKeydown(ev) {
        if (ev.key === "Enter" && !ev.shiftKey) {
            ev.preventDefault();
            this.send();
        }
    }

    async send() {
        const attachments = this.maxAttachmentSize ? this.state.attachments : [];
        if (this.state.sending || this.state.uploading || (!this.state.body.trim() && !attachments.length)) {
            return;
        }
        this.state.sending = true;
        try {
            await this.orm.call(
                "inbox.conversation",
                "message_inbox_send",
                [[this.props.conversation.id], this.state.channel, this.state.body],
                {
                    subject: this.state.channel === "email" ? this.state.subject : null,
                    sender_id: this.state.channel === "note" ? null : this.state.senderId || null,
                    attachment_ids: attachments.map((attachment) => attachment.id),
                }
            );
            Object.assign(this.state, { body: "", subject: "", templateId: "" });
            this.state.attachments = this.state.attachments.filter((item) => !attachments.includes(item));
            await this.props.onSent();
        } finally {
            this.state.sending = false;
        }
    }
}
