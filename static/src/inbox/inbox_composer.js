import { Component, markup, onMounted, onWillStart, useRef, useState } from "@odoo/owl";
import { Wysiwyg } from "@html_editor/wysiwyg";
import { CORE_PLUGINS } from "@html_editor/plugin_sets";
import { ColorPlugin } from "@html_editor/main/font/color_plugin";
import { FeffPlugin } from "@html_editor/main/feff_plugin";
import { HintPlugin } from "@html_editor/main/hint_plugin";
import { LinkPastePlugin } from "@html_editor/main/link/link_paste_plugin";
import { LinkPlugin } from "@html_editor/main/link/link_plugin";
import { ShortCutPlugin } from "@html_editor/core/shortcut_plugin";
import { ToolbarPlugin } from "@html_editor/main/toolbar/toolbar_plugin";
import { _t } from "@web/core/l10n/translation";
import { useBus, useService } from "@web/core/utils/hooks";
import { session } from "@web/session";
import { getDataURLFromFile } from "@web/core/utils/urls";
import { escape } from "@web/core/utils/strings";
import { inboxChannel, writtenChannels } from "@unified_inbox/core/common/inbox_channels";
import { senderLabel } from "./inbox_format";
import { looksLikePaymentDetails } from "./inbox_payment_hint";

// the editing of Odoo's own rich composer, without mentions
const RICH_PLUGINS = [
    ...CORE_PLUGINS,
    ColorPlugin,
    FeffPlugin,
    HintPlugin,
    LinkPastePlugin,
    LinkPlugin,
    ShortCutPlugin,
    ToolbarPlugin,
];

/** A snippet put after a word is a word of its own. */
function spaceBefore(textBefore) {
    return textBefore && !/\s$/.test(textBefore) ? " " : "";
}

/** Plain text as paragraphs of rich text. */
function textToHtml(text) {
    return text
        .split("\n")
        .map((line) => `<p>${escape(line) || "<br>"}</p>`)
        .join("");
}

/** Write to the person on one channel; unusable channels say why. */
export class InboxComposer extends Component {
    static template = "unified_inbox.InboxComposer";
    static components = { Wysiwyg };
    static props = {
        conversation: Object,
        onSent: Function,
        // every sender account the user can see: { id, name, address }
        senders: { type: Array, optional: true },
        // a conversation just started: the user goes on writing in it
        autofocus: { type: Boolean, optional: true },
        // what the composer starts with (a message the Actions queue asks for)
        draft: { type: String, optional: true },
        // text to put at the caret ("insert" events: a payment link of the person panel)
        bus: { type: Object, optional: true },
    };
    static defaultProps = { senders: [] };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        // the channels written on, in the registry's order (see inbox_channels.js)
        this.channels = writtenChannels();
        this.senderLabel = senderLabel;
        this.fileInput = useRef("fileInput");
        const channel = this.firstAvailable();
        this.state = useState({
            channel,
            senderId: this.defaultSenderId(channel),
            body: "",
            // the rich text of email and notes; editorKey makes a new editor when it is replaced
            html: "",
            editorKey: 0,
            subject: "",
            sending: false,
            uploading: false,
            templates: [],
            templateId: "",
            // uploaded, not yet sent: { id, name }
            attachments: [],
            // a local "yyyy-MM-ddTHH:mm" while scheduling, else ""
            scheduling: false,
            scheduledAt: "",
            // an unusable channel tapped: its reason is shown (phones have no hover)
            tappedChannel: "",
            // an email was sent without a subject: the field says so
            subjectMissing: false,
            // ✦ asked the assistant; why no suggestion came, in one line
            suggesting: false,
            suggestError: "",
            // the person's open documents while choosing one to link (null: closed)
            payments: null,
            paymentError: "",
        });
        if (this.props.draft) {
            this.setContent(this.props.draft);
        }
        this.body = useRef("body");
        this.subject = useRef("subject");
        this.templateSelect = useRef("templateSelect");
        // the rich editor is attached once its Wysiwyg is mounted, before this
        onMounted(() => this.props.autofocus && this.focus());
        if (this.props.bus) {
            useBus(this.props.bus, "insert", ({ detail }) => this.insertText(detail));
        }
        // the snippets whose shortcut starts with what follows a "/" before
        // the caret; null when no "/" is being typed
        this.suggestions = useState({ query: null, index: 0, picker: false });
        onWillStart(async () => {
            [this.state.templates, this.snippets] = await Promise.all([
                this.orm.searchRead(
                    "inbox.template",
                    [],
                    ["name", "channel", "whatsapp_template_name", "whatsapp_status"],
                    { order: "name" }
                ),
                this.orm.searchRead("inbox.snippet", [], ["shortcut", "body"], { order: "shortcut" }),
            ]);
        });
    }

    /** The rules of the chosen channel. */
    get current() {
        return inboxChannel(this.state.channel) || {};
    }

    get channelTemplates() {
        return this.state.templates.filter(
            (template) =>
                template.channel === this.state.channel &&
                (!this.templatesOnly || this.isApproved(template)) &&
                !["pending", "rejected", "paused", "disabled"].includes(template.whatsapp_status)
        );
    }

    isApproved(template) {
        return Boolean(template.whatsapp_template_name) && [false, "approved"].includes(template.whatsapp_status);
    }

    /** WhatsApp with its window closed: only an approved template may go. */
    get templatesOnly() {
        const availability = this.availability[this.state.channel];
        return Boolean(availability && !availability.available && availability.templates_only);
    }

    /** The chosen template is sent as approved by the provider: its text cannot change. */
    get chosenApprovedTemplate() {
        const template = this.state.templates.find((item) => item.id === parseInt(this.state.templateId));
        // approved templates are for channels with a reply window (WhatsApp)
        return template && this.current.reply_window && this.isApproved(template) ? template : null;
    }

    get bodyLocked() {
        return this.templatesOnly || Boolean(this.chosenApprovedTemplate);
    }

    get isRich() {
        // email and notes are written as rich text; SMS and WhatsApp as plain text
        return Boolean(this.current.rich_text);
    }

    get wysiwygConfig() {
        return {
            // state.html is only ever set by setHtml (safe HTML) or read back from the editor
            content: markup(this.state.html),
            placeholder: this.current.internal
                ? _t("Write a note for the team… (/ for snippets)")
                : _t("Write an email… (/ for snippets, Ctrl+Enter sends)"),
            Plugins: RICH_PLUGINS,
            classList: ["o_inbox_composer_html"],
            onChange: () => {
                this.state.html = this.editor.getContent();
                this.onInput();
            },
        };
    }

    /** Put the caret where the user writes next: the body, or the choice of
     * a template when only an approved one may go. */
    focus() {
        if (this.templatesOnly) {
            this.templateSelect.el?.focus();
        } else if (this.isRich) {
            this.editor?.shared.selection.focusEditable();
        } else {
            this.body.el?.focus();
        }
    }

    onLoadEditor(editor) {
        this.editor = editor;
    }

    /** Replace what is written by plain text (a reset after sending, what
     * goes along to another channel): in the rich editor, that text escaped.
     * A "<" in it is text, never markup. */
    setContent(text) {
        if (this.isRich) {
            this.setHtml(textToHtml(text));
        } else {
            this.state.body = text;
        }
    }

    /** Replace the rich text by HTML that is safe to show: made here by
     * textToHtml, or sanitized by the server. Never data as it came. */
    setHtml(html) {
        this.state.html = html;
        this.state.editorKey++;
    }

    /** The rich text to send: nothing when only empty paragraphs are left. */
    get richBody() {
        return this.plainText.trim() ? this.state.html : "";
    }

    /** What is written, as plain text, in either editor. */
    get plainText() {
        if (this.isRich) {
            const html = this.editor?.editable ? this.editor.getContent() : this.state.html;
            return new DOMParser().parseFromString(html || "", "text/html").body.innerText.trim();
        }
        return this.state.body;
    }

    async onTemplateChange(ev) {
        this.state.templateId = ev.target.value;
        if (!this.state.templateId) {
            if (this.bodyLocked || this.templatesOnly) {
                this.setContent("");
            }
            return; // "No template": what is written stays
        }
        const { subject, body, body_html } = await this.orm.call(
            "inbox.conversation",
            "inbox_render_template",
            [[this.props.conversation.id], parseInt(this.state.templateId)]
        );
        this.state.subject = subject;
        if (this.isRich) {
            // the server's rich text of the template: its text escaped, then sanitized
            this.setHtml(body_html);
        } else {
            this.setContent(body);
        }
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

    /** Why the chosen channel can no longer be used (the person opted out
     * meanwhile, the window closed...), or "". */
    get blockedReason() {
        const availability = this.availability[this.state.channel];
        if (this.current.internal || !availability || availability.available) {
            return "";
        }
        return this.templatesOnly && this.chosenApprovedTemplate ? "" : availability.reason;
    }

    /** The first channel the person can be written to on, in the registry's
     * order; else the first internal one (a note for the team). */
    firstAvailable() {
        const availability = this.props.conversation.channel_availability || {};
        const channel =
            this.channels.find((channel) => !channel.internal && availability[channel.key]?.available) ||
            this.channels.find((channel) => channel.internal);
        return channel?.key || "";
    }

    /** The channels offered: one that reaches people by an id its provider
     * gave them (Messenger, Instagram) only when this person has one there. */
    get shownChannels() {
        return this.channels.filter(
            (channel) => channel.identity !== "scoped" || this.availability[channel.key]?.reachable
        );
    }

    isSelectable(channel) {
        const availability = this.availability[channel];
        return Boolean(availability?.available || availability?.templates_only);
    }

    /** Characters written on a plain text channel that reaches the person,
     * and the parts (SMS segments) they are split into when it is split. */
    get counter() {
        const { internal, rich_text, segment_length } = this.current;
        if (internal || rich_text || !this.state.channel) {
            return "";
        }
        const length = this.state.body.length;
        return segment_length
            ? `${length} / ${Math.max(1, Math.ceil(length / segment_length))}`
            : `${length}`;
    }

    /** A channel button (or the slot of a disabled one) was tapped: a
     * usable channel is chosen; an unusable one says why, and stays unchosen. */
    tapChannel(channel) {
        if (this.isSelectable(channel)) {
            this.state.tappedChannel = "";
            this.select(channel);
        } else {
            this.state.tappedChannel = channel;
        }
    }

    /** Why the channel tapped last cannot be used, or "". */
    get tappedReason() {
        const channel = this.state.tappedChannel;
        if (!channel || channel === this.state.channel || this.isSelectable(channel)) {
            return ""; // the chosen channel says why already (blockedReason)
        }
        return this.availability[channel]?.reason || "";
    }

    get tappedLabel() {
        return inboxChannel(this.state.tappedChannel)?.label || "";
    }

    onSubjectInput() {
        this.state.subjectMissing = false;
    }

    select(channel) {
        if (this.isSelectable(channel)) {
            const text = this.bodyLocked ? "" : this.plainText;
            const wasRich = this.isRich;
            this.state.channel = channel;
            if (wasRich !== this.isRich || !text) {
                // what is written goes along, as rich or plain text
                this.setContent(text);
            }
            this.state.senderId = this.defaultSenderId(channel);
            this.state.templateId = "";
            // why ✦ gave nothing on the other channel is not said on this one
            this.state.suggestError = "";
        }
    }

    toggleSchedule() {
        this.state.scheduling = !this.state.scheduling;
        if (this.state.scheduling && !this.state.scheduledAt) {
            // tomorrow at nine, a common choice, still editable
            this.state.scheduledAt = luxon.DateTime.local()
                .plus({ days: 1 })
                .set({ hour: 9, minute: 0 })
                .toFormat("yyyy-MM-dd'T'HH:mm");
        }
    }

    /** The scheduled time for the server (UTC), or null to send now. */
    get scheduledDate() {
        if (!this.state.scheduling || this.current.internal || !this.state.scheduledAt) {
            return null;
        }
        return luxon.DateTime.fromISO(this.state.scheduledAt).toUTC().toFormat("yyyy-MM-dd HH:mm:ss");
    }

    get sendLabel() {
        if (this.current.internal) {
            return _t("Add note");
        }
        return this.scheduledDate ? _t("Schedule") : _t("Send");
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

    /** Snippets offered under the body: those matching a "/shortcut" being
     * typed, or all of them when the picker is open. */
    get snippetSuggestions() {
        const { query, picker } = this.suggestions;
        if (query === null && !picker) {
            return [];
        }
        const search = (query || "").toLowerCase();
        return this.snippets.filter((snippet) => snippet.shortcut.startsWith(search)).slice(0, 8);
    }

    /** The text before the caret, to find a "/shortcut" being typed. */
    textBeforeCaret() {
        if (!this.isRich) {
            const el = this.body.el;
            return el ? el.value.slice(0, el.selectionStart) : "";
        }
        const selection = this.editor?.document.getSelection();
        const node = selection?.anchorNode;
        if (!node || node.nodeType !== Node.TEXT_NODE || !this.editor.editable.contains(node)) {
            this.richCaret = null;
            return "";
        }
        this.richCaret = { node, offset: selection.anchorOffset };
        return node.textContent.slice(0, selection.anchorOffset);
    }

    onInput() {
        const match = this.textBeforeCaret().match(/(?:^|\s)\/([\w-]*)$/);
        this.suggestions.query = match ? match[1].toLowerCase() : null;
        this.suggestions.index = 0;
        this.suggestions.picker = false;
    }

    toggleSnippetPicker() {
        this.suggestions.picker = !this.suggestions.picker;
        this.suggestions.query = null;
        this.suggestions.index = 0;
    }

    /** Put the snippet's text in place of the "/shortcut" typed, or at the caret. */
    insertSnippet(snippet) {
        this.insertText(snippet.body);
    }

    /** Put text at the caret, in place of a "/shortcut" being typed; a word of its own. */
    insertText(text) {
        const shortcut = this.suggestions.query;
        Object.assign(this.suggestions, { query: null, picker: false, index: 0 });
        if (this.isRich) {
            if (shortcut !== null && this.richCaret) {
                const { node, offset } = this.richCaret;
                this.editor.shared.selection.setSelection({
                    anchorNode: node,
                    anchorOffset: offset - shortcut.length - 1,
                    focusNode: node,
                    focusOffset: offset,
                });
            } else {
                this.editor.shared.selection.focusEditable();
            }
            const { anchorNode, anchorOffset } = this.editor.shared.selection.getEditableSelection();
            const before =
                anchorNode?.nodeType === Node.TEXT_NODE ? anchorNode.textContent.slice(0, anchorOffset) : "";
            this.editor.shared.dom.insert(spaceBefore(before) + text);
            this.editor.shared.history.addStep();
            return;
        }
        const el = this.body.el;
        const caret = el.selectionStart ?? this.state.body.length;
        const start = shortcut !== null ? caret - shortcut.length - 1 : caret;
        const inserted = spaceBefore(this.state.body.slice(0, start)) + text;
        this.state.body = this.state.body.slice(0, start) + inserted + this.state.body.slice(caret);
        const position = start + inserted.length;
        el.focus();
        // after OWL has written the new value
        Promise.resolve().then(() => el.setSelectionRange(position, position));
    }

    onKeydown(ev) {
        const suggestions = this.snippetSuggestions;
        if (suggestions.length) {
            if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
                ev.preventDefault();
                const step = ev.key === "ArrowDown" ? 1 : suggestions.length - 1;
                this.suggestions.index = (this.suggestions.index + step) % suggestions.length;
                return;
            }
            if ((ev.key === "Enter" || ev.key === "Tab") && !ev.shiftKey) {
                ev.preventDefault();
                this.insertSnippet(suggestions[this.suggestions.index] || suggestions[0]);
                return;
            }
            if (ev.key === "Escape") {
                ev.preventDefault();
                Object.assign(this.suggestions, { query: null, picker: false });
                return;
            }
        }
        // an email is written in paragraphs: Ctrl+Enter sends it
        const sends = this.current.send_with_enter ? !ev.shiftKey : ev.ctrlKey || ev.metaKey;
        if (ev.key === "Enter" && sends) {
            ev.preventDefault();
            this.send();
        }
    }

    /** ✦: the assistant's draft in the composer, for review; never sent by
     * itself. Why there is none is said in one line; what was typed stays. */
    get canSuggest() {
        return Boolean(session.inbox_suggest) && !this.current.internal && !this.templatesOnly;
    }

    async suggest() {
        this.state.suggesting = true;
        this.state.suggestError = "";
        const channel = this.state.channel;
        try {
            const text = await this.orm.call("inbox.conversation", "inbox_suggest_reply", [
                [this.props.conversation.id],
                channel,
            ]);
            if (this.state.channel === channel) {
                this.setContent(text);
                this.focus();
            }
        } catch (error) {
            this.state.suggestError = error.data?.message || _t("No suggestion came.");
        } finally {
            this.state.suggesting = false;
        }
    }

    /** Payment links: where Invoicing or Sales makes them for the user, on
     * what reaches the person (and can still be written). */
    get canLinkPayment() {
        return Boolean(session.inbox_payment_links) && !this.current.internal && !this.bodyLocked;
    }

    /** What is written looks like payment instructions typed by hand: a
     * link is suggested, nothing is blocked. */
    get paymentHint() {
        return this.canLinkPayment && this.state.payments === null && looksLikePaymentDetails(this.plainText);
    }

    /** Show (or hide) what the person still has to pay, to link one. */
    async togglePayments() {
        this.state.paymentError = "";
        if (this.state.payments !== null) {
            this.state.payments = null;
            return;
        }
        const payments = await this.orm.call("inbox.conversation", "inbox_payment_documents", [
            [this.props.conversation.id],
        ]);
        if (payments.length) {
            this.state.payments = payments;
        } else {
            this.state.paymentError = _t("Nothing open to pay for this person.");
        }
    }

    /** The payment link of a document, at the caret, for review. */
    async insertPaymentLink(document) {
        this.state.payments = null;
        try {
            const text = await this.orm.call("inbox.conversation", "inbox_payment_link", [
                [this.props.conversation.id],
                document.model,
                document.id,
            ]);
            this.insertText(text);
        } catch (error) {
            this.state.paymentError = error.data?.message || _t("No payment link could be made.");
        }
    }

    async send() {
        const attachments = this.maxAttachmentSize ? this.state.attachments : [];
        if (
            this.state.sending ||
            this.state.uploading ||
            this.blockedReason ||
            (!this.plainText.trim() && !attachments.length)
        ) {
            return;
        }
        if (this.current.subject && !this.state.subject.trim()) {
            // said next to the field, not by the server in a blocking dialog
            this.state.subjectMissing = true;
            this.subject.el?.focus();
            return;
        }
        this.state.sending = true;
        try {
            await this.orm.call(
                "inbox.conversation",
                "message_inbox_send",
                [[this.props.conversation.id], this.state.channel, this.isRich ? this.richBody : this.state.body],
                {
                    subject: this.current.subject ? this.state.subject : null,
                    sender_id: this.current.internal ? null : this.state.senderId || null,
                    attachment_ids: attachments.map((attachment) => attachment.id),
                    scheduled_date: this.scheduledDate,
                    template_id: this.chosenApprovedTemplate?.id || null,
                }
            );
            Object.assign(this.state, {
                subject: "",
                templateId: "",
                scheduling: false,
                scheduledAt: "",
                suggestError: "",
            });
            this.setContent("");
            this.state.attachments = this.state.attachments.filter((item) => !attachments.includes(item));
            await this.props.onSent();
        } finally {
            this.state.sending = false;
        }
    }
}
