# kubectl-debugger: `make` builds the plugin, `make test` runs every test.
SHELL := /usr/bin/env bash
GO ?= go
BIN := _output/bin/kubectl-debugger

.PHONY: all build test test-unit test-fuzz test-cmd test-upstream reference-next conformance-next kubectl kubernetes-patch verify-kubernetes-patch krew-manifest verify schema local-up local-down bench server clean

all: build

# The client version is the Kubernetes release of the client libraries in go.mod (client-go
# v0.37.2 is Kubernetes v1.37.2), as kubectl stamps its own: --match-server-version
# compares it with the server's.
KUBE_VERSION = $(shell $(GO) list -m -f '{{.Version}}' k8s.io/client-go | sed 's/^v0\./v1./')
VERSION = $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
COMMIT = $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS = -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) \
	-X k8s.io/client-go/pkg/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/client-go/pkg/version.gitMajor=$(word 1,$(subst ., ,$(patsubst v%,%,$(KUBE_VERSION)))) \
	-X k8s.io/client-go/pkg/version.gitMinor=$(word 2,$(subst ., ,$(KUBE_VERSION)))

# Builds and tests record no machine paths: a clone anywhere else reuses what another
# clone already compiled (the Go cache keys a package's build on its directory otherwise),
# and the binaries are the same wherever they are built.
export GOFLAGS := $(strip $(GOFLAGS) -trimpath)

# Static, as kubectl's releases are. With cgo, kustomize's import of Go's plugin package
# (through cli-runtime) makes the linker export every symbol for the dynamic loader:
# 15 MB more binary, and about 5.5 MiB more peak RSS on every call. Exported, so the tests
# compile the client libraries as the binaries and the control plane do: once.
CGO_ENABLED ?= 0
export CGO_ENABLED

# The plugin, and beside it kubectl-debugger-sessions and kubectl-debugger-cp: for
# `kubectl debugger sessions`, kubectl runs the longest plugin name the words make. One go
# build for the three links them at the same time.
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(dir $(BIN)) ./cmd/kubectl-debugger ./cmd/kubectl-debugger-sessions ./cmd/kubectl-debugger-cp
	cp cmd/kubectl-debugger/kubectl_complete-debugger cmd/kubectl-debugger-cp/kubectl_complete-debugger-cp _output/bin/

# Unit tests, a short fuzzing run, the kubernetes patch applied, built and tested in the
# k8s.io/kubectl module, then the integration suite against a local kube-apiserver
# (built on first use).
test: test-unit test-fuzz verify-kubernetes-patch test-cmd

test-unit:
	$(GO) test ./...

# A few seconds per fuzz target; docs/custom-profiles.md shows how to run them longer.
FUZZTIME ?= 5s
test-fuzz:
	$(GO) test ./internal/customprofile -run '^$$' -fuzz '^FuzzDecodeCustomProfile$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/customprofile -run '^$$' -fuzz '^FuzzApplyCustomProfile$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/customprofile -run '^$$' -fuzz '^FuzzMergeMatchesStrategicPatch$$' -fuzztime $(FUZZTIME)

test-cmd: build
	hack/test-cmd.sh

# Kubernetes' own test/cmd/debug.sh against the plugin, then against the drop-in kubectl,
# on one cluster (test-cmd ends with the same runs).
test-upstream: build kubectl
	hack/test-upstream.sh plugin kubectl

# Upstream kubectl of the next release (Go 1.27, fetched by the go command) into the
# cache, and the conformance cases of what it changes run against it; make test needs
# neither.
reference-next:
	hack/build-reference-next.sh

conformance-next:
	hack/conformance-next.sh

# kubectl with this debug command inside: _output/bin/kubectl.
kubectl:
	hack/build-kubectl.sh

# The patch against kubernetes that puts this package in place of kubectl's debug:
# _output/kubernetes-debug.patch; verify-kubernetes-patch applies it to the k8s.io/kubectl
# module and builds, vets and tests it there.
kubernetes-patch:
	hack/kubernetes-patch.sh

verify-kubernetes-patch:
	hack/verify-kubernetes-patch.sh

# The krew manifest of a release: make krew-manifest VERSION=v0.1.0
krew-manifest:
	hack/krew-manifest.sh $(VERSION)

verify:
	hack/verify.sh

# Regenerates the JSON Schema of custom profile files.
schema:
	$(GO) run ./hack/schema > docs/custom-profile.schema.json

# Builds kube-apiserver, kube-scheduler, kube-controller-manager, etcd, kwok and the
# reference kubectl into the cache.
server:
	hack/build-server.sh

# KD_NODE=real adds a real node (containerd and a kubelet) beside kwok's: hack/lib/node.sh.
local-up: build
	hack/local-up-cluster.sh

local-down:
	hack/local-down-cluster.sh

bench: build
	hack/bench.sh

clean:
	rm -rf _output
