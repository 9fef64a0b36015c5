# spawn-doctor. The two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
export SPAWN_DOCTOR_CACHE ?= $(HOME)/.cache/spawn-doctor

.PHONY: all build test demo deps system-deps venv lint format clean bench

all: build

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

build: deps
	npm run --silent build

test: deps system-deps
	bash scripts/test.sh

lint: deps
	npx biome check .

format: deps
	npx biome format --write .

# Debian packages used by the browser tier (chromium) and the Prometheus tests.
SYSTEM_PACKAGES := chromium prometheus
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi

# The pinned Python environment (JupyterHub, KubeSpawner, single-user server), cached outside the repo.
venv:
	bash deploy/demo/venv.sh

demo: deps build
	bash deploy/demo/run.sh

bench: deps build
	bash bench/run.sh

clean:
	rm -rf dist web/dist test-artifacts

-include testbed/testbed.mk
