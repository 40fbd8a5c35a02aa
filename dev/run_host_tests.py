#!/usr/bin/env python3
"""Run Odoo's own tests of the modules unified_inbox touches, with the addon
installed, and check that the addon uninstalls cleanly; print a plain summary.

A good guest changes nothing its host's tests can see. This creates a fresh
database, installs the addon together with crm, sms, phone_validation,
calendar, im_livechat and Odoo's mail test modules (test_mail, test_mail_sms), runs
their tests (never the addon's own: the tags name the host modules only),
then uninstalls the addon from the same database. Fails on any failed
test, on any ERROR or CRITICAL log line, and on an uninstall that logs a
warning or an error or leaves a table, column or index of the addon.

No demo data, for the modules (Odoo 19's default) nor for the addon: the
host suites are measured on databases without demo data, and the addon's
demo (people, conversations, opportunities, messages) would change what
their tests count and find.

Without the addon (HOST_WITHOUT_ADDON=1) it runs the same suites alone: the
baseline to compare with.

Usage: dev/run_host_tests.py [extra odoo args, e.g. --http-port=8291]
       HOST_DB (default unified_inbox_host) names the database.
"""
import os
import subprocess
import sys
import time

from run_tests import LOG_LINE, ODOO, fresh_database, run, summarize, test_args

DB = os.environ.get("HOST_DB", "unified_inbox_host")
HOST_MODULES = ["crm", "sms", "phone_validation", "calendar", "im_livechat", "test_mail", "test_mail_sms"]
ADDON = "unified_inbox"

# Uninstall from Odoo's shell, then say what the addon left in the schema.
UNINSTALL = f"""
env["ir.module.module"].search([("name", "=", "{ADDON}")]).button_immediate_uninstall()
env.cr.execute("SELECT state FROM ir_module_module WHERE name = '{ADDON}'")
print("[host] module state:", env.cr.fetchone()[0])
env.cr.execute(r'''
    SELECT 'table ' || table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND (table_name LIKE 'inbox\\_%' OR table_name LIKE '%\\_inbox\\_%')
     UNION ALL
    SELECT 'column ' || table_name || '.' || column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND column_name LIKE 'inbox\\_%'
     UNION ALL
    SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE '%inbox\\_%'
''')
for (leftover,) in env.cr.fetchall():
    print("[host] left behind:", leftover)
"""


def uninstall(env, errors):
    """Uninstall the addon in Odoo's shell; add what went wrong to ``errors``."""
    command = [*ODOO, "shell", "-d", DB, "--http-interface=127.0.0.1", "--workers=0", "--max-cron-threads=0",
               "--log-level=info"]
    proc = subprocess.run(command, input=UNINSTALL, env=env, capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    sys.stdout.write(output)
    for line in output.splitlines():
        match = LOG_LINE.match(line)
        if match and match["level"] in ("WARNING", "ERROR", "CRITICAL"):
            errors.append(f"uninstall: {line}")
        elif line.startswith(("[host] left behind:", "Traceback")):
            errors.append(f"uninstall: {line}")
    if "[host] module state: uninstalled" not in output:
        errors.append(f"uninstall: {ADDON} is not uninstalled (shell exited with status {proc.returncode})")


def main():
    extra = sys.argv[1:]
    with_addon = not os.environ.get("HOST_WITHOUT_ADDON")
    modules = [*HOST_MODULES, *([ADDON] if with_addon else [])]
    tags = ",".join(f"/{module}" for module in HOST_MODULES)
    env = dict(os.environ, WITH_BROWSER="1")
    started = time.monotonic()
    fresh_database(DB, env)
    errors, results, hoot_suites = [], [], []
    print(f"[host] {', '.join(modules)} on a fresh database {DB}, tests {tags}\n", flush=True)
    # its own HTTP port: it may run next to dev/run_tests.py (8079)
    returncode = run([*ODOO, *test_args(DB, http_port=8078), "-i", ",".join(modules), f"--test-tags={tags}", *extra],
                     env, errors, results, hoot_suites)
    tests_done = time.monotonic()
    if with_addon and not returncode:
        print(f"\n[host] uninstalling {ADDON}\n", flush=True)
        uninstall(env, errors)
    print(f"\n[host] tests {tests_done - started:.0f} s, uninstall {time.monotonic() - tests_done:.0f} s")
    return 1 if summarize(errors, returncode, results, hoot_suites)[1] else 0


if __name__ == "__main__":
    sys.exit(main())
