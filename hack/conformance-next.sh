#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Runs conformance cases (test/conformance) against upstream kubectl of the next release,
# built by hack/build-reference-next.sh, on a throw-away local cluster: by default the
# cases of what that release changes (the w-* cases: Windows nodes in 1.38), which must
# then pass. With KD_CONFORMANCE_RECORD=ID,... it writes those cases' expected files
# from the reference, which is how they are made. Not part of make test.
#
#   hack/conformance-next.sh [go test -run pattern after TestConformance/, default ^w-]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
export KD_CLUSTER_DIR=${KD_CLUSTER_DIR:-$KD_ROOT/_output/conformance-next-cluster}
export KD_NODE=kwok
pattern=${1:-^w-}

"$KD_ROOT/hack/build-reference-next.sh"
trap '"$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true' EXIT
"$KD_ROOT/hack/local-up-cluster.sh" >/dev/null

kd::log "conformance cases $pattern against kubectl $KD_NEXT_VERSION"
cd "$KD_ROOT/test/conformance"
KD_KUBECONFIG=$KD_CLUSTER_DIR/kubeconfig DEBUGGER="$KD_NEXT_BIN/kubectl debug" KD_CONFORMANCE_MATCH_VERSION=false \
  go test -count=1 -tags integration -run "TestConformance/$pattern" -v . | grep -v -e '^=== '
