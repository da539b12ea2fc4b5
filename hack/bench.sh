#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/..
# Benchmarks the project's binary against upstream `kubectl debug` v1.37.2 on a throw-away
# local cluster: ephemeral, copy and node debugs, interleaved, with a cold and a warm
# discovery cache; an ephemeral debug fanned out over 200 pods, against a loop of upstream
# calls and a bare client-go program (hack/bench/floor); ours' peak memory over 2,000
# pods; and ours' CPU time for client dry runs of 1,000 to 100,000 pods from a -f file.
# --help is measured beside hack/bench/helpfloor, the least any program with NewCmdDebug's
# signature and a kubernetes.Interface links and runs to print a help.
# Needs nothing beyond the Go toolchain and the binaries built by hack/build-server.sh;
# timing and peak RSS are taken by a small Go driver.
# Then, on a cluster of its own with a real node (hack/bench-shell.sh, which holds the
# machine's real-node lock while it runs), the time from Enter to a shell that answers.
#
#   hack/bench.sh [--markdown] [-rows=single,fanout,memory,sessions,scale,shell]
#     BENCH_RUNS=N (default 20)                  runs per tool, mode and cache
#     BENCH_FANOUT_RUNS=N (default 5)            fan-out runs of ours and of the floor
#     BENCH_FANOUT_UPSTREAM_RUNS=N (default 1)   fan-out runs of the upstream loop (~20 s each)
#     BENCH_SHELL_RUNS=N (default 10)            shell runs per tool and mode
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# The groups of rows asked for (hack/bench's -rows, every group by default): all but
# shell run on the kwok cluster below, shell on its own cluster afterwards.
rows=single,fanout,memory,sessions,scale,shell
args=()
while (($#)); do
  case $1 in
  -rows=* | --rows=*) rows=${1#*=} ;;
  -rows | --rows)
    rows=${2:?"$1 needs a value"}
    shift
    ;;
  *) args+=("$1") ;;
  esac
  shift
done
kwok_rows=$(tr , '\n' <<<"$rows" | grep -vx shell | paste -sd , -) || true
shell=0
if tr , '\n' <<<"$rows" | grep -qx shell; then
  shell=1
fi
if [[ -z $kwok_rows ]]; then
  exec "$KD_ROOT/hack/bench-shell.sh" ${args[@]+"${args[@]}"}
fi
export KD_CLUSTER_DIR=${KD_CLUSTER_DIR:-$KD_ROOT/_output/bench-cluster}
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

runs=${BENCH_RUNS:-20}
fanout_runs=${BENCH_FANOUT_RUNS:-5}
fanout_upstream_runs=${BENCH_FANOUT_UPSTREAM_RUNS:-1}
ours=${DEBUGGER:-$KD_ROOT/_output/bin/kubectl-debugger}
if [[ ! -x $ours ]]; then
  kd::log "$ours is missing: run make build first"
  exit 1
fi
"$KD_ROOT/hack/build-server.sh"

# The floors (fan-out rows and --help rows), built like the plugin (static, -s -w), before
# any server starts.
build_dir=$(mktemp -d)
trap 'rm -rf "$build_dir"; "$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true' EXIT
for floor in floor helpfloor; do
  (cd "$KD_ROOT" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$build_dir/$floor" "./hack/bench/$floor")
done

"$KD_ROOT/hack/local-up-cluster.sh" >/dev/null

kubeconfig=$KD_CLUSTER_DIR/kubeconfig
kc() { "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" "$@"; }
ns=bench
kc create namespace "$ns" >/dev/null
# Pods are refused until the controller-manager has given the namespace its ServiceAccount.
kc wait --for=create serviceaccount/default -n "$ns" --timeout=30s >/dev/null
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
cp "$(dirname "$ours")/kubectl-debugger-sessions" "$bindir/sessions"
cp "$KD_BIN/kubectl" "$bindir/kubectl"
cp "$build_dir/floor" "$build_dir/helpfloor" "$bindir/"

kd::log "benchmarking $runs runs per tool, mode and cache state; $fanout_runs fan-out runs ($fanout_upstream_runs of the upstream loop)"
(cd "$KD_ROOT" && go run ./hack/bench \
  -ours="$bindir/ours" -sessions="$bindir/sessions" -upstream="$bindir/kubectl" -floor="$bindir/floor" -help-floor="$bindir/helpfloor" -kubectl="$KD_BIN/kubectl" \
  -kubeconfig="$kubeconfig" -audit="$KD_CLUSTER_DIR/audit.log" -namespace="$ns" -runs="$runs" \
  -fanout-runs="$fanout_runs" -fanout-upstream-runs="$fanout_upstream_runs" -rows="$kwok_rows" ${args[@]+"${args[@]}"})

if ((shell)); then
  # One cluster at a time: this one is down before the real node's starts.
  "$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true
  "$KD_ROOT/hack/bench-shell.sh" ${args[@]+"${args[@]}"}
fi
