# kubectl-debugger: `make` builds the plugin, `make test` runs every test.
SHELL := /usr/bin/env bash
GO ?= go
BIN := _output/bin/kubectl-debugger

.PHONY: all build test test-unit test-cmd verify local-up local-down bench server clean

all: build

build:
	$(GO) build -ldflags "-s -w" -o $(BIN) ./cmd/kubectl-debugger

# Unit tests, then the integration suite against a local kube-apiserver (built on first use).
test: test-unit test-cmd

test-unit:
	$(GO) test ./...

test-cmd: build
	hack/test-cmd.sh

verify:
	hack/verify.sh

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
