#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/..
# Benchmarks the project's binary against upstream `kubectl debug` v1.37.2 on a throw-away
# local cluster: ephemeral, copy and node debugs, interleaved, with a cold and a warm
# discovery cache. Needs nothing beyond the Go toolchain and the binaries built by
# hack/build-server.sh; timing and peak RSS are taken by a small Go driver.
#
#   hack/bench.sh [--markdown]      BENCH_RUNS=N (default 20) runs per tool, mode and cache
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
export KD_CLUSTER_DIR=${KD_CLUSTER_DIR:-$KD_ROOT/_output/bench-cluster}
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

runs=${BENCH_RUNS:-20}
ours=${DEBUGGER:-$KD_ROOT/_output/bin/kubectl-debugger}
if [[ ! -x $ours ]]; then
  kd::log "$ours is missing: run make build first"
  exit 1
fi
"$KD_ROOT/hack/build-server.sh"

trap '"$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true' EXIT
"$KD_ROOT/hack/local-up-cluster.sh" >/dev/null

kubeconfig=$KD_CLUSTER_DIR/kubeconfig
kc() { "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" "$@"; }
ns=bench
kc create namespace "$ns" >/dev/null
kc create serviceaccount default -n "$ns" >/dev/null
kc create -f "$KD_ROOT/test/conformance/fixtures/node.yaml" >/dev/null

# One target pod per ephemeral run (2 tools x 2 cache states), plus the copy source and
# the pod the warm-up runs touch. Bound to node-a, which no kubelet runs: nothing changes
# them behind the benchmark's back.
pods=$KD_CLUSTER_DIR/bench-pods.yaml
{
  echo "apiVersion: v1"
  echo "kind: List"
  echo "items:"
  for name in app-warmup app-copy-source $(seq -f 'app-%g' 0 $((runs * 4 - 1))); do
    cat <<POD
- apiVersion: v1
  kind: Pod
  metadata: {name: $name, labels: {app: bench}}
  spec:
    nodeName: node-a
    containers:
    - {name: main, image: busybox:1.36, command: [sleep, "3600"]}
POD
  done
} >"$pods"
kc create -n "$ns" -f "$pods" >/dev/null

# Both binaries run from fresh copies made the same way. A binary straight from the linker
# sits in the page cache as large folios, which the kernel maps whole on first touch:
# that alone inflated the fresh binary's peak RSS by 20 MiB and would skew the comparison.
bindir=$KD_CLUSTER_DIR/bench-bin
mkdir -p "$bindir"
cp "$ours" "$bindir/ours"
cp "$KD_BIN/kubectl" "$bindir/kubectl"

kd::log "benchmarking $runs runs per tool, mode and cache state"
(cd "$KD_ROOT" && go run hack/bench/main.go \
  -ours="$bindir/ours" -upstream="$bindir/kubectl" -kubeconfig="$kubeconfig" \
  -audit="$KD_CLUSTER_DIR/audit.log" -namespace="$ns" -runs="$runs" "$@")
