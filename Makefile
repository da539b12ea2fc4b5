# kubectl-debugger: `make` builds the plugin, `make test` runs every test.
SHELL := /usr/bin/env bash
GO ?= go
BIN := _output/bin/kubectl-debugger

.PHONY: all build test test-unit test-fuzz test-cmd verify schema local-up local-down bench server clean

all: build

build:
	$(GO) build -ldflags "-s -w" -o $(BIN) ./cmd/kubectl-debugger

# Unit tests, a short fuzzing run, then the integration suite against a local
# kube-apiserver (built on first use).
test: test-unit test-fuzz test-cmd

test-unit:
	$(GO) test ./...

# A few seconds per fuzz target; docs/custom-profiles.md shows how to run them longer.
FUZZTIME ?= 5s
test-fuzz:
	$(GO) test ./internal/customprofile -run '^$$' -fuzz '^FuzzDecodeCustomProfile$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/customprofile -run '^$$' -fuzz '^FuzzApplyCustomProfile$$' -fuzztime $(FUZZTIME)

test-cmd: build
	hack/test-cmd.sh

verify:
	hack/verify.sh

# Regenerates the JSON Schema of custom profile files.
schema:
	$(GO) run ./hack/schema > docs/custom-profile.schema.json

# Builds kube-apiserver, etcd, kwok and the reference kubectl into the cache.
server:
	hack/build-server.sh

local-up: build
	hack/local-up-cluster.sh

local-down:
	hack/local-down-cluster.sh

bench: build
	hack/bench.sh

clean:
	rm -rf _output
