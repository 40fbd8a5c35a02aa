import { describe, expect, test } from "@odoo/hoot";
import { browser } from "@web/core/browser/browser";
import { loadTheme, saveTheme, STORAGE_KEY, TEXT_ON, THEMES, themeStyle } from "@unified_inbox/inbox/inbox_themes";

describe.current.tags("desktop");

/** WCAG 2.x relative luminance of "#rrggbb". */
function luminance(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => {
        const channel = parseInt(hex.slice(i, i + 2), 16) / 255;
        return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(foreground, background) {
    const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
}

test("the contrast computed as WCAG defines it", () => {
    expect(contrast("#000000", "#ffffff")).toBe(21);
    expect(contrast("#ffffff", "#ffffff")).toBe(1);
    // WCAG's own example of the AA threshold: #767676 on white is 4.54:1
    expect(Math.round(contrast("#767676", "#ffffff") * 100) / 100).toBe(4.54);
});

test("four themes, every text of each with WCAG AA contrast on what it is read on", () => {
    expect(THEMES.map((theme) => theme.key)).toEqual(["default", "sky", "gray", "coral"]);
    const failures = [];
    for (const theme of THEMES) {
        for (const [text, backgrounds] of Object.entries(TEXT_ON)) {
            for (const background of backgrounds) {
                const ratio = contrast(theme.colors[text], theme.colors[background]);
                if (ratio < 4.5) {
                    failures.push(`${theme.key}: ${text} on ${background} is ${ratio.toFixed(2)}:1`);
                }
            }
        }
    }
    expect(failures).toEqual([]);
});

test("the choice is kept in the browser, an unknown one falls back to the default", () => {
    expect(loadTheme().key).toBe("default");
    expect(saveTheme("coral").key).toBe("coral");
    expect(browser.localStorage.getItem(STORAGE_KEY)).toBe("coral");
    expect(loadTheme().key).toBe("coral");
    browser.localStorage.setItem(STORAGE_KEY, "neon");
    expect(loadTheme().key).toBe("default");
    expect(themeStyle(THEMES[1])).toInclude("--o-inbox-bubble-out: #cfe6ff");
});
