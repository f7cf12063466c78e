# Two commands on a fresh machine: `make release` (set up, build, export) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
# Relative FOI_EXTRACT_DIR and FOI_DUCKDB_PATH mean from the folder make was started in (with
# `make -C <project>` too): made absolute here, since the recipes run in this folder.
# (`override`: given on make's command line too.) A path that cannot be made absolute stops make.
INVOKED_FROM := $(or $(PWD),$(CURDIR))
absolute = $(or $(shell cd "$(INVOKED_FROM)" && realpath -m -- "$(1)"),$(error cannot resolve $(2)=$(1) from $(INVOKED_FROM): give an absolute path))
ifneq ($(strip $(FOI_EXTRACT_DIR)),)
override FOI_EXTRACT_DIR := $(call absolute,$(FOI_EXTRACT_DIR),FOI_EXTRACT_DIR)
export FOI_EXTRACT_DIR
endif
ifneq ($(strip $(FOI_DUCKDB_PATH)),)
override FOI_DUCKDB_PATH := $(call absolute,$(FOI_DUCKDB_PATH),FOI_DUCKDB_PATH)
export FOI_DUCKDB_PATH
endif
# dbt runs here, where profiles.yml is: a DBT_PROFILES_DIR from the shell would send the database elsewhere
# than the export reads it from.
unexport DBT_PROFILES_DIR
# The database: FOI_DUCKDB_PATH, or the profile's default build/foi.duckdb (dbt runs from this folder, which
# holds profiles.yml). DBT_PROFILES_DIR is not set, so the profile reads as in a plain `dbt build` here and
# dbt reuses its parse (target/partial_parse.msgpack) either way.
DATABASE := $(or $(FOI_DUCKDB_PATH),$(CURDIR)/build/foi.duckdb)
# One-off var overrides for this build (and so this export, which reads them from the database it built):
# make release VARS='{age_group_starts: [0, 10, 14, 16], foi_reference: "FOI 6001"}'
DBT_VARS := $(if $(VARS),--vars '$(VARS)')
# dbt's own node-by-node output with VERBOSE=1; otherwise errors only, then a short summary of the build.
DBT_OUTPUT := $(if $(VERBOSE),,--quiet)
# A release build runs every model, every data test and the disclosure audit. dbt's unit tests check the SQL
# on fixed inputs, so no extract can change their result: `make test` runs them (dbt's advice: unit tests
# in development and CI, not on every production build).
DBT_BUILD_ARGS ?= --exclude-resource-type unit_test

.PHONY: setup build release cost bench test lint lint-python lint-sql lint-dbt docs extract clean

setup: $(VENV)/.installed

# uv installs the pinned packages in seconds where pip takes a minute (measured on a fresh venv here:
# 7 s against 66 s); pip installs uv itself, pinned, first.
UV_VERSION := 0.13.8
UV := $(BIN)/uv pip install --python $(BIN)/python --compile-bytecode

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@echo "==> Setting up the Python environment in $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) -r requirements.txt -c constraints.txt
	@echo "==> Installing the project's package (src/foi_exploitation: disclosure solver and audit)"
	$(UV) --no-deps --editable .
	touch $@

build: setup
	@mkdir -p "$(dir $(DATABASE))"
	@echo "==> dbt build (database: $(DATABASE); extract: $${FOI_EXTRACT_DIR:-the synthetic default, data/extract})"
	@rm -f "$${DBT_TARGET_PATH:-target}/run_results.json"  # never a summary of an earlier build
	@status=0; $(BIN)/dbt build $(DBT_OUTPUT) $(DBT_VARS) $(DBT_BUILD_ARGS) || status=$$?; \
	  $(BIN)/python -m foi_exploitation.build_summary "$${DBT_TARGET_PATH:-target}" || true; exit $$status

release: build
	@echo "==> Export (disclosure audit first; no file is written if it fails)"
	@$(BIN)/python scripts/export_release.py --db "$(DATABASE)"
	@echo "==> Database: $(DATABASE) (the release is the model marts.foi_release)"

# What disclosure control costs on the built release: cells withheld, capped cells, solver and audit time.
cost: build
	$(BIN)/python scripts/disclosure_audit.py --cost

# dbt build against one DuckDB query (the floor) and a pandas script (the peer) at four sizes, up to all of
# England: docs/benchmarks.md. Takes about half an hour; BENCH_ARGS="--sizes default scale10 --repeats 1".
bench: setup
	$(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

test: lint
	@$(MAKE) --no-print-directory build DBT_BUILD_ARGS=
	@echo "==> pytest"
	$(BIN)/pytest

# Quality gates; .pre-commit-config.yaml runs the same targets. The linters compile against the in-memory
# `memory` target and their own target folder, so they never touch the DuckDB file or a build's target/.
LINT_DBT_ENV := FOI_DBT_TARGET=memory DBT_TARGET_PATH=$(CURDIR)/target/lint

lint: lint-python lint-sql lint-dbt

lint-python: setup
	@echo "==> ruff"
	$(BIN)/ruff check src scripts tests models dbt_score_rules
	$(BIN)/ruff format --check src scripts tests models dbt_score_rules

lint-sql: setup
	@echo "==> sqlfluff (dbt templater)"
	$(LINT_DBT_ENV) $(BIN)/sqlfluff lint --processes 2 models macros

lint-dbt: setup
	@echo "==> dbt-score (every model, seed, macro and exposure described; keys tested; names by folder)"
	$(LINT_DBT_ENV) $(BIN)/dbt parse --quiet --target memory
	$(LINT_DBT_ENV) $(BIN)/dbt-score lint --manifest target/lint/manifest.json

# The dbt docs site for reviewers: target/docs/static_index.html, one self-contained page (open it in a browser).
docs: build
	$(BIN)/dbt docs generate --static --target-path target/docs
	@echo "==> Docs: $(CURDIR)/target/docs/static_index.html"

# Regenerate the committed default extract (seeded: the files only change if the generator does).
extract: setup
	$(BIN)/python scripts/generate_extract.py

clean:
	find build -mindepth 1 -not -name .gitignore -delete
	rm -rf target logs output
