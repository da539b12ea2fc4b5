#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of Ctrl-C and SIGTERM: whatever the command is blocked on (a FIFO
# named by --custom, -f - with a pipe that stays open, the wait for a debug container
# that never starts), it ends by itself, without the backstop, with the shell's code for
# the signal, says what it was doing, and changes nothing more.
#
#   test/cmd/signals.sh [TOPIC-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIGNALS_IMAGE=busybox:1.36

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
    kd::test::wait_for 30 "the command to open the FIFO" kd::test::blocked_reading
    # Post-Condition
    kd::test::assert_signal_ends "$signal" "$code" "$err" "error: --custom $fifo: reading $fifo: interrupted"
    kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}{{end}}' ''

    ### -f - from a pipe that stays open: the signal ends the read.
    # Command: the standard input start_debug gives stays open and empty
    kd::test::start_debug "$out" "$err" -f - --image=$SIGNALS_IMAGE -c dbg
    kd::test::wait_for 30 "the command to read its standard input" kd::test::blocked_reading
    # Post-Condition
    kd::test::assert_signal_ends "$signal" "$code" "$err" "error: -f -: reading standard input: interrupted"
    kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}{{end}}' ''
  done
}

run_signals_while_waiting() {
  kd::test::new_namespace
  # node-a has no kubelet: the debug containers never start.
  kd::test::create_pod stuck
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err signal code name from
  trap kd::test::stop_debug EXIT

  for signal in INT TERM; do
    [[ $signal == INT ]] && code=130 || code=143
    name=dbg-${signal,,}
    ### The wait for a debug container that never starts ends at the signal.
    # Pre-Condition
    kd::test::get_object_assert pod/stuck '{{.status.phase}}' 'Pending'
    # Command
    from=$(kd::test::audit_lines)
    kd::test::start_debug "$out" "$err" stuck --image=$SIGNALS_IMAGE -c "$name" -i
    kd::test::wait_for 30 "the ephemeral container to be added" kd::test::has_ephemeral stuck "$name"
    kd::test::wait_for 30 "the command to watch the pod" kd::test::watching_since "$from"
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
