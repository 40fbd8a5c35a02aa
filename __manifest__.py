{
    "name": "Unified Inbox",
    "summary": "One conversation per person across WhatsApp, SMS, email and internal notes",
    "version": "19.0.1.2.0",
    "category": "Productivity/Discuss",
    "author": "Unified Inbox developers",
    "website": "https://github.com/unified-inbox/unified_inbox",
    "license": "LGPL-3",
    "depends": ["mail", "crm", "phone_validation", "im_livechat", "base_automation"],
    "data": [
        "security/inbox_security.xml",
        "security/ir.model.access.csv",
        "data/mail_message_subtype_data.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "data/inbox_card_rule_data.xml",
        # the conversation form opens the simulation wizard's action
        "wizards/inbox_simulate_inbound_views.xml",
        "views/inbox_conversation_views.xml",
        "views/inbox_provider_views.xml",
        "views/inbox_sender_views.xml",
        "views/inbox_label_views.xml",
        "views/inbox_template_views.xml",
        "views/inbox_snippet_views.xml",
        "views/inbox_assignment_rule_views.xml",
        "views/inbox_card_rule_views.xml",
        "views/inbox_event_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/calendar_event_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/inbox_compose_views.xml",
        "wizards/inbox_merge_person_views.xml",
        "views/inbox_menus.xml",
    ],
    "demo": [
        "demo/inbox_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "unified_inbox/static/src/core/**/*",
            "unified_inbox/static/src/inbox/**/*",
        ],
        "web.assets_tests": [
            "unified_inbox/static/tests/tours/**/*",
        ],
        "web.assets_unit_tests": [
            "unified_inbox/static/tests/**/*",
            ("remove", "unified_inbox/static/tests/tours/**/*"),
            ("remove", "unified_inbox/static/tests/livechat_tours/**/*"),
        ],
        # the tours of Live Chat's support page (a visitor's)
        "im_livechat.assets_livechat_support_tours": [
            "unified_inbox/static/tests/livechat_tours/**/*",
        ],
    },
    "installable": True,
    "application": True,
}
