import { NotificationMessage } from "@mail/core/common/notification_message";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

function formatValue(value) {
    if (value === false || value === null || value === undefined || value === "") {
        return _t("None");
    }
    return typeof value === "boolean" ? _t("Yes") : String(value);
}

patch(NotificationMessage.prototype, {
    /** A change of a tracked field, on one line: "Assignee: None → Marc Demo". */
    get inboxTrackingLines() {
        return this.message.trackingValues.map((tracking) => ({
            id: tracking.id,
            field: tracking.fieldInfo.changedField,
            oldValue: formatValue(tracking.oldValue),
            newValue: formatValue(tracking.newValue),
        }));
    },
});
