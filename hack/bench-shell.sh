#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/..
# The benchmark's shell rows (hack/bench -rows=shell): in each mode, the time from Enter
# to a shell that answers, for the project's binary, upstream `kubectl debug` v1.37.2
# and a bare client-go program (hack/bench/shellfloor), on a throw-away cluster with a
# real node (KD_NODE=real: containerd and a kubelet, hack/lib/node.sh). Run by
# hack/bench.sh after the other groups, once their cluster is down; on its own:
#
#   hack/bench-shell.sh [--markdown] [-shell-settle=D]
#     BENCH_SHELL_RUNS=N (default 10)   runs per tool and mode
#
# One cluster of the machine at a time may run a real node: the whole run, from before
# the cluster starts until it is stopped, holds the machine's real-node lock
# (KD_REALNODE_LOCK, by default a file of the cache directory), waiting for it while
# another run holds it. Point it at the lock a machine's other real-node runs take.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

lock=${KD_REALNODE_LOCK:-$KD_CACHE/real-node.lock}
mkdir -p "$(dirname "$lock")"
if [[ ${KD_REALNODE_LOCKED:-} != "$lock" ]]; then
  if ! flock -n "$lock" true; then
    kd::log "waiting for the real node's lock $lock (another cluster runs a real node)"
  fi
  # -o: the lock is flock's alone; the cluster's daemons, started below, do not inherit
  # it, so none that outlived its stop could hold it.
  KD_REALNODE_LOCKED=$lock exec flock -o "$lock" "$0" "$@"
fi

export KD_CLUSTER_DIR=${KD_BENCH_SHELL_CLUSTER_DIR:-$KD_ROOT/_output/bench-shell-cluster}
export KD_NODE=real
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

runs=${BENCH_SHELL_RUNS:-10}
ours=${DEBUGGER:-$KD_ROOT/_output/bin/kubectl-debugger}
if [[ ! -x $ours ]]; then
  kd::log "$ours is missing: run make build first"
  exit 1
fi
reason=$(kd::node::unsupported_reason)
if [[ -n $reason ]]; then
  kd::log "the shell rows need a real node: $reason"
  exit 1
fi
"$KD_ROOT/hack/build-server.sh"

# The floor, built like the plugin (static, -s -w), before any server starts.
build_dir=$(mktemp -d)
trap 'rm -rf "$build_dir"; "$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true' EXIT
(cd "$KD_ROOT" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$build_dir/shellfloor" ./hack/bench/shellfloor)

"$KD_ROOT/hack/local-up-cluster.sh" >/dev/null
KD_REAL_NODE=$(sed -n 's/^KD_REAL_NODE=//p' "$KD_CLUSTER_DIR/env")

kubeconfig=$KD_CLUSTER_DIR/kubeconfig
kc() { "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" "$@"; }
ns=bench
kc create namespace "$ns" >/dev/null
# Pods are refused until the controller-manager has given the namespace its ServiceAccount.
kc wait --for=create serviceaccount/default -n "$ns" --timeout=30s >/dev/null

# Run from fresh copies, as the other groups run them (hack/bench.sh says why).
bindir=$KD_CLUSTER_DIR/bench-bin
mkdir -p "$bindir"
cp "$ours" "$bindir/ours"
cp "$KD_BIN/kubectl" "$bindir/kubectl"
cp "$build_dir/shellfloor" "$bindir/"

kd::log "benchmarking the shell rows: $runs runs per tool and mode on node $KD_REAL_NODE"
(cd "$KD_ROOT" && go run ./hack/bench -rows=shell \
  -ours="$bindir/ours" -upstream="$bindir/kubectl" -kubectl="$KD_BIN/kubectl" -shell-floor="$bindir/shellfloor" \
  -kubeconfig="$kubeconfig" -namespace="$ns" -real-node="$KD_REAL_NODE" -real-node-taint="$KD_REAL_NODE_TAINT" \
  -shell-runs="$runs" "$@")
