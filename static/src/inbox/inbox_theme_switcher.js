import { Component } from "@odoo/owl";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { THEMES } from "./inbox_themes";

/** Choose the Inbox's colour theme; the choice is kept in this browser. */
export class InboxThemeSwitcher extends Component {
    static template = "unified_inbox.InboxThemeSwitcher";
    static components = { Dropdown, DropdownItem };
    static props = { theme: String, onChange: Function };

    setup() {
        this.themes = THEMES;
    }
}
