#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of the wait-then-attach path, end to end through kube-apiserver to the
# fake kubelet (kwok): pods on node $KD_KWOK_NODE run, their ephemeral containers get
# running statuses, attach streams the lines appended to kwok/attach.log, and logs serve
# kwok/logs.log. Pods on node-a are never started by anyone.
#
#   test/cmd/attach.sh [TOPIC-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ATTACH_IMAGE=busybox:1.36

kd::test::ephemeral_count_is() {
  [[ $(kd::test::pod_field "$1" '{.spec.ephemeralContainers[*].name}' | wc -w) -eq $2 ]]
}

run_attach_waits_and_streams() {
  kd::test::new_namespace
  kd::test::create_pod app "$KD_KWOK_NODE"
  kd::test::wait_for 30 "pod app to run" kd::test::pod_running app
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err marker
  marker="attached-$NS"
  trap kd::test::stop_debug EXIT

  ### -i waits for the ephemeral container, attaches and streams its output.
  # Pre-Condition: the pod runs on the fake kubelet's node
  kd::test::get_object_assert pod/app '{{.status.phase}} {{.spec.nodeName}}' "Running $KD_KWOK_NODE"
  # Command
  kd::test::start_debug "$out" "$err" app --image=$ATTACH_IMAGE -c dbg -i
  # Post-Condition: the marker written after the attach shows up in the output
  local deadline=$((SECONDS + 30))
  until grep -q "$marker" "$out" 2>/dev/null; do
    if ((SECONDS > deadline)) || ! kill -0 "$DEBUG_PID" 2>/dev/null; then
      kd::test::fail "no attached output within 30s" "stdout: $(cat "$out")" "stderr: $(cat "$err")"
    fi
    printf '%s stdout F %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$marker" >>"$KD_CLUSTER_DIR/kwok/attach.log"
    sleep 0.5
  done
  kd::test::pass "attached output"
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{if .state.running}}running{{end}}{{end}}' 'dbg:running'
  kd::test::stop_debug
}

run_attach_terminated_falls_back_to_logs() {
  kd::test::new_namespace
  kd::test::create_pod finished "$KD_KWOK_NODE" kubectl-debugger.test/ephemeral=terminated
  kd::test::wait_for 30 "pod finished to run" kd::test::pod_running finished

  ### A debug container that already terminated: its logs are shown instead.
  # Pre-Condition: kwok terminates this pod's ephemeral containers at once
  kd::test::get_object_assert pod/finished '{{index .metadata.annotations "kubectl-debugger.test/ephemeral"}}' 'terminated'
  # Command
  kd::test::command
  DEBUG_RC=0
  DEBUG_OUT=$(timeout 30 "${KD_CMD[@]}" -n "$NS" finished --image=$ATTACH_IMAGE -c dbg -i </dev/null 2>"$KD_TEST_TMP/$NS.err") || DEBUG_RC=$?
  DEBUG_ERR=$(<"$KD_TEST_TMP/$NS.err")
  # Post-Condition: exit 0 with the container's logs
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" 'hello from the fake kubelet' stdout
  kd::test::if_has_string "$DEBUG_OUT" 'debug container finished' stdout
  kd::test::get_object_assert pod/finished '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{.state.terminated.reason}}{{end}}' 'dbg:Completed'
}

run_attach_interrupt_while_waiting() {
  kd::test::new_namespace
  # node-a has no kubelet: the debug container never starts.
  kd::test::create_pod stuck
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err from rv
  trap kd::test::stop_debug EXIT

  ### SIGINT while waiting ends the command by itself, with 130, and changes nothing else.
  # Pre-Condition
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'stuck;'
  # Command
  from=$(kd::test::audit_lines)
  kd::test::start_debug "$out" "$err" stuck --image=$ATTACH_IMAGE -c dbg -i
  kd::test::wait_for 30 "the ephemeral container to be added" kd::test::ephemeral_count_is stuck 1
  kd::test::wait_for 30 "the command to watch the pod" kd::test::watching_since "$from"
  rv=$(kd::test::pod_field stuck '{.metadata.resourceVersion}')
  # Post-Condition
  kd::test::assert_signal_ends INT 130 "$err" 'error: waiting for container "dbg" of pod "stuck": interrupted'
  kd::test::get_object_assert pod/stuck '{{.metadata.resourceVersion}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}' "$rv:dbg;"
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'stuck;'
}

ATTACH_TOPICS=(
  run_attach_waits_and_streams
  run_attach_terminated_falls_back_to_logs
  run_attach_interrupt_while_waiting
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${ATTACH_TOPICS[@]}"
fi
