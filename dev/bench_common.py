"""What the benchmark scripts share: the project's environment, Odoo, its shell."""
import os
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def load_env():
    env_file = subprocess.run([str(HERE / "setup.sh")], capture_output=True, text=True, check=True).stdout.strip()
    values = {}
    for line in Path(env_file).read_text().splitlines():
        name, _sep, value = line.partition("=")
        values[name] = value.strip("'")
    return values


def use_project_python(script):
    """Re-run ``script`` with the project's virtualenv (psycopg2, requests), on
    the project's PostgreSQL."""
    env = load_env()
    if Path(sys.prefix) != Path(env["VENV"]):
        os.execv(f"{env['VENV']}/bin/python", [f"{env['VENV']}/bin/python", script, *sys.argv[1:]])
    os.environ.update(PGHOST=env["DB_HOST"], PGPORT=env["DB_PORT"], PGUSER=env["DB_USER"])


def odoo(*args, **kwargs):
    return subprocess.run([str(HERE / "odoo.sh"), *args], check=True, **kwargs)


def shell(db, code, **env):
    """Run ``code`` in an Odoo shell on ``db``; return its last output line."""
    result = subprocess.run(
        [str(HERE / "odoo.sh"), "shell", "-d", db, "--no-http", "--log-level=warn"], input=code, text=True,
        capture_output=True, env=dict(os.environ, **env), check=False)
    if result.returncode:
        sys.exit(f"the Odoo shell failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def ensure_database(db):
    """``db`` with the addon (no demo data), in step with this clone's code."""
    import psycopg2  # from the project's virtualenv, once use_project_python ran
    try:
        psycopg2.connect(dbname=db).close()
    except psycopg2.OperationalError:
        print(f"creating {db} (first run only)", flush=True)
        odoo("-d", db, "-i", "unified_inbox", "--stop-after-init", "--log-level=warn")
    else:
        odoo("-d", db, "-u", "unified_inbox", "--stop-after-init", "--log-level=warn")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc):
    """Stop a process started with subprocess.Popen (Odoo, Chromium), whatever it does."""
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until_none(db, count_query, timeout=600, between=None):
    """Poll ``db`` until ``count_query`` counts nothing (calling ``between``,
    if given, at each poll)."""
    import psycopg2  # from the project's virtualenv, once use_project_python ran
    started = time.monotonic()
    with closing(psycopg2.connect(dbname=db)) as cnx:
        cnx.autocommit = True
        cursor = cnx.cursor()
        while True:
            cursor.execute(count_query)
            if not cursor.fetchone()[0]:
                return
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"still not done after {timeout} s: {count_query}")
            if between:
                between()
            time.sleep(0.1)
