import { mailModels } from "@mail/../tests/mail_test_helpers";
import { defineModels } from "@web/../tests/web_test_helpers";
import { MailMessage } from "./mock_server/mail_message";

export const inboxModels = { ...mailModels, MailMessage };

export function defineInboxModels() {
    return defineModels(inboxModels);
}
