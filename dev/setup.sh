#!/usr/bin/env bash
# Prepare everything unified_inbox needs to run, idempotently, with caches
# outside the clone:
#   - Odoo 19.0 Community (Debian's odoo-19 package, or $ODOO_SRC),
#   - a virtualenv with dev/requirements.txt,
#   - a PostgreSQL server that answers (the one already running, else a
#     private cluster under the cache),
#   - Chromium for browser tests (only with --with-browser).
# It ends by writing an env.sh for this clone and printing its path.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ADDON_DIR=$(cd "$HERE/.." && pwd)
CACHE=${UNIFIED_INBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unified_inbox}
ODOO_DEB_VERSION=${ODOO_DEB_VERSION:-19.0.0+dfsg-1}
WITH_BROWSER=0
[ "${1:-}" = "--with-browser" ] && WITH_BROWSER=1

log() { printf '[setup] %s\n' "$*" >&2; }
mkdir -p "$CACHE"

# --------------------------------------------------------------- apt helpers
# A private apt state: the machine's own Debian mirror (read from its apt
# configuration, never written in this repository) with the suites we need,
# so that the machine's own sources and lists stay untouched.
APT_DIR="$CACHE/apt"
apt_mirror() {
    local uri
    uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
    if [ -z "$uri" ]; then
        uri=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | grep -v -- '-security' | sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}' | head -n1 || true)
    fi
    [ -n "$uri" ] || { log "no Debian mirror found in the machine's apt configuration"; exit 1; }
    echo "$uri"
}
apt_stable_suite() {
    local suite
    suite=$(grep -hsE '^Suites:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | head -n1 || true)
    [ -n "$suite" ] || suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    echo "$suite"
}
APT_OPTS=()
apt_prepare() {
    [ ${#APT_OPTS[@]} -gt 0 ] && return 0
    mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs"
    local mirror suite keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    mirror=$(apt_mirror)
    suite=$(apt_stable_suite)
    cat > "$APT_DIR/sources.list" <<EOF
deb [signed-by=$keyring] $mirror sid main
deb [signed-by=$keyring] $mirror $suite main
EOF
    APT_OPTS=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
              -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache"
              -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
    log "updating the private apt lists ($suite + sid)"
    apt-get "${APT_OPTS[@]}" -qq update >/dev/null
}
# apt_fetch PACKAGE SUITE...: download PACKAGE from the first SUITE that has
# it into its own folder under $APT_DIR/debs; print the .deb's path.
# Call apt_prepare first.
apt_fetch() {
    local pkg=$1 suite dir="$APT_DIR/debs/$1"
    shift
    rm -rf "$dir" && mkdir -p "$dir"
    for suite in "$@"; do
        if (cd "$dir" && apt-get "${APT_OPTS[@]}" -qq download "$pkg/$suite" >/dev/null 2>&1); then
            ls "$dir"/*.deb
            return 0
        fi
    done
    log "cannot download $pkg from $*"
    return 1
}

# -------------------------------------------------------------------- Odoo
odoo_from_debian() {
    local prefix="$CACHE/odoo-$ODOO_DEB_VERSION"
    if [ ! -f "$prefix/.complete" ]; then
        log "fetching Odoo $ODOO_DEB_VERSION from Debian (first run only)"
        rm -rf "$prefix" && mkdir -p "$prefix"
        apt_prepare
        local deb
        deb=$(apt_fetch odoo-19 sid)
        dpkg -x "$deb" "$prefix"
        grep -q "Version: $ODOO_DEB_VERSION\$" <(dpkg-deb -f "$APT_DIR/debs/odoo-19/"*.deb) \
            || log "warning: sid now carries $(dpkg-deb -f "$APT_DIR/debs/odoo-19/"*.deb Version)"
        # The package links static files into these packages' trees: unpack
        # them into the same prefix so that the relative links resolve. The
        # file layout Odoo expects is the stable suite's (Font Awesome 4.7,
        # Inconsolata under truetype/); sid only for what stable lacks.
        local pkg stable
        stable=$(apt_stable_suite)
        for pkg in libjs-jquery libjs-underscore libjs-jquery-form fonts-font-awesome \
                   fonts-roboto-unhinted fonts-montserrat fonts-inconsolata fonts-ocr-b; do
            deb=$(apt_fetch "$pkg" "$stable" sid)
            dpkg -x "$deb" "$prefix"
        done
        local odoo_root="$prefix/usr/lib/python3/dist-packages"
        # Debian strips this non-free file; the mail asset bundle still names it.
        local selfie="$odoo_root/odoo/addons/mail/static/lib/selfie_segmentation/selfie_segmentation.js"
        mkdir -p "$(dirname "$selfie")" && : > "$selfie"
        local broken
        broken=$(find "$odoo_root" -xtype l | head -n5)
        [ -z "$broken" ] || { log "unresolved links in the Odoo tree: $broken"; exit 1; }
        touch "$prefix/.complete"
    fi
}

if [ -n "${ODOO_SRC:-}" ]; then
    ODOO_ROOT=$(cd "$ODOO_SRC" && pwd)
    [ -f "$ODOO_ROOT/odoo/release.py" ] || { log "ODOO_SRC=$ODOO_SRC is not an Odoo source tree"; exit 1; }
    grep -q "version_info = (19, 0" "$ODOO_ROOT/odoo/release.py" \
        || log "warning: ODOO_SRC does not look like Odoo 19.0"
else
    odoo_from_debian
    ODOO_ROOT="$CACHE/odoo-$ODOO_DEB_VERSION/usr/lib/python3/dist-packages"
fi
ODOO_ADDONS="$ODOO_ROOT/odoo/addons"
[ -d "$ODOO_ROOT/addons" ] && ODOO_ADDONS="$ODOO_ROOT/addons,$ODOO_ADDONS"

# -------------------------------------------------------------- virtualenv
PY=${PYTHON:-python3}
req_hash=$(cat "$HERE/requirements.txt" | sha1sum | cut -c1-12)
pyver=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV="$CACHE/venv-py$pyver-$req_hash"
if [ ! -f "$VENV/.complete" ]; then
    log "creating the virtualenv $VENV (first run only)"
    rm -rf "$VENV"
    $PY -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" 2>&1 \
        | grep -v "^WARNING: Location" >&2 || true
    "$VENV/bin/python" -c "import psycopg2, lxml, phonenumbers, websocket, werkzeug" \
        || { log "virtualenv is incomplete"; exit 1; }
    touch "$VENV/.complete"
fi

# -------------------------------------------------------------- PostgreSQL
pg_answers() { "$VENV/bin/python" - "$@" <<'EOF'
import sys, psycopg2
host, port, user = sys.argv[1:4]
try:
    psycopg2.connect(host=host, port=int(port), user=user, dbname="postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
EOF
}
PGHOST_=${PGHOST:-127.0.0.1}
PGPORT_=${PGPORT:-5432}
PGUSER_=""
for candidate in ${PGUSER:-} "$(id -un)" postgres; do
    if pg_answers "$PGHOST_" "$PGPORT_" "$candidate"; then PGUSER_=$candidate; break; fi
done
if [ -z "$PGUSER_" ]; then
    # No server answers: run a private cluster under the cache.
    PGDATA_="$CACHE/pgdata"
    PGHOST_="$CACHE/pgsock"
    PGPORT_=54329
    PGUSER_=$(id -un)
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        log "installing PostgreSQL from Debian"
        apt-get -qq update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y postgresql >/dev/null
    fi
    PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
    RUN_AS=()
    [ "$(id -u)" = 0 ] && { RUN_AS=(runuser -u postgres --); PGUSER_=postgres; }
    mkdir -p "$PGHOST_"
    [ "$(id -u)" = 0 ] && chown postgres "$CACHE" "$PGHOST_"
    if [ ! -f "$PGDATA_/PG_VERSION" ]; then
        mkdir -p "$PGDATA_"; [ "$(id -u)" = 0 ] && chown postgres "$PGDATA_"
        "${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDATA_" -A trust -U "$PGUSER_" >/dev/null
    fi
    if ! pg_answers "$PGHOST_" "$PGPORT_" "$PGUSER_"; then
        log "starting a private PostgreSQL cluster in $PGDATA_"
        "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_" -l "$PGDATA_/server.log" -w \
            -o "-k $PGHOST_ -p $PGPORT_ -c listen_addresses=''" start >/dev/null
    fi
fi

# ---------------------------------------------------------------- Chromium
CHROME=""
if [ $WITH_BROWSER = 1 ]; then
    CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
    if [ -z "$CHROME" ]; then
        log "installing Chromium from Debian (first run only)"
        apt-get -qq update >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends chromium fonts-liberation >/dev/null
        CHROME=$(command -v chromium)
    fi
fi

# ------------------------------------------------- the addon under its name
# Odoo finds addons by folder name: link the clone, whatever it is called.
LINKS="$CACHE/addons-$(echo "$ADDON_DIR" | sha1sum | cut -c1-12)"
mkdir -p "$LINKS"
ln -sfn "$ADDON_DIR" "$LINKS/unified_inbox"

cat > "$LINKS/env.sh" <<EOF
ODOO_ROOT='$ODOO_ROOT'
ODOO_ADDONS='$ODOO_ADDONS,$LINKS'
VENV='$VENV'
DB_HOST='$PGHOST_'
DB_PORT='$PGPORT_'
DB_USER='$PGUSER_'
CHROME='$CHROME'
EOF
log "ready: Odoo in $ODOO_ROOT, PostgreSQL $PGUSER_@$PGHOST_:$PGPORT_"
echo "$LINKS/env.sh"
