import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";

/** The Inbox's colour themes: the colours of its own columns and bubbles.
 * Each text colour is read on the backgrounds it is shown on with WCAG AA
 * contrast at least (4.5:1), checked by inbox_themes.test.js. */
export const THEMES = [
    {
        key: "default",
        label: _t("Default"),
        colors: {
            surface: "#ffffff", text: "#1f2937", muted: "#4b5563", link: "#6b4462",
            accent: "#714b67", onAccent: "#ffffff", selected: "#f3edf2", thread: "#ffffff",
            bubbleIn: "#e6f3f6", bubbleInBorder: "#b9dde6", bubbleOut: "#e6f4ea", bubbleOutBorder: "#b8dfc4",
            bubbleText: "#1f2937",
        },
    },
    {
        key: "sky",
        label: _t("Sky blue"),
        colors: {
            surface: "#f0f7ff", text: "#0f2a44", muted: "#3b5673", link: "#0b5aa6",
            accent: "#0b63b6", onAccent: "#ffffff", selected: "#d9ebff", thread: "#e8f2fc",
            bubbleIn: "#ffffff", bubbleInBorder: "#c5dcf3", bubbleOut: "#cfe6ff", bubbleOutBorder: "#9cc8f5",
            bubbleText: "#0f2a44",
        },
    },
    {
        key: "gray",
        label: _t("Gray"),
        colors: {
            surface: "#f3f4f6", text: "#111827", muted: "#4b5563", link: "#1f2937",
            accent: "#374151", onAccent: "#ffffff", selected: "#e5e7eb", thread: "#e9eaee",
            bubbleIn: "#ffffff", bubbleInBorder: "#d1d5db", bubbleOut: "#d8dbe1", bubbleOutBorder: "#b4b9c2",
            bubbleText: "#111827",
        },
    },
    {
        key: "coral",
        label: _t("Coral and plum"),
        colors: {
            surface: "#fff5f3", text: "#3b0d2c", muted: "#6b3a57", link: "#8e2c5c",
            accent: "#8e2c5c", onAccent: "#ffffff", selected: "#fde2dc", thread: "#fdeeea",
            bubbleIn: "#ffffff", bubbleInBorder: "#f5c9bf", bubbleOut: "#fcd9d0", bubbleOutBorder: "#f2aa99",
            bubbleText: "#3b0d2c",
        },
    },
];

/** Each text colour and the backgrounds it is read on. */
export const TEXT_ON = {
    text: ["surface", "selected", "thread"],
    muted: ["surface", "selected"],
    link: ["surface", "selected"],
    onAccent: ["accent"],
    bubbleText: ["bubbleIn", "bubbleOut"],
};

export const STORAGE_KEY = "unified_inbox.theme";

/** The theme this browser chose (the default one if none or gone). */
export function loadTheme() {
    const key = browser.localStorage.getItem(STORAGE_KEY);
    return THEMES.find((theme) => theme.key === key) || THEMES[0];
}

export function saveTheme(key) {
    browser.localStorage.setItem(STORAGE_KEY, key);
    return loadTheme();
}

/** The theme's colours as the CSS variables inbox_action.scss reads. */
export function themeStyle(theme) {
    return Object.entries(theme.colors)
        .map(([name, value]) => `--o-inbox-${name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}: ${value}`)
        .join("; ");
}
