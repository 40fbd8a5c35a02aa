"""Do-not-disturb was one column per channel on res_partner; it is a consent
line per person and channel now (inbox.consent)."""
from odoo.tools import SQL, sql

OLD_COLUMNS = {"email": "inbox_dnd_email", "sms": "inbox_dnd_sms", "whatsapp": "inbox_dnd_whatsapp"}


def migrate(cr, version):
    for channel, column in OLD_COLUMNS.items():
        if not sql.column_exists(cr, "res_partner", column):
            continue
        cr.execute(SQL("""
            INSERT INTO inbox_consent (partner_id, channel, dnd, opted_out, create_uid, create_date, write_uid,
                                       write_date)
                 SELECT id, %(channel)s, TRUE, FALSE, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
                   FROM res_partner WHERE %(column)s
            ON CONFLICT (partner_id, channel) DO UPDATE SET dnd = TRUE
        """, channel=channel, column=SQL.identifier(column)))
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(column)))
