# unified_inbox: the two commands of the README, and a few helpers.
# Everything is installed by dev/setup.sh into ~/.cache/unified_inbox (cached).
DEMO_DB ?= unified_inbox_demo
PORT ?= 8069

.PHONY: demo test test-host setup lint shell clean-db pot bench

## Set up everything, create/refresh the demo database and serve it on http://127.0.0.1:8069
demo:
	@dev/demo.sh $(DEMO_DB) $(PORT)

## Run every test (Python, browser tours, Hoot) on a fresh database
test:
	@python3 dev/run_tests.py

## Run Odoo's own tests of the modules the addon touches with it installed, then uninstall it (fresh database)
test-host:
	@python3 dev/run_host_tests.py

setup:
	@dev/setup.sh --with-browser >/dev/null

lint:
	@dev/lint.sh

shell:
	@dev/odoo.sh shell -d $(DEMO_DB)

clean-db:
	@dev/odoo.sh db drop $(DEMO_DB) || true

## Refresh i18n/unified_inbox.pot from the demo database
pot:
	@dev/odoo.sh -d $(DEMO_DB) -u unified_inbox --stop-after-init --log-level=warn
	@dev/odoo.sh i18n export -d $(DEMO_DB) -o i18n/unified_inbox.pot unified_inbox

## Measure the delivery pipeline (host limit, ingestion, baseline, outbound, drain by 1 and 2 workers, the peer), real time, then the Inbox on a large database
bench:
	@dev/setup.sh --with-browser >/dev/null
	@dev/bench_ingest.py
	@dev/bench_realtime.py --rate 10
	@dev/bench_inbox.py
