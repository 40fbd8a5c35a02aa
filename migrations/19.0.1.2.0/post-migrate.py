"""The people the Inbox created were marked by a unique res_partner column
(``inbox_identity``, "phone:+32…"); each number, email address and id is an
``inbox.identity`` row now, and the numbers and addresses people wrote
from are rows they are seen at."""
from odoo.addons.unified_inbox import channels
from odoo.tools import SQL, sql

# the person's field holding each kind of identity that Odoo keeps normalized
SOURCES = {channels.PHONE: "phone_sanitized", channels.EMAIL: "email_normalized"}
NOW = SQL("now() AT TIME ZONE 'UTC'")


def migrate(cr, version):
    for kind, source in SOURCES.items():
        holds = SQL("p.active AND p.%s = m.inbox_address", SQL.identifier(source))
        # where they wrote from, while they still hold it: seen there
        cr.execute(SQL("""
            INSERT INTO inbox_identity (partner_id, kind, address, verified, last_seen,
                                        create_uid, create_date, write_uid, write_date)
                 SELECT DISTINCT ON (m.inbox_address) m.author_id, %(kind)s, m.inbox_address, TRUE, m.date,
                        1, %(now)s, 1, %(now)s
                   FROM mail_message m JOIN res_partner p ON p.id = m.author_id AND %(holds)s
                  WHERE m.inbox_direction = 'inbound' AND m.inbox_channel IN %(channels)s
               ORDER BY m.inbox_address, m.date DESC, m.id DESC
            ON CONFLICT DO NOTHING
        """, kind=kind, now=NOW, holds=holds, channels=tuple(channels.keys(identity=kind))))
    if not sql.column_exists(cr, "res_partner", "inbox_identity"):
        return
    # the people it created, at the address it created them for
    cr.execute(SQL("""
        INSERT INTO inbox_identity (partner_id, kind, address, verified, create_uid, create_date, write_uid,
                                    write_date)
             SELECT id, split_part(inbox_identity, ':', 1), substr(inbox_identity, strpos(inbox_identity, ':') + 1),
                    FALSE, 1, %(now)s, 1, %(now)s
               FROM res_partner WHERE inbox_identity IS NOT NULL
        ON CONFLICT DO NOTHING
    """, now=NOW))
    cr.execute("ALTER TABLE res_partner DROP COLUMN inbox_identity")
