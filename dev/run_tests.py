#!/usr/bin/env python3
"""Run the whole test suite of unified_inbox and print a plain summary.

Creates a fresh database, installs the addon (with demo data) with tests
enabled, runs its Python tests, browser tours and Hoot unit tests, and
fails on any failed test and on any ERROR or CRITICAL log line.

Usage: dev/run_tests.py [extra odoo args, e.g. --test-tags /unified_inbox:TestSend]
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
DEFAULT_TAGS = "/unified_inbox,/web:WebSuite.test_unit_desktop[@unified_inbox]"


def main():
    extra = sys.argv[1:]
    tags = [] if any(arg.startswith("--test-tags") for arg in extra) else [f"--test-tags={DEFAULT_TAGS}"]
    odoo = [str(HERE / "odoo.sh")]
    env = dict(os.environ, WITH_BROWSER="1")
    subprocess.run([*odoo, "db", "drop", DB], env=env, capture_output=True, check=False)
    command = [
        *odoo, "-d", DB, "-i", "unified_inbox", "--with-demo", "--test-enable", "--stop-after-init",
        "--http-interface=127.0.0.1", "--http-port=8079", "--workers=0", "--max-cron-threads=0",
        "--log-level=test", *tags, *extra,
    ]
    errors, results, hoot_suites = [], [], []
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
        returncode = proc.wait()

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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
