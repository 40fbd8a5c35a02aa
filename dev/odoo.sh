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
# Odoo re-executes itself as plain "python" (its websocket process, a
# reload): the virtualenv's must come first on the PATH
export PATH="$VENV/bin:$PATH"
[ -n "$CHROME" ] && export PATH="$(dirname "$CHROME"):$PATH"
# libpq reads these: every Odoo command (server, shell, db, i18n) connects alike
export PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGUSER="$DB_USER"
# EXTRA_ADDONS_PATH, when set, is appended to the addons path (comma-separated)
exec "$VENV/bin/python" "$HERE/odoo-bin" --addons-path="$ODOO_ADDONS${EXTRA_ADDONS_PATH:+,$EXTRA_ADDONS_PATH}" "$@"
