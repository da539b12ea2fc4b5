#!/usr/bin/env bash
# Shared settings for the hack/ scripts: where the local control plane's binaries live.
# Sourced, so its variables are used by the scripts that source it.
# shellcheck disable=SC2034

KD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The Kubernetes release the project targets; the binaries are built from its modules.
KD_KUBE_VERSION=${KD_KUBE_VERSION:-v1.37.2}
# What a Kubernetes build stamps into its binaries, which kubectl's version and
# --match-server-version read.
KD_KUBE_VERSION_LDFLAGS="-X k8s.io/component-base/version.gitVersion=$KD_KUBE_VERSION"
KD_KUBE_VERSION_LDFLAGS+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
KD_KUBE_VERSION_LDFLAGS+=" -X k8s.io/client-go/pkg/version.gitVersion=$KD_KUBE_VERSION"
# Binaries are cached outside the clone, keyed by version, so a fresh clone reuses them.
KD_CACHE=${KD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-debugger}
KD_BIN=${KD_BIN:-$KD_CACHE/$KD_KUBE_VERSION}
# The next release's kubectl, the reference for what it changes (hack/build-reference-next.sh).
KD_NEXT_VERSION=${KD_NEXT_VERSION:-v1.38.0-beta.0}
KD_NEXT_BIN=${KD_NEXT_BIN:-$KD_CACHE/$KD_NEXT_VERSION}

kd::log() { echo "+++ [$(date +%H:%M:%S)] $*" >&2; }
