#!/usr/bin/env bash
# Run Odoo 19 with unified_inbox on its addons path: dev/odoo.sh [odoo args...]
# (the set-up of dev/setup.sh runs first; it is quick once cached).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SETUP_ARGS=()
[ -n "${WITH_BROWSER:-}" ] && SETUP_ARGS=(--with-browser)
ENV_FILE=$("$HERE/setup.sh" "${SETUP_ARGS[@]}")
# shellcheck source=/dev/null
. "$ENV_FILE"
export PYTHONPATH="$ODOO_ROOT${PYTHONPATH:+:$PYTHONPATH}"
[ -n "$CHROME" ] && export PATH="$(dirname "$CHROME"):$PATH"
COMMON=(--addons-path="$ODOO_ADDONS" --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER")
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    # a command (shell, db, ...): its options come right after its name
    exec "$VENV/bin/python" -m odoo "$1" "${COMMON[@]}" "${@:2}"
fi
exec "$VENV/bin/python" -m odoo "$@" "${COMMON[@]}"
