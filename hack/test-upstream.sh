#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/..
# Kubernetes' own test/cmd/debug.sh, every run_kubectl_debug_* function, against the
# command under test ($DEBUGGER, default the plugin) on a throw-away cluster of its own:
# its node tests expect the cluster's only node to be 127.0.0.1, so the fake kubelet's
# node is removed there. The closing line is "N passed, N failed".
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
export KD_CLUSTER_DIR=${KD_CLUSTER_DIR:-$KD_ROOT/_output/upstream-cluster}
# Fake nodes only: upstream's node tests expect a single node, 127.0.0.1.
export KD_NODE=kwok

"$KD_ROOT/hack/build-server.sh"
export DEBUGGER=${DEBUGGER:-$KD_ROOT/_output/bin/kubectl-debugger}
KD_TEST_TMP=$(mktemp -d)
export KD_TEST_TMP
stop() {
  "$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true
  rm -rf "$KD_TEST_TMP"
}
trap stop EXIT
"$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true
"$KD_ROOT/hack/local-up-cluster.sh" >/dev/null

source "$KD_ROOT/test/cmd/upstream.sh"
kd::test::setup
kubectl delete node "$KD_KWOK_NODE" >/dev/null
kd::upstream::run_all "${KD_TEST_FILTER:-}"
kd::test::summary
