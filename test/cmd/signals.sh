#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of Ctrl-C and SIGTERM: whatever the command is blocked on (a FIFO
# named by --custom, -f - with a pipe that stays open, the wait for a debug container
# that never starts), it ends within a second with the shell's code for the signal, says
# what it was doing, and changes nothing more.
#
#   test/cmd/signals.sh [TOPIC-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIGNALS_IMAGE=busybox:1.36

# kd::test::assert_signal_ends SIGNAL CODE ERR_FILE MESSAGE: sends SIGNAL to the command
# kd::test::start_debug started, then checks that it exits within a second with CODE and
# MESSAGE as the last line of its standard error.
kd::test::assert_signal_ends() {
  local signal=$1 code=$2 err=$3 message=$4 start elapsed rc=0
  # The command has long reached the step it blocks on: it starts in tens of ms.
  sleep 0.5
  start=$(date +%s%N)
  kill "-$signal" "$DEBUG_PID"
  while kill -0 "$DEBUG_PID" 2>/dev/null && (($(date +%s%N) - start < 5000000000)); do
    sleep 0.01
  done
  elapsed=$((($(date +%s%N) - start) / 1000000))
  if kill -0 "$DEBUG_PID" 2>/dev/null; then
    kd::test::fail "still running 5s after SIG$signal" "stderr: $(cat "$err")"
    return 1
  fi
  wait "$DEBUG_PID" || rc=$?
  DEBUG_PID=
  kd::test::stop_debug
  if ((elapsed <= 1000)); then
    kd::test::pass "exited ${elapsed}ms after SIG$signal"
  else
    kd::test::fail "exited ${elapsed}ms after SIG$signal, more than a second"
  fi
  kd::test::assert_eq "$rc" "$code" "exit code after SIG$signal"
  kd::test::assert_eq "$(tail -n 1 "$err")" "$message" "stderr after SIG$signal"
}

run_signals_while_reading() {
  kd::test::new_namespace
  kd::test::create_pod app
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err fifo=$KD_TEST_TMP/$NS.custom signal code
  mkfifo "$fifo"
  trap kd::test::stop_debug EXIT

  for signal in INT TERM; do
    [[ $signal == INT ]] && code=130 || code=143

    ### A --custom FIFO nobody writes to: the signal ends the read.
    # Pre-Condition: nothing writes to the FIFO
    kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}{{end}}' ''
    # Command
    kd::test::start_debug "$out" "$err" app --image=$SIGNALS_IMAGE -c dbg --custom="$fifo"
    # Post-Condition
    kd::test::assert_signal_ends "$signal" "$code" "$err" "error: --custom $fifo: reading $fifo: interrupted"
    kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}{{end}}' ''

    ### -f - from a pipe that stays open: the signal ends the read.
    # Command: the standard input start_debug gives stays open and empty
    kd::test::start_debug "$out" "$err" -f - --image=$SIGNALS_IMAGE -c dbg
    # Post-Condition
    kd::test::assert_signal_ends "$signal" "$code" "$err" "error: -f -: reading standard input: interrupted"
    kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}{{end}}' ''
  done
}

run_signals_while_waiting() {
  kd::test::new_namespace
  # node-a has no kubelet: the debug containers never start.
  kd::test::create_pod stuck
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err signal code name
  trap kd::test::stop_debug EXIT

  for signal in INT TERM; do
    [[ $signal == INT ]] && code=130 || code=143
    name=dbg-${signal,,}
    ### The wait for a debug container that never starts ends at the signal.
    # Pre-Condition
    kd::test::get_object_assert pod/stuck '{{.status.phase}}' 'Pending'
    # Command
    kd::test::start_debug "$out" "$err" stuck --image=$SIGNALS_IMAGE -c "$name" -i
    kd::test::wait_for 30 "the ephemeral container to be added" kd::test::has_ephemeral stuck "$name"
    # Post-Condition: the container stays (it cannot be removed); nothing else changed
    kd::test::assert_signal_ends "$signal" "$code" "$err" "error: waiting for container \"$name\" of pod \"stuck\": interrupted"
  done
  kd::test::get_object_assert pod/stuck '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg-int;dbg-term;'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'stuck;'
}

# kd::test::has_ephemeral POD NAME: POD in $NS has the ephemeral container NAME.
kd::test::has_ephemeral() {
  [[ " $(kd::test::pod_field "$1" '{.spec.ephemeralContainers[*].name}') " == *" $2 "* ]]
}

SIGNALS_TOPICS=(
  run_signals_while_reading
  run_signals_while_waiting
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${SIGNALS_TOPICS[@]}"
fi
