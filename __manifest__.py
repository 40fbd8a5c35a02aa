{
    "name": "Unified Inbox",
    "summary": "One conversation per person across WhatsApp, SMS, email and internal notes",
    "version": "19.0.1.0.0",
    "category": "Productivity/Discuss",
    "author": "Unified Inbox developers",
    "website": "https://github.com/unified-inbox/unified_inbox",
    "license": "LGPL-3",
    "depends": ["mail", "crm", "phone_validation"],
    "data": [
        "security/inbox_security.xml",
        "security/ir.model.access.csv",
        "data/mail_message_subtype_data.xml",
        "data/ir_cron_data.xml",
        "views/inbox_conversation_views.xml",
        "views/inbox_provider_views.xml",
        "views/inbox_sender_views.xml",
        "views/inbox_label_views.xml",
        "views/inbox_template_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/inbox_compose_views.xml",
        "wizards/inbox_simulate_inbound_views.xml",
        "views/inbox_menus.xml",
    ],
    "demo": [
        "demo/inbox_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "unified_inbox/static/src/core/**/*",
        ],
        "web.assets_tests": [
            "unified_inbox/static/tests/tours/**/*",
        ],
        "web.assets_unit_tests": [
            "unified_inbox/static/tests/**/*",
            ("remove", "unified_inbox/static/tests/tours/**/*"),
        ],
    },
    "installable": True,
    "application": True,
}
