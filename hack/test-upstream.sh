#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/..
# Kubernetes' own test/cmd/debug.sh, every run_kubectl_debug_* function, against each
# BUILD named, one after the other, on one throw-away cluster of their own: its node
# tests expect the cluster's only node to be 127.0.0.1, so the fake kubelet's node is
# removed there. The closing line is "N passed, N failed", over all of them.
#
#   hack/test-upstream.sh [BUILD...]
#
# BUILD is plugin (the default): $DEBUGGER (default _output/bin/kubectl-debugger) as
# `kubectl debug`, the reference kubectl for every other call; or kubectl: the drop-in
# kubectl ($KD_UPSTREAM_KUBECTL, default _output/bin/kubectl) for every call. The
# functions name their namespaces uniquely, or delete them before they end, so one
# build's run leaves nothing in the way of the next.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/resident.sh"
export KD_CLUSTER_DIR=${KD_CLUSTER_DIR:-$KD_ROOT/_output/upstream-cluster}
# Fake nodes only: upstream's node tests expect a single node, 127.0.0.1.
export KD_NODE=kwok

builds=("$@")
((${#builds[@]})) || builds=(plugin)
for build in "${builds[@]}"; do
  if [[ $build != plugin && $build != kubectl ]]; then
    echo "error: unknown build \"$build\": plugin or kubectl" >&2
    exit 2
  fi
done

"$KD_ROOT/hack/build-server.sh"
plugin=${DEBUGGER:-$KD_ROOT/_output/bin/kubectl-debugger}
dropin=${KD_UPSTREAM_KUBECTL:-$KD_ROOT/_output/bin/kubectl}
KD_TEST_TMP=$(mktemp -d)
export KD_TEST_TMP
stop() {
  kd::resident::stop 2>/dev/null
  "$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true
  rm -rf "$KD_TEST_TMP"
}
trap stop EXIT
# The reference kubectl's calls (the plugin build's every call but debug) go to a
# resident kubectl (hack/lib/resident.sh), as the suite's topics do.
kd::resident::start "$KD_TEST_TMP"
"$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true
"$KD_ROOT/hack/local-up-cluster.sh" >/dev/null

source "$KD_ROOT/test/cmd/upstream.sh"
kd::test::setup
kubectl delete node "$KD_KWOK_NODE" >/dev/null
for build in "${builds[@]}"; do
  if [[ $build == plugin ]]; then
    DEBUGGER=$plugin KD_UPSTREAM_LABEL=plugin kd::upstream::run_all "${KD_TEST_FILTER:-}"
  else
    DEBUGGER="$dropin debug" KD_UPSTREAM_KUBECTL=$dropin KD_UPSTREAM_LABEL=kubectl kd::upstream::run_all "${KD_TEST_FILTER:-}"
  fi
done
# Before the closing line, which must be the last.
kd::resident::stop
kd::test::summary
