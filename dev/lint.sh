#!/usr/bin/env bash
# Lint the addon: ruff (ruff.toml) on every Python file, then pylint-odoo's
# mandatory checks (.pylintrc-mandatory, as OCA repositories run them) on the
# addon's Python files. Both run, whatever the first finds; any finding fails,
# and the last line says which linter found what.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ENV_FILE=$("$HERE/setup.sh")
# shellcheck source=/dev/null
. "$ENV_FILE"

# The linters, installed on demand in the project's virtualenv; pylint and
# astroid pinned with pylint-odoo so that a finding does not come and go with
# their releases. Changing a pin here reinstalls them.
LINTERS=(ruff==0.8.6 pylint-odoo==10.0.12 pylint==4.0.10 astroid==4.0.4)
stamp="$VENV/.linters-$(printf '%s\n' "${LINTERS[@]}" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "[lint] installing ${LINTERS[*]} into the virtualenv" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check "${LINTERS[@]}" 2> >(grep -v "^WARNING: Location" >&2) \
        || { echo "lint: FAILED: could not install ${LINTERS[*]}" >&2; exit 1; }
    touch "$stamp"
fi

ADDON_DIR=$(cd "$HERE/.." && pwd)
cd "$ADDON_DIR"
failed=()

echo "[lint] ruff"
"$VENV/bin/ruff" check . || failed+=("ruff")

# pylint-odoo looks for an addon's manifest from each file up to the root of
# its git repository, the root excluded: with the addon at the repository's
# root, its checks that need the manifest (odoo-addons-relative-import,
# consider-merging-classes-inherited) would never run, and the addon would be
# named after the clone's folder. So it reads a copy of the addon in a folder
# named unified_inbox, out of git (paths in its report are the repository's).
echo "[lint] pylint-odoo (mandatory checks)"
COPY=$(mktemp -d)
trap 'rm -rf "$COPY"' EXIT
mkdir "$COPY/unified_inbox"
tar -C "$ADDON_DIR" --exclude=./.git --exclude=./.dev --exclude=./build --exclude=./.ruff_cache \
    --exclude=__pycache__ --exclude=node_modules -cf - . | tar -C "$COPY/unified_inbox" -xf -
cd "$COPY/unified_inbox"
# the addon's Python files: not dev/ (the repository's tooling, not shipped)
mapfile -t PY_FILES < <(find . \( -path ./dev -o -name __pycache__ \) -prune -o -name '*.py' -print | sed 's|^\./||' | sort)
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory "${PY_FILES[@]}" || failed+=("pylint-odoo")
cd "$ADDON_DIR"

if [ ${#failed[@]} -gt 0 ]; then
    echo "lint: FAILED: ${failed[*]} found problems (listed above)"
    exit 1
fi
echo "lint: ruff and pylint-odoo found no problem"
