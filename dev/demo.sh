#!/usr/bin/env bash
# Serve Odoo with unified_inbox and its demo data: dev/demo.sh [db] [port]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DB=${1:-unified_inbox_demo}
PORT=${2:-8069}
ENV_FILE=$("$HERE/setup.sh")
# shellcheck source=/dev/null
. "$ENV_FILE"
# the state of the addon and of online payments (for payment links) in the demo database
read -r installed payments < <(PGPASSWORD='' "$VENV/bin/python" - "$DB_HOST" "$DB_PORT" "$DB_USER" "$DB" <<'PY'
import sys, psycopg2
host, port, user, db = sys.argv[1:]
try:
    with psycopg2.connect(host=host, port=int(port), user=user, dbname=db) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT name, state FROM ir_module_module WHERE name IN ('unified_inbox', 'account_payment')")
        states = dict(cr.fetchall())
        print(states.get("unified_inbox") or "-", states.get("account_payment") or "-")
except psycopg2.Error:
    print("- -")
PY
)
ARGS=(-d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$PORT")
if [ "$installed" != "installed" ]; then
    echo "[demo] creating database $DB with the demo data (first run only)"
    "$HERE/odoo.sh" "${ARGS[@]}" -i unified_inbox --with-demo --without-demo=False --stop-after-init \
        --log-level=warn
    "$HERE/odoo.sh" shell -d "$DB" --no-http --log-level=warn <<'PY' >/dev/null
env.ref("base.user_admin").write({"password": "admin"})
env.cr.commit()
PY
else
    # keep the demo in step with the code of this clone
    "$HERE/odoo.sh" "${ARGS[@]}" -u unified_inbox --stop-after-init --log-level=warn
fi
if [ "$payments" != "installed" ]; then
    # not a dependency: the demo shows payment links with Invoicing and Odoo's demo payment provider
    echo "[demo] installing Invoicing with online payments and the demo payment provider (first run only)"
    "$HERE/odoo.sh" "${ARGS[@]}" -i account_payment,payment_demo --stop-after-init --log-level=warn
    "$HERE/odoo.sh" shell -d "$DB" --no-http --log-level=warn < "$HERE/demo_payments.py" >/dev/null
fi
echo "[demo] Unified Inbox is starting on http://127.0.0.1:$PORT/odoo/inbox  (login admin / admin)"
exec "$HERE/odoo.sh" "${ARGS[@]}" --log-level=info
