#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# The helpers below are called by the sourced functions, which shellcheck cannot see.
# shellcheck disable=SC2317,SC2034,SC2031
# Runs every run_kubectl_debug_* function of kubernetes' own test/cmd/debug.sh, read
# unmodified from the k8s.io/kubernetes module that hack/tools requires, against the
# command under test ($DEBUGGER stands in for `kubectl debug`; every other kubectl call
# goes to the reference kubectl). This file provides the helpers the functions need, as
# kubernetes' hack/lib/test.sh and test/cmd/legacy-script.sh do: namespaces, kube_flags
# (with --match-server-version), the object assertions, and the node 127.0.0.1. Each
# function is one counted test.
#
# KD_UPSTREAM_LABEL, when set, names the command under test in each result line.
# For a kubectl with this debug command inside, set DEBUGGER="KUBECTL debug" and
# KD_UPSTREAM_KUBECTL=KUBECTL: then every call, not only debug, goes to that kubectl.
#
#   test/cmd/upstream.sh [FUNCTION-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# kd::upstream::dir: where the k8s.io/kubernetes module is, downloading it if need be.
kd::upstream::dir() {
  (cd "$KD_ROOT/hack/tools" && go mod download k8s.io/kubernetes && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
}

# kd::upstream::functions DIR: the test functions of DIR's test/cmd/debug.sh.
kd::upstream::functions() {
  sed -n -E 's/^(run_kubectl_debug_[a-z_]+)\(\) \{$/\1/p' "$1/test/cmd/debug.sh"
}

# kd::upstream::run DIR FUNCTION CONTEXT: runs FUNCTION in a subshell set up as
# kubernetes' test/cmd runs it, with a kubeconfig of its own (the functions switch its
# namespace), a copy of $KUBECONFIG, whose current context is CONTEXT.
kd::upstream::run() {
  local dir=$1 function=$2 context=$3 scratch
  scratch=$(mktemp -d "$KD_TEST_TMP/upstream.XXXXXX")
  cp "$KUBECONFIG" "$scratch/kubeconfig"
  (
    set -o errexit -o nounset -o pipefail
    export KUBECONFIG=$scratch/kubeconfig KUBE_TEMP=$scratch TMPDIR=$scratch
    CONTEXT=$context
    kube_flags=(--match-server-version)
    id_field='.metadata.name'
    image_field='(index .spec.containers 0).image'
    IMAGE_NGINX=registry.k8s.io/nginx:1.7.9
    kd::test::command

    # kubectl debug is the command under test; the rest is the reference kubectl, or the
    # drop-in kubectl under test. Pods are refused in a namespace until the
    # controller-manager has given it its ServiceAccount, and a deleted namespace is gone
    # once the namespace controller has emptied it: both are waited for, bounded.
    local kd_kubectl=${KD_UPSTREAM_KUBECTL:-$KD_BIN/kubectl}
    # The reference kubectl goes through the runner's resident kubectl where there is
    # one (hack/lib/resident.sh); a drop-in kubectl under test runs as its own process.
    if [[ -z ${KD_UPSTREAM_KUBECTL:-} && -n ${KD_KUBECTL_CALL:-} ]]; then
      export KD_KUBECTL=$KD_BIN/kubectl
      kd_kubectl=$KD_KUBECTL_CALL
    fi
    kubectl() {
      if [[ ${1:-} == debug ]]; then
        shift
        "${KD_CMD[@]}" "$@"
        return
      fi
      if [[ ${1:-} == delete && ${2:-} == namespace && -n ${3:-} ]]; then
        "$kd_kubectl" --request-timeout=30s "$@" --timeout=60s
        return
      fi
      "$kd_kubectl" --request-timeout=30s "$@"
      if [[ ${1:-} == create && ${2:-} == namespace && -n ${3:-} ]]; then
        "$kd_kubectl" --request-timeout=30s wait --for=create serviceaccount/default -n "$3" --timeout=30s >/dev/null
      fi
    }
    kube::log::status() { echo "+++ $*"; }
    create_and_use_new_namespace() {
      local ns_name
      ns_name="namespace-$(date +%s)-${RANDOM}"
      kubectl create namespace "${ns_name}" >/dev/null
      kubectl config set-context "${CONTEXT}" --namespace="${ns_name}" >/dev/null
    }
    kube::test::get_object_assert() {
      local object=$1 request=$2 expected=$3 args=${4:-} res
      # shellcheck disable=SC2086 # object and args are word lists, as upstream's are
      res=$(kubectl get "${kube_flags[@]}" ${args} ${object} -o go-template="${request}")
      if [[ $res =~ ^$expected$ ]]; then
        return 0
      fi
      echo "FAIL: get ${object} ${request}: expected: ${expected}, got: ${res}" >&2
      return 1
    }
    kube::test::if_has_string() {
      if grep -q "$2" <<<"$1"; then
        return 0
      fi
      echo "FAIL: message does not have $2: $1" >&2
      return 1
    }
    kube::test::if_has_not_string() {
      if ! grep -q "$2" <<<"$1"; then
        return 0
      fi
      echo "FAIL: message has $2: $1" >&2
      return 1
    }

    cd "$dir"
    # shellcheck disable=SC1091 # read from the module cache at run time
    source "$dir/test/cmd/debug.sh"
    "$function"
  )
}

# kd::upstream::ensure_node: the node 127.0.0.1 the node tests debug, which no kubelet
# runs.
kd::upstream::ensure_node() {
  if ! kubectl get node 127.0.0.1 >/dev/null 2>&1; then
    kubectl create -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata: {name: 127.0.0.1}
NODE
  fi
}

# kd::upstream::run_all [REGEX]: every function, each a counted test.
kd::upstream::run_all() {
  local filter=${1:-} dir function log rc name started context
  dir=$(kd::upstream::dir)
  kd::upstream::ensure_node
  context=$("${KD_UPSTREAM_KUBECTL:-$KD_BIN/kubectl}" config current-context)
  while read -r function; do
    if [[ -n $filter && ! $function =~ $filter ]]; then
      continue
    fi
    log=$KD_TEST_TMP/upstream-$function.log
    # Not in a condition: errexit must stop the function at its first failed assertion.
    set +o errexit
    started=$SECONDS
    kd::upstream::run "$dir" "$function" "$context" >"$log" 2>&1
    rc=$?
    set -o errexit
    name="upstream${KD_UPSTREAM_LABEL:+ ($KD_UPSTREAM_LABEL)} $function"
    if ((rc == 0)); then
      kd::test::pass "$name"
      kd::test::green "ok   $name ($((SECONDS - started))s)"
    else
      echo "F $name" >>"$KD_TEST_RESULTS"
      kd::test::red "FAIL $name ($((SECONDS - started))s)"
      grep -E 'FAIL|error' "$log" | head -n 5 >&2 || true
    fi
  done < <(kd::upstream::functions "$dir")
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::setup
  trap kd::test::cleanup EXIT
  kd::upstream::run_all "${1:-}"
  kd::test::summary
fi
