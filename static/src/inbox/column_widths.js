import { onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { user } from "@web/core/user";

/** Widths in pixels of the Inbox's resizable columns, and their bounds. */
export const COLUMNS = {
    list: { default: 340, min: 260, max: 640 },
    details: { default: 280, min: 220, max: 520 },
};

/** The thread keeps at least this width: its header must not run under the
 * details column (same value as $o-inbox-thread-min-width). */
export const THREAD_MIN_WIDTH = 420;

/**
 * How wide ``column`` may grow in the Inbox ``inboxEl`` while the thread
 * keeps its minimum width beside the other columns.
 */
export function roomFor(column, inboxEl) {
    if (!inboxEl) {
        return Infinity;
    }
    let others = 0;
    for (const child of inboxEl.children) {
        if (!child.matches(`.o_inbox_thread, .o_inbox_${column}`)) {
            others += child.offsetWidth;
        }
    }
    return inboxEl.clientWidth - others - THREAD_MIN_WIDTH;
}

function storageKey() {
    return `unified_inbox.column_widths.${user.userId}`;
}

function clamp(column, width, room = Infinity) {
    const { min, max } = COLUMNS[column];
    return Math.round(Math.max(min, Math.min(max, room, width)));
}

function loadWidths() {
    const widths = Object.fromEntries(Object.entries(COLUMNS).map(([key, column]) => [key, column.default]));
    let saved = {};
    try {
        saved = JSON.parse(browser.localStorage.getItem(storageKey()) || "{}");
    } catch {
        // a corrupt entry is replaced at the next resize
    }
    for (const column in widths) {
        if (Number.isFinite(saved[column])) {
            widths[column] = clamp(column, saved[column]);
        }
    }
    return widths;
}

/**
 * Columns resized by dragging the handle on their edge; the widths are kept
 * per user in this browser.
 *
 * @returns {{ widths: Object, startResize: Function, reset: Function }}
 *   ``startResize(column, direction, ev)`` on the handle's pointerdown:
 *   ``direction`` is 1 when the handle is on the column's right edge, -1 on
 *   its left edge.
 */
export function useColumnWidths() {
    const widths = useState(loadWidths());
    let stop = () => {};
    const save = () => browser.localStorage.setItem(storageKey(), JSON.stringify({ ...widths }));

    function startResize(column, direction, ev) {
        ev.preventDefault();
        const startX = ev.clientX;
        const startWidth = widths[column];
        const room = roomFor(column, ev.currentTarget?.closest?.(".o_inbox"));
        const onMove = (moveEv) => {
            widths[column] = clamp(column, startWidth + direction * (moveEv.clientX - startX), room);
        };
        stop = () => {
            browser.removeEventListener("pointermove", onMove);
            browser.removeEventListener("pointerup", stop);
            stop = () => {};
            save();
        };
        browser.addEventListener("pointermove", onMove);
        browser.addEventListener("pointerup", stop);
    }

    function reset(column) {
        widths[column] = COLUMNS[column].default;
        save();
    }

    onWillUnmount(() => stop());
    return { widths, startResize, reset };
}
