#!/usr/bin/env bash
# Lint the addon with ruff (installed in the project's virtualenv).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ENV_FILE=$("$HERE/setup.sh")
# shellcheck source=/dev/null
. "$ENV_FILE"
[ -x "$VENV/bin/ruff" ] || "$VENV/bin/pip" install -q --disable-pip-version-check "ruff==0.8.6" 2>&1 | grep -v "^WARNING: Location" >&2 || true
cd "$HERE/.."
"$VENV/bin/ruff" check .
echo "lint: ruff found no problem"
