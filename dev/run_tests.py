#!/usr/bin/env python3
"""Run the whole test suite of unified_inbox and print a plain summary.

Creates a fresh database, installs the addon (with demo data) with tests
enabled, runs its Python tests, browser tours and Hoot unit tests; then
installs Invoicing with online payments, Odoo's demo payment provider and
Sales (none of them a dependency) into the same database and runs the tests
of what the addon does with them (tag inbox_account). Fails on any
failed test and on any ERROR or CRITICAL log line.

Usage: dev/run_tests.py [extra odoo args, e.g. --test-tags /unified_inbox:TestSend]
       (with --test-tags, the second step runs only if ACCOUNT_TAGS is set)
"""
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DB = os.environ.get("TEST_DB", "unified_inbox_test")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) ")
HOOT_PASSED = re.compile(r"\[HOOT\] Passed (?P<count>\d+) tests")
RESULT = re.compile(r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<total>\d+) tests")
DEFAULT_TAGS = "/unified_inbox,-inbox_account,/web:WebSuite.test_unit_desktop[@unified_inbox]"
ACCOUNT_TAGS = "inbox_account"
# the apps the tests tagged inbox_account work with
ACCOUNT_MODULES = "account_payment,payment_demo,sale"


def run(command, env, errors, results, hoot_suites):
    """Run odoo, echoing its output and collecting its errors and results."""
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            sys.stdout.write(line)
            match = LOG_LINE.match(line)
            if match and match["level"] in ("ERROR", "CRITICAL"):
                errors.append(line.rstrip())
            if match and (result := RESULT.search(line)):
                results.append(result)
            if hoot := HOOT_PASSED.search(line):
                hoot_suites.append(int(hoot["count"]))
        return proc.wait()


ODOO = [str(HERE / "odoo.sh")]


def fresh_database(db, env):
    """Drop ``db`` if it is there; the test run creates it anew."""
    subprocess.run([*ODOO, "db", "drop", db], env=env, capture_output=True, check=False)


def test_args(db, http_port=8079):
    """Odoo's arguments for a test run on ``db`` (later arguments win)."""
    return ["-d", db, "--test-enable", "--stop-after-init", "--http-interface=127.0.0.1", f"--http-port={http_port}",
            "--workers=0", "--max-cron-threads=0", "--log-level=test"]


def main():
    extra = sys.argv[1:]
    custom_tags = any(arg.startswith("--test-tags") for arg in extra)
    tags = [] if custom_tags else [f"--test-tags={DEFAULT_TAGS}"]
    account_tags = os.environ.get("ACCOUNT_TAGS") or (None if custom_tags else ACCOUNT_TAGS)
    odoo = ODOO
    env = dict(os.environ, WITH_BROWSER="1")
    fresh_database(DB, env)
    common = test_args(DB)
    errors, results, hoot_suites = [], [], []
    returncode = run([*odoo, *common, "-i", "unified_inbox", "--with-demo", *tags, *extra],
                     env, errors, results, hoot_suites)
    if account_tags and not returncode:
        print(f"\n[run_tests] installing {ACCOUNT_MODULES} into the same database, then their tests of the addon\n")
        # the addon is updated too: Odoo tests the modules it loads anew
        before = len(results)
        returncode = run([*odoo, *common, "-i", ACCOUNT_MODULES, "-u", "unified_inbox", f"--test-tags={account_tags}"],
                         env, errors, results, hoot_suites)
        if not sum(int(result["total"]) for result in results[before:]):
            errors.append(f"no test tagged {account_tags} ran with Invoicing installed")
    return 1 if summarize(errors, returncode, results, hoot_suites)[1] else 0


def summarize(errors, returncode, results, hoot_suites=()):
    """Print the errors and the summary line "N passed, N failed" of a run;
    return ``(passed, failed)``."""
    # Odoo counts a whole Hoot suite as one test: count its tests instead
    total = sum(int(r["total"]) for r in results) + sum(count - 1 for count in hoot_suites)
    failed = sum(int(r["failed"]) + int(r["errors"]) for r in results)
    print()
    if errors:
        print(f"{len(errors)} ERROR log line(s):")
        for line in errors[:50]:
            print("  " + line[:300])
    if returncode:
        print(f"odoo exited with status {returncode}")
    if not total:
        print("no test ran")
    # a failing run with no failed test counted still fails
    if (errors or returncode or not total) and not failed:
        failed = 1
    print(f"{total - min(failed, total)} passed, {failed} failed")
    return total - min(failed, total), failed


if __name__ == "__main__":
    sys.exit(main())
