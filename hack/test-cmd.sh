#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# The integration suite: builds the control plane when the cache lacks it, starts a
# throw-away local cluster, runs test/cmd/*.sh and the conformance cases against it, and
# always stops the cluster. The real-node topics run at the same time on a second
# cluster, the one with the real node; their output follows the others'. The closing line is "N passed, N failed"; any failure makes
# the exit status non-zero.
#
# Environment:
#   DEBUGGER             command under test (default _output/bin/kubectl-debugger); it may
#                        carry arguments, e.g. DEBUGGER="$KD_BIN/kubectl debug"
#   KD_TEST_FILTER       regex: only the bash topics it matches
#   KD_CONFORMANCE_RUN   go test -run pattern for the conformance cases (default all)
#   KD_CONFORMANCE_SKIP  comma-separated conformance case IDs to skip
#   KD_TEST_VERBOSE      non-empty: print every command's output
#   KD_NODE              real (default): a second cluster gets a real node too, and
#                        test/cmd/realnode.sh runs on it beside the other topics, then
#                        the suite checks that stopping it left nothing behind; kwok: fake nodes only, the
#                        real-node tests are reported as skipped. Where the machine
#                        cannot run a real node they are skipped too, with the reason.
#   KD_KUBECTL_RESIDENT  0: every kubectl call of the topics and of the upstream runs
#                        starts a kubectl process, rather than going to the resident
#                        kubectl (hack/lib/resident.sh)
#   KD_UPSTREAM          0: skip kubernetes' own test/cmd/debug.sh, which otherwise runs
#                        against the plugin and against the drop-in kubectl
#                        (_output/bin/kubectl, built when missing or stale), one after
#                        the other on a cluster of their own (hack/test-upstream.sh), in
#                        the background while the suite runs; their results follow the
#                        suite's
set -o errexit -o nounset -o pipefail

# Started with SIGINT or SIGQUIT ignored (as a background job of a script, which is how
# some CI runners start it, or under nohup), the suite would pass that on to every command
# it starts, and no Ctrl-C case could tell the command's handling of it from a signal that
# never arrives: it starts again with the defaults a command started from a terminal has.
if [[ -n $(trap -p INT QUIT) ]]; then
  exec env --default-signal=INT,QUIT "$BASH" "$0" "$@"
fi

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# Separate from `make local-up`'s cluster, so a running one does not get in the way.
export KD_CLUSTER_DIR=${KD_CLUSTER_DIR:-$KD_ROOT/_output/test-cluster}
KD_NODE=${KD_NODE:-real}
source "$KD_ROOT/hack/lib/cluster.sh"
source "$KD_ROOT/hack/lib/node.sh"
source "$KD_ROOT/hack/lib/resident.sh"

"$KD_ROOT/hack/build-server.sh"

DEBUGGER=${DEBUGGER:-$KD_ROOT/_output/bin/kubectl-debugger}
read -r -a debugger_cmd <<<"$DEBUGGER"
if [[ ! -x ${debugger_cmd[0]} ]]; then
  kd::log "${debugger_cmd[0]} is missing: run make build first"
  exit 1
fi
export DEBUGGER

KD_TEST_TMP=$(mktemp -d)
export KD_TEST_TMP
# The real node's cluster; the suite's own has fake nodes only.
realnode_cluster=$KD_CLUSTER_DIR-node
realnode_pid=""
stop() {
  if [[ -n $realnode_pid ]]; then
    # Its own process group (see below): the topics and what they started.
    kill -TERM -- "-$realnode_pid" 2>/dev/null || true
    wait "$realnode_pid" 2>/dev/null || true
    realnode_pid=""
  fi
  "$KD_ROOT/hack/local-down-cluster.sh" || true
  if [[ -d $realnode_cluster ]]; then
    KD_CLUSTER_DIR=$realnode_cluster "$KD_ROOT/hack/local-down-cluster.sh" || true
  fi
  kd::resident::stop
  rm -rf "$KD_TEST_TMP"
}
# The upstream runs outlive the suite's clusters: their output has a directory of its own.
upstream_out=$(mktemp -d)
upstream_pid=""
stop_upstream() {
  if [[ -n $upstream_pid ]]; then
    # Its own process group (see below); each run stops its own cluster on its way out.
    kill -TERM -- "-$upstream_pid" 2>/dev/null || true
    wait "$upstream_pid" 2>/dev/null || true
    upstream_pid=""
  fi
  rm -rf "$upstream_out"
}
trap 'stop; stop_upstream' EXIT

# The topics' kubectl stays resident (hack/lib/resident.sh): each of their 800 or so
# kubectl calls costs a connection, not a kubectl start-up of about 0.1 s of CPU, which on
# 2 cores was the largest part of the suite's time. What it does not run, and every call
# made before it listens, runs in a kubectl process of its own. The upstream runs, which
# outlive it, keep one of their own.
kd::resident::start "$KD_TEST_TMP"

source "$KD_ROOT/test/cmd/lib.sh"
source "$KD_ROOT/test/cmd/realnode.sh"

# Whether the real-node topics run: the machine must be able to run a node, and a
# filter must not leave them all out.
realnode_skipped=""
realnode_wanted=${#REALNODE_TOPICS[@]}
if [[ -n ${KD_TEST_FILTER:-} ]]; then
  realnode_wanted=0
  for topic in "${REALNODE_TOPICS[@]}"; do
    [[ ! $topic =~ $KD_TEST_FILTER ]] || realnode_wanted=$((realnode_wanted + 1))
  done
fi
if ((realnode_wanted == 0)); then
  KD_NODE=kwok
elif [[ $KD_NODE != real ]]; then
  realnode_skipped="KD_NODE=$KD_NODE"
else
  realnode_skipped=$(kd::node::unsupported_reason)
  [[ -z $realnode_skipped ]] || KD_NODE=kwok
fi
export KD_NODE

# A run killed before it could stop its clusters leaves them behind: these directories
# are the suite's own, so stop whatever they still record.
"$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true
if [[ -d $realnode_cluster ]]; then
  KD_CLUSTER_DIR=$realnode_cluster "$KD_ROOT/hack/local-down-cluster.sh" >/dev/null 2>&1 || true
fi
# Both clusters start at once. A machine that can run a node but where it does not start
# is a failure, not a skip; the rest of the suite still runs, so the counts come out.
realnode_attempted=$KD_NODE realnode_start_failed=0 realnode_up_pid=""
if [[ $KD_NODE == real ]]; then
  KD_CLUSTER_DIR=$realnode_cluster "$KD_ROOT/hack/local-up-cluster.sh" >/dev/null 2>"$KD_TEST_TMP/realnode-up.log" &
  realnode_up_pid=$!
fi
KD_NODE=kwok "$KD_ROOT/hack/local-up-cluster.sh" >/dev/null
if [[ -n $realnode_up_pid ]]; then
  if wait "$realnode_up_pid"; then
    sed 's/^/[real node] /' "$KD_TEST_TMP/realnode-up.log" >&2
  else
    cat "$KD_TEST_TMP/realnode-up.log" >&2
    kd::test::red "FAIL the cluster with a real node did not start (see above); going on with fake nodes only"
    realnode_start_failed=1
    KD_NODE=kwok
  fi
fi
source "$KD_ROOT/test/cmd/debug.sh"
source "$KD_ROOT/test/cmd/attach.sh"
source "$KD_ROOT/test/cmd/custom.sh"
source "$KD_ROOT/test/cmd/dryrun.sh"
source "$KD_ROOT/test/cmd/fanout.sh"
source "$KD_ROOT/test/cmd/signals.sh"
source "$KD_ROOT/test/cmd/sessions.sh"
kd::test::setup

# kd::test_cmd::realnode_start: the real-node topics in the background, on the real
# node's cluster, with results of their own; kd::test_cmd::realnode_report waits for
# them, then prints their output and adds their results to the suite's. They run as a
# job of their own (monitor mode): a plain background job of a script ignores SIGINT, and
# so would everything they start, unlike a command started from a terminal.
kd::test_cmd::realnode_start() {
  set -o monitor
  KD_CLUSTER_DIR=$realnode_cluster KUBECONFIG=$realnode_cluster/kubeconfig \
    KD_TEST_RESULTS=$KD_TEST_TMP/realnode-results kd::test_cmd::realnode_topics \
    </dev/null >"$KD_TEST_TMP/realnode.out" 2>&1 &
  realnode_pid=$!
  set +o monitor
}

# kd::test_cmd::realnode_topics: the real-node topics against $KD_CLUSTER_DIR.
kd::test_cmd::realnode_topics() {
  # Only the job itself was to be one: the topics start theirs as they need them.
  set +o monitor
  KD_REAL_NODE=$(sed -n 's/^KD_REAL_NODE=//p' "$KD_CLUSTER_DIR/env")
  kd::test::run_topics "${REALNODE_TOPICS[@]}"
}

kd::test_cmd::realnode_report() {
  wait "$realnode_pid" || true
  realnode_pid=""
  kd::log "the real-node topics, which ran beside the ones above on the real node's cluster:"
  cat "$KD_TEST_TMP/realnode.out"
  cat "$KD_TEST_TMP/realnode-results" >>"$KD_TEST_RESULTS" 2>/dev/null || true
}

# kd::test_cmd::upstream_start: hack/test-upstream.sh against the plugin, then the
# drop-in kubectl, on a cluster of its own, in the background (both at once would leave no
# core to the topics, whose signal cases need the plugin to finish its cleanup promptly),
# as a job of its own that stop_upstream can end whole; its output, exit code and start
# time are kept in $upstream_out. kd::test_cmd::upstream_report reports it.
kd::test_cmd::upstream_start() {
  set -o monitor
  kd::test_cmd::upstream_run </dev/null >/dev/null 2>&1 &
  upstream_pid=$!
  set +o monitor
}

kd::test_cmd::upstream_run() {
  set +o monitor
  local rc=0
  date +%s >"$upstream_out/started"
  # Its own cluster, results and scratch space, not this suite's.
  env -u KD_CLUSTER_DIR -u KD_TEST_RESULTS -u KD_TEST_TMP -u KUBECONFIG -u KD_KUBECTL_SOCKET -u KD_KUBECTL_CALL KD_NODE=kwok \
    DEBUGGER="$DEBUGGER" KD_UPSTREAM_KUBECTL="$dropin" KD_CLUSTER_DIR="$KD_ROOT/_output/upstream-cluster" \
    "$KD_ROOT/hack/test-upstream.sh" plugin kubectl >"$upstream_out/out" 2>&1 || rc=$?
  echo "$rc" >"$upstream_out/rc"
}

# kd::test_cmd::upstream_report: once the runs have ended, prints their output and adds
# their results to the counts; runs that end without the closing line count as one
# failure.
kd::test_cmd::upstream_report() {
  local out=$upstream_out/out rc=1 last up_passed up_failed took
  if [[ -n $upstream_pid ]]; then
    wait "$upstream_pid" || true
    upstream_pid=""
  fi
  [[ ! -f $upstream_out/rc ]] || rc=$(<"$upstream_out/rc")
  # Runs that never started (the job was ended first) have no output.
  [[ -f $out ]] || : >"$out"
  [[ -s $upstream_out/started ]] || date +%s >"$upstream_out/started"
  grep -v -E '^\+\+\+ ' "$out" | sed '$d' || true
  last=$(tail -n 1 "$out")
  if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    up_passed=${BASH_REMATCH[1]} up_failed=${BASH_REMATCH[2]}
  else
    tail -n 20 "$out" >&2
    up_passed=0 up_failed=1
  fi
  if ((rc != 0 && up_failed == 0)); then
    up_failed=1
  fi
  # From its start to its last line of output.
  took=$(($(stat -c %Y "$out") - $(<"$upstream_out/started")))
  kd::log "upstream debug.sh (plugin, then kubectl): $up_passed passed, $up_failed failed (${took}s, beside the suite)"
  passed=$((passed + up_passed))
  failed=$((failed + up_failed))
}

if [[ ${KD_UPSTREAM:-1} != 0 ]]; then
  dropin=$KD_ROOT/_output/bin/kubectl
  # make test builds it just before (verify-kubernetes-patch); a run on its own must not
  # test a kubectl built from older sources.
  if [[ ! -x $dropin || -n $(find "$KD_ROOT/pkg" "$KD_ROOT/internal" "$KD_ROOT/go.mod" -newer "$dropin" -print -quit) ]]; then
    "$KD_ROOT/hack/build-kubectl.sh"
  fi
fi

started=$SECONDS
if [[ -z $realnode_skipped && $KD_NODE == real ]]; then
  kd::log "the real-node topics, on the real node's cluster, in the background"
  kd::test_cmd::realnode_start
fi
if [[ ${KD_UPSTREAM:-1} != 0 ]]; then
  kd::log "kubernetes' debug.sh against the plugin, then the drop-in kubectl, in the background"
  kd::test_cmd::upstream_start
fi
kd::test::run_topics "${DEBUG_TOPICS[@]}" "${ATTACH_TOPICS[@]}" "${CUSTOM_TOPICS[@]}" "${DRY_RUN_TOPICS[@]}" "${FANOUT_TOPICS[@]}" "${SIGNALS_TOPICS[@]}" "${SESSIONS_TOPICS[@]}"


conformance_started=$SECONDS
kd::log "conformance cases"
conformance_log=$KD_TEST_TMP/conformance.log
conformance_rc=0
(
  cd "$KD_ROOT/test/conformance"
  KD_KUBECONFIG=$KUBECONFIG go test -tags integration -count=1 -v \
    -run "TestConformance/${KD_CONFORMANCE_RUN:-}" .
) >"$conformance_log" 2>&1 || conformance_rc=$?
# Failures in full, passes as one line each.
grep -v -e '^=== RUN' -e '^=== PAUSE' -e '^=== CONT' "$conformance_log" || true
conf_passed=$(grep -c -E '^\s+--- PASS: TestConformance/' "$conformance_log" || true)
conf_failed=$(grep -c -E '^\s+--- FAIL: TestConformance/' "$conformance_log" || true)
if ((conformance_rc != 0 && conf_failed == 0)); then
  # The runner did not get as far as the cases (a build error, no cluster).
  conf_failed=1
fi
kd::log "conformance: $conf_passed passed, $conf_failed failed ($((SECONDS - conformance_started))s)"

if [[ -n $realnode_pid ]]; then
  kd::test_cmd::realnode_report
fi
read -r bash_passed bash_failed <<<"$(kd::test::count P) $(kd::test::count F)"
kd::log "bash suite: $bash_passed passed, $bash_failed failed ($((SECONDS - started))s with the conformance cases)"

passed=$((bash_passed + conf_passed))
failed=$((bash_failed + conf_failed + realnode_start_failed))
trap stop_upstream EXIT
stop

# Stopping the real node must leave no process, mount, cgroup, link or file behind.
if [[ $realnode_attempted == real ]]; then
  if leftovers=$(KD_CLUSTER_DIR=$realnode_cluster kd::node::leftovers); then
    kd::test::green "ok   the real node left nothing behind"
    passed=$((passed + 1))
  else
    kd::test::red "FAIL the real node left these behind:"
    printf '  %s\n' "$leftovers" >&2
    failed=$((failed + 1))
  fi
fi

if [[ ${KD_UPSTREAM:-1} != 0 ]]; then
  kd::test_cmd::upstream_report
fi
trap - EXIT
stop_upstream
if [[ -n $realnode_skipped ]]; then
  # The real-node topics and the check of what stopping the node left.
  echo "$passed passed, $failed failed, $((realnode_wanted + 1)) skipped (real node: $realnode_skipped)"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
