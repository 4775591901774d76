# Entry points. Quickstart on a fresh machine with Python 3.11: `make demo`, then `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INBOX ?= var/inbox
DEMO_START ?= 20251220
DEMO_DAYS ?= 18
DEMO_ACCOUNTS ?= 20000
DEMO_SEED ?= 42
BENCH_ACCOUNTS ?= 1000000
BENCH_DAYS ?= 3
# raw kept this many days before the last (BANKPERF_RAW_RETENTION_DAYS), so the last night shows a
# business date's lasting cost; empty keeps raw whole
BENCH_RAW_RETENTION_DAYS ?= 1
GROWTH_ACCOUNTS ?= 20000
GROWTH_HISTORY ?= 90
WEB_HOST ?= 127.0.0.1
WEB_PORT ?= 8080
TEST_WORKERS ?= 2
DEMO_END = $(shell date -d "$(DEMO_START) + $$(( $(DEMO_DAYS) - 1 )) days" +%Y%m%d)

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := true

.PHONY: demo test lint docs web bench-load bench-marts bench-portal bench-nightly bench-growth dagster db-start db-stop clean install

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $(STAMP)

install: $(STAMP)

db-start: $(STAMP)
	$(BIN)/bankperf db start

db-stop: $(STAMP)
	$(BIN)/bankperf db stop

## demo: set up, start the database, generate a synthetic bank, run the nightly job over its days
demo: db-start
	$(BIN)/bankperf generate --out $(INBOX) --start $(DEMO_START) --days $(DEMO_DAYS) \
		--accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED)
	$(BIN)/bankperf run --inbox $(INBOX) --from $(DEMO_START) --to $(DEMO_END)
	@$(BIN)/bankperf summary
	@$(BIN)/bankperf users demo --out var/demo_users.txt
	@echo "Portal: make web, then open http://$(WEB_HOST):$(WEB_PORT)/ and log in as demo_office, demo_head_office,"
	@echo "        demo_branch_head, demo_manager, demo_analyst or demo_auditor (passwords in var/demo_users.txt)"

## web: the portal (managers, branch heads, the performance office) on WEB_HOST:WEB_PORT
web: db-start
	$(BIN)/bankperf web --host $(WEB_HOST) --port $(WEB_PORT)

## bench-portal: after make demo (or a bigger bank): times every portal page as the demo users see it
bench-portal: db-start
	$(BIN)/python -m benchmarks.bench_portal

## test: lint, then the whole test suite against the project's database, in TEST_WORKERS processes
## (pytest-xdist; --dist loadfile: each module runs whole in one of them, with its module fixtures;
## --no-loadscope-reorder: the longest modules first, as tests/conftest.py orders them)
test: db-start lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: db-start
	$(BIN)/ruff check bankperf loaders orchestration portal tests benchmarks
	$(BIN)/python -m bankperf.quality.build --check
	source <($(BIN)/bankperf db env) && $(BIN)/python -m bankperf.sqllint lint dbt_project/models dbt_project/tests --processes 2

docs: db-start
	source <($(BIN)/bankperf db env) && $(BIN)/dbt docs generate
	@echo "dbt docs: target/index.html (serve with: source <(.venv/bin/bankperf db env) && .venv/bin/dbt docs serve)"

## bench-marts: how fast the public marts answer the users' queries on the built demo bank
bench-marts: db-start
	$(BIN)/python -m benchmarks.bench_marts

## bench-load: bankperf load vs a bare psql \copy of the same file (prints both and the ratio)
bench-load: db-start
	$(BIN)/python -m benchmarks.bench_load --accounts $(BENCH_ACCOUNTS)

## bench-nightly: each night of a generated bank timed alone, its slowest models, rows and bytes added
bench-nightly: db-start
	$(BIN)/python -m benchmarks.bench_nightly --accounts $(BENCH_ACCOUNTS) --days $(BENCH_DAYS) \
		$(if $(BENCH_RAW_RETENTION_DAYS),--raw-retention-days $(BENCH_RAW_RETENTION_DAYS))

## bench-growth: one night after a ~90-day backfill against night 2 (target: <= 1.1 x)
bench-growth: db-start
	$(BIN)/python -m benchmarks.bench_growth --accounts $(GROWTH_ACCOUNTS) --history $(GROWTH_HISTORY)

dagster: db-start
	$(BIN)/python -m orchestration && source <($(BIN)/bankperf db env) && DAGSTER_HOME=$(CURDIR)/var/dagster $(BIN)/dagster dev -w workspace.yaml

clean:
	-$(BIN)/bankperf db stop
	rm -rf var target logs
