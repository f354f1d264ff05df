# okta-connect: the two commands of the README are `make demo` and `make test`.
# Every target installs what it needs first (scripts/setup.sh skips whatever is already present).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup build test demo bench fuzz

help:
	@echo "make build  - build pkg/, the npm package"
	@echo "make test   - run every test suite (native, wasm in Node and Chromium, JS, emulator)"
	@echo "make demo   - run the integrations page against the local Okta emulator"
	@echo "make fuzz   - fuzz every parser (FUZZ_SECONDS per target, default 60)"
	@echo "make bench  - benchmarks side by side with panva's jose (table; bench-output/: markdown, JSON, charts)"

setup:
	@bash scripts/setup.sh

build: setup
	@bash scripts/build.sh

test: build
	@bash scripts/test.sh

demo: build
	@bash scripts/demo.sh

bench: build
	@bash scripts/bench.sh

FUZZ_SECONDS ?= 60

fuzz: setup
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)
