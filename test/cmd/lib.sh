#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Assertion helpers for the integration suite, after kubernetes' hack/lib/test.sh.
#
# Every topic runs in a subshell, so results are appended to a file rather than kept in
# variables; the runner counts them at the end. An assertion that fails prints the file
# and line of its caller and returns 1, which (errexit) ends the topic; the next topic
# still runs.
#
# Needs: KD_BIN (the reference kubectl lives there), KUBECONFIG, DEBUGGER (the command
# under test, possibly with arguments, e.g. "kubectl debug"), KD_TEST_RESULTS (a file).

source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/cluster.sh"

# The reference kubectl, never whatever kubectl the machine has; no request may hang.
# Under hack/test-cmd.sh, through the resident kubectl it keeps (KD_KUBECTL_CALL), which
# runs the same kubectl code on the same streams without a process of its own.
kubectl() {
  if [[ -n ${KD_KUBECTL_CALL:-} ]]; then
    KD_KUBECTL=$KD_BIN/kubectl "$KD_KUBECTL_CALL" --request-timeout=30s "$@"
    return
  fi
  "$KD_BIN/kubectl" --request-timeout=30s "$@"
}

# Namespace of the running topic; set by kd::test::new_namespace.
NS=${NS:-}
# Results of the last kd::test::debug; the assertions read them.
# shellcheck disable=SC2034 # read by the topic files
DEBUG_OUT=${DEBUG_OUT:-} DEBUG_ERR=${DEBUG_ERR:-} DEBUG_RC=${DEBUG_RC:-0}

kd::test::green() { printf '\033[0;32m%s\033[0m\n' "$*"; }
kd::test::red() { printf '\033[0;31m%s\033[0m\n' "$*"; }
if [[ ! -t 1 ]]; then
  kd::test::green() { printf '%s\n' "$*"; }
  kd::test::red() { printf '%s\n' "$*"; }
fi

# Where the assertion was called from: the first frame outside this file and outside
# any assertion helper a topic file defines (kd::test::*assert*).
kd::test::caller() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [[ ${BASH_SOURCE[i]} != "${BASH_SOURCE[0]}" && ${FUNCNAME[i]} != kd::test::*assert* ]]; then
      echo "${BASH_SOURCE[i]#"$KD_ROOT"/}:${BASH_LINENO[i - 1]}"
      return
    fi
  done
  echo "unknown"
}

kd::test::pass() {
  echo "P $1" >>"$KD_TEST_RESULTS"
}

# kd::test::fail MESSAGE...: records the failure with the caller's location; returns 1.
kd::test::fail() {
  local where
  where=$(kd::test::caller)
  echo "F $where" >>"$KD_TEST_RESULTS"
  kd::test::red "FAIL: $where: $1" >&2
  shift
  local line
  for line in "$@"; do
    echo "  $line" >&2
  done
  return 1
}

# kd::test::assert_eq ACTUAL EXPECTED [WHAT]: exact string comparison.
kd::test::assert_eq() {
  local actual=$1 expected=$2 what=${3:-value}
  if [[ $actual == "$expected" ]]; then
    kd::test::pass "$what"
    return 0
  fi
  kd::test::fail "$what" "expected: $expected" "got:      $actual"
}

# kd::test::get_object_assert OBJECT TEMPLATE EXPECTED [KUBECTL ARGS...]
# TEMPLATE is a go-template, or a JSONPath expression when prefixed with "jsonpath=".
# OBJECT is read from namespace $NS unless the extra args say otherwise.
kd::test::get_object_assert() {
  local object=$1 template=$2 expected=$3 output res
  shift 3
  if [[ $template == jsonpath=* ]]; then
    output=$template
  else
    output="go-template=$template"
  fi
  # shellcheck disable=SC2086 # OBJECT may be "pods" plus a selector, split on purpose.
  if ! res=$(kubectl get ${NS:+-n "$NS"} $object -o "$output" "$@" 2>&1); then
    kd::test::fail "kubectl get $object failed" "$res"
    return 1
  fi
  if [[ $res == "$expected" ]]; then
    kd::test::pass "get $object $template"
    return 0
  fi
  kd::test::fail "get $object -o $output" "expected: $expected" "got:      $res"
}

# kd::test::object_absent OBJECT: OBJECT does not exist in $NS.
kd::test::object_absent() {
  local out
  if out=$(kubectl get ${NS:+-n "$NS"} "$1" -o name 2>&1); then
    kd::test::fail "$1 exists" "$out"
    return 1
  fi
  if [[ $out == *NotFound* || $out == *"not found"* ]]; then
    kd::test::pass "$1 absent"
    return 0
  fi
  kd::test::fail "kubectl get $1 failed for another reason" "$out"
}

# kd::test::if_has_string TEXT NEEDLE [WHAT]
kd::test::if_has_string() {
  local text=$1 needle=$2 what=${3:-output}
  if [[ $text == *"$needle"* ]]; then
    kd::test::pass "$what has $needle"
    return 0
  fi
  kd::test::fail "$what does not contain: $needle" "$what was:" "$text"
}

# kd::test::if_has_not_string TEXT NEEDLE [WHAT]
kd::test::if_has_not_string() {
  local text=$1 needle=$2 what=${3:-output}
  if [[ $text != *"$needle"* ]]; then
    kd::test::pass "$what lacks $needle"
    return 0
  fi
  kd::test::fail "$what contains: $needle" "$what was:" "$text"
}

# kd::test::if_has_line_prefix TEXT PREFIX [WHAT]: some line of TEXT starts with PREFIX.
kd::test::if_has_line_prefix() {
  local text=$1 prefix=$2 what=${3:-output} line
  while IFS= read -r line; do
    if [[ $line == "$prefix"* ]]; then
      kd::test::pass "$what has a line starting $prefix"
      return 0
    fi
  done <<<"$text"
  kd::test::fail "no line of $what starts with: $prefix" "$what was:" "$text"
}

# kd::test::assert_signal_ends SIGNAL CODE ERR_FILE [MESSAGE]: sends SIGNAL to the
# command kd::test::start_debug started, which the caller has seen reach the step it
# blocks on (kd::test::blocked_reading, kd::test::watching_since...), then checks that
# the command stopped by itself: it exits with CODE, and the last line of its standard
# error is the one it prints on its way out, after its cleanup: MESSAGE when given, else
# a line naming the interruption. The plugin's backstop, which ends a process whose
# step ignored the signal 3 s after it, prints nothing, so a step that hangs leaves
# another last line and fails here; how long the stop took on a loaded machine does not
# matter. A process still running 30 s after the signal fails too.
kd::test::assert_signal_ends() {
  local signal=$1 code=$2 err=$3 message=${4:-} deadline last rc=0
  kill "-$signal" "$DEBUG_PID"
  deadline=$((SECONDS + 30))
  while kill -0 "$DEBUG_PID" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.05
  done
  if kill -0 "$DEBUG_PID" 2>/dev/null; then
    kd::test::fail "still running 30s after SIG$signal" "stderr: $(cat "$err")"
    return 1
  fi
  wait "$DEBUG_PID" || rc=$?
  DEBUG_PID=
  kd::test::stop_debug
  kd::test::assert_eq "$rc" "$code" "exit code after SIG$signal"
  last=$(tail -n 1 "$err")
  if [[ -n $message ]]; then
    kd::test::assert_eq "$last" "$message" "last line of stderr after SIG$signal"
  elif [[ $last == *interrupted* ]]; then
    kd::test::pass "stopped by its own cleanup after SIG$signal: $last"
  else
    kd::test::fail "the last line of stderr after SIG$signal names no interruption (ended by the backstop?)" \
      "stderr: $(cat "$err")"
  fi
}

# kd::test::blocked_reading: the command kd::test::start_debug started is blocked opening
# or reading a FIFO or a pipe: one of its threads waits for one in the kernel, as Linux
# names it in /proc/PID/task/TID/wchan. Without /proc, or where the kernel keeps the names
# to itself, it has had a second to get there.
kd::test::blocked_reading() {
  local wchan names=""
  if [[ ! -d /proc/self/task ]] || ! kill -0 "$DEBUG_PID" 2>/dev/null; then
    sleep 1
    return 0
  fi
  for wchan in /proc/"$DEBUG_PID"/task/*/wchan; do
    names+=" $(cat "$wchan" 2>/dev/null || true)"
  done
  case $names in
  *pipe* | *fifo* | *wait_for_partner*) return 0 ;;
  esac
  if [[ -z ${names//[ 0]/} ]]; then
    sleep 1
    return 0
  fi
  return 1
}

# kd::test::watching_since LINE: after audit line LINE, a client other than the fake
# kubelet opened a watch of pods in $NS (the apiserver started its answer): the command
# under test waiting on a pod is blocked on that watch.
kd::test::watching_since() {
  local events
  events=$(tail -n "+$(($1 + 1))" "$KD_CLUSTER_DIR/audit.log" |
    grep -F '"stage":"ResponseStarted"' | grep -F '"verb":"watch"' |
    grep -F "\"namespace\":\"$NS\"" | grep -v -F '"userAgent":"kwok' || true)
  [[ -n $events ]]
}

# kd::test::command: the command under test, as the array KD_CMD, with
# --match-server-version, which kubernetes' own test/cmd passes to every kubectl call.
kd::test::command() {
  read -r -a KD_CMD <<<"$DEBUGGER"
  KD_CMD+=(--match-server-version)
}

# kd::test::start_debug OUT ERR ARGS...: starts the command under test in the background,
# in its own process group so that SIGINT reaches it (a plain background job of a script
# ignores SIGINT), with a stdin that stays open like a terminal nobody types into; sets
# DEBUG_PID.
kd::test::start_debug() {
  local out=$1 err=$2 fifo
  shift 2
  kd::test::command
  fifo=$(mktemp -u "$KD_TEST_TMP/$NS.stdin.XXXXXX")
  mkfifo "$fifo"
  exec {DEBUG_STDIN}<>"$fifo"
  set -o monitor
  "${KD_CMD[@]}" -n "$NS" "$@" >"$out" 2>"$err" <"$fifo" &
  DEBUG_PID=$!
  set +o monitor
}

# kd::test::stop_debug: ends the process kd::test::start_debug started, if still running.
kd::test::stop_debug() {
  if [[ -n ${DEBUG_PID:-} ]] && kill -0 "$DEBUG_PID" 2>/dev/null; then
    kill -TERM "$DEBUG_PID" 2>/dev/null || true
    # Bounded: a process that ignores SIGTERM gets SIGKILL after 5 s.
    local i
    for ((i = 0; i < 50; i++)); do
      kill -0 "$DEBUG_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$DEBUG_PID" 2>/dev/null || true
    wait "$DEBUG_PID" 2>/dev/null || true
  fi
  DEBUG_PID=
  if [[ -n ${DEBUG_STDIN:-} ]]; then
    exec {DEBUG_STDIN}>&-
    DEBUG_STDIN=
  fi
}

# kd::test::debug ARGS...: runs the command under test with ARGS plus "-n $NS" and
# stores stdout, stderr and the exit code in DEBUG_OUT, DEBUG_ERR and DEBUG_RC. Never
# fails by itself; assert on DEBUG_RC. Standard input is $KD_TEST_STDIN, else empty.
kd::test::debug() {
  # Named after the shell that runs it, which no other command of the suite shares (and
  # not made by mktemp, a process more for every command the suite checks).
  local out=$KD_TEST_TMP/debug.$BASHPID.out err=$KD_TEST_TMP/debug.$BASHPID.err
  kd::test::command
  DEBUG_RC=0
  # A regression that makes it wait forever fails the topic instead of hanging CI.
  timeout -k 5 120 "${KD_CMD[@]}" ${NS:+-n "$NS"} "$@" >"$out" 2>"$err" <"${KD_TEST_STDIN:-/dev/null}" || DEBUG_RC=$?
  DEBUG_OUT=$(<"$out") DEBUG_ERR=$(<"$err")
  rm -f "$out" "$err"
  if [[ -n ${KD_TEST_VERBOSE:-} ]]; then
    echo "+ $DEBUGGER $* -> $DEBUG_RC" >&2
    [[ -z $DEBUG_OUT ]] || printf '  stdout: %s\n' "$DEBUG_OUT" >&2
    [[ -z $DEBUG_ERR ]] || printf '  stderr: %s\n' "$DEBUG_ERR" >&2
  fi
}

# kd::test::debug_start NAME COMMAND ARGS...: runs COMMAND (kd::test::debug, or a helper
# that calls it) in the background, so that commands that each wait for the cluster run at
# the same time; kd::test::debug_finish NAME waits for it and sets DEBUG_OUT, DEBUG_ERR
# and DEBUG_RC as COMMAND did. NAME tells the commands of a topic apart.
kd::test::debug_start() {
  local name=$1 saved=$KD_TEST_TMP/$NS.bg.$1
  shift
  (
    "$@"
    printf '%s' "$DEBUG_OUT" >"$saved.out"
    printf '%s' "$DEBUG_ERR" >"$saved.err"
    echo "$DEBUG_RC" >"$saved.rc"
  ) &
  echo $! >"$saved.pid"
}

kd::test::debug_finish() {
  local saved=$KD_TEST_TMP/$NS.bg.$1
  wait "$(<"$saved.pid")" || true
  if [[ ! -f $saved.rc ]]; then
    kd::test::fail "the background command $1 ended without its results"
    return 1
  fi
  DEBUG_OUT=$(<"$saved.out") DEBUG_ERR=$(<"$saved.err") DEBUG_RC=$(<"$saved.rc")
  rm -f "$saved".*
}

# kd::test::sessions ARGS...: `kubectl debugger sessions` with ARGS, as kd::test::debug
# runs the command under test (-n $NS added, which -A overrides).
kd::test::sessions() {
  DEBUGGER="$(dirname "${DEBUGGER%% *}")/kubectl-debugger-sessions" kd::test::debug "$@"
}

# kd::test::sessions_table TEXT: the table TEXT with its columns joined by " | " (their
# widths follow the widest value), the values of its AGE column replaced by "AGE", and the
# random suffix of node debugging pods' names by XXXXX, so that it can be compared whole.
kd::test::sessions_table() {
  sed -E 's/(node-debugger-[a-z0-9-]+-)[a-z0-9]{5}/\1XXXXX/' <<<"$1" | awk -F '  +' '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "AGE") age = i }
    NR > 1 && age { $age = "AGE" }
    { line = $1; for (i = 2; i <= NF; i++) line = line " | " $i; print line }'
}

# kd::test::assert_success / kd::test::assert_failure: on the last kd::test::debug.
kd::test::assert_success() {
  if ((DEBUG_RC == 0)); then
    kd::test::pass "exit 0"
    return 0
  fi
  kd::test::fail "the command failed (exit $DEBUG_RC)" "stdout: $DEBUG_OUT" "stderr: $DEBUG_ERR"
}

kd::test::assert_failure() {
  if ((DEBUG_RC == 0)); then
    kd::test::fail "the command succeeded but should have failed" "stdout: $DEBUG_OUT" "stderr: $DEBUG_ERR"
    return 1
  fi
  if [[ -z $DEBUG_ERR ]]; then
    kd::test::fail "the command failed (exit $DEBUG_RC) without a message on stderr"
    return 1
  fi
  kd::test::pass "non-zero exit with a message"
}

# kd::test::new_namespace [LABEL=VALUE...]: a fresh namespace for the topic, once the
# controller-manager has given it the ServiceAccount "default", without which pods are
# refused, and the kube-root-ca.crt ConfigMap, without which a real kubelet cannot start
# them.
# shellcheck disable=SC2120 # labels are optional
kd::test::new_namespace() {
  local topic=test label f
  # Named after the topic, also when a helper of the topic file calls this.
  for f in "${FUNCNAME[@]:1}"; do
    if [[ $f == run_* ]]; then
      topic=$f
      break
    fi
  done
  topic=${topic#run_}
  topic=${topic//_/-}
  NS="$(printf '%.40s' "$topic")-$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')"
  kubectl create namespace "$NS" >/dev/null
  for label in "$@"; do
    kubectl label namespace "$NS" "$label" >/dev/null
  done
  kd::test::wait_for 30 "the ServiceAccount and root CA of namespace $NS" kd::test::namespace_populated "$NS"
}

# kd::test::namespace_populated NS: NS has the ServiceAccount "default" and the
# kube-root-ca.crt ConfigMap.
kd::test::namespace_populated() {
  kubectl get -n "$1" serviceaccount/default configmap/kube-root-ca.crt
}

# kd::test::create_pod NAME [NODE] [ANNOTATION=VALUE]: a pod that passes Pod Security
# "restricted", so every namespace accepts it. Without NODE it is bound to node-a, which
# no fake kubelet manages: its containers stay waiting.
kd::test::create_pod() {
  local name=$1 node=${2:-node-a} annotation=${3:-}
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $name
  labels: {app: $name}
  annotations: {${annotation:+"${annotation%%=*}": "${annotation#*=}"}}
spec:
  nodeName: $node
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
    env: [{name: MODE, value: prod}]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
EOF
}

# kd::test::ensure_node_a: the Node node-a, which no kubelet manages, so node debugging
# pods bound to it are created and then left alone. Nodes are cluster-wide: another topic
# may have made it already.
kd::test::ensure_node_a() {
  if ! kubectl get node node-a >/dev/null 2>&1; then
    kubectl create -f "$KD_ROOT/test/conformance/fixtures/node.yaml" >/dev/null
  fi
}

# kd::test::audited_since LINE: the audit events of requests of the user admin that
# completed after audit line LINE, not counting the fake kubelet (same user). The event
# of the last response can trail the client's exit by a moment, so it waits for the
# lines to settle.
kd::test::audited_since() {
  local from=$1 events last=unset
  for _ in $(seq 1 20); do
    events=$(tail -n "+$((from + 1))" "$KD_CLUSTER_DIR/audit.log" |
      grep -F '"stage":"ResponseComplete"' | grep -F '"user":{"username":"admin"' |
      grep -v -F '"userAgent":"kwok' || true)
    [[ $events != "$last" ]] || break
    last=$events
    sleep 0.05
  done
  [[ -z $events ]] || printf '%s\n' "$events"
}

# kd::test::audit_lines: how many lines the audit log has.
kd::test::audit_lines() {
  wc -l <"$KD_CLUSTER_DIR/audit.log"
}

# kd::test::wait_for TIMEOUT_SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
kd::test::wait_for() {
  local timeout=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      kd::test::fail "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# kd::test::wait_running SECONDS POD: waits up to SECONDS for POD in $NS to be in phase
# Running, with one watch (kubectl wait): a pod on the real node takes seconds, and a
# kubectl process each 0.2 s to ask costs more CPU than the machine can spare while the
# suite runs.
kd::test::wait_running() {
  local err
  if ! err=$("$KD_BIN/kubectl" wait -n "$NS" --for=jsonpath='{.status.phase}'=Running "pod/$2" --timeout="$1s" 2>&1 >/dev/null); then
    kd::test::fail "pod $2 did not run within $1s: $err"
    return 1
  fi
}

# kd::test::pod_field POD JSONPATH: prints a field of POD in $NS.
kd::test::pod_field() {
  kubectl get pod -n "$NS" "$1" -o "jsonpath=$2"
}

# kd::test::pod_running POD: POD in $NS is in phase Running.
kd::test::pod_running() {
  [[ $(kd::test::pod_field "$1" '{.status.phase}') == Running ]]
}

# kd::test::run_topics TOPIC...: runs each topic function in its own subshell with
# errexit, so the first failed assertion ends that topic only.
kd::test::run_topics() {
  local topic rc before started filter=${KD_TEST_FILTER:-}
  for topic in "$@"; do
    if [[ -n $filter && ! $topic =~ $filter ]]; then
      continue
    fi
    kd::log "running $topic"
    before=$(kd::test::count F) started=$SECONDS
    set +o errexit
    (
      set -o errexit
      "$topic"
    )
    rc=$?
    set -o errexit
    if ((rc == 0)); then
      kd::test::green "ok   $topic ($((SECONDS - started))s)"
      continue
    fi
    # A topic can also die outside an assertion, in its setup: that counts as a failure.
    if (($(kd::test::count F) == before)); then
      echo "F $topic: exit $rc outside an assertion" >>"$KD_TEST_RESULTS"
      kd::test::red "FAIL: $topic: a command failed outside an assertion (exit $rc)" >&2
    fi
    kd::test::red "FAIL $topic ($((SECONDS - started))s)"
  done
}

# kd::test::count P|F: how many assertions passed or failed so far.
kd::test::count() {
  grep -c "^$1 " "$KD_TEST_RESULTS" || true
}

# kd::test::setup: points the suite at the running local cluster and prepares the
# results file and a scratch directory (removed by kd::test::cleanup).
kd::test::setup() {
  if [[ ! -f $KD_CLUSTER_DIR/env ]]; then
    kd::log "no local cluster is running; start one with hack/local-up-cluster.sh"
    return 1
  fi
  KUBECONFIG=$KD_CLUSTER_DIR/kubeconfig
  DEBUGGER=${DEBUGGER:-$KD_ROOT/_output/bin/kubectl-debugger}
  KD_TEST_TMP=${KD_TEST_TMP:-$(mktemp -d)}
  KD_TEST_RESULTS=${KD_TEST_RESULTS:-$KD_TEST_TMP/results}
  : >>"$KD_TEST_RESULTS"
  export KUBECONFIG DEBUGGER KD_TEST_TMP KD_TEST_RESULTS KD_BIN KD_ROOT KD_CLUSTER_DIR
}

kd::test::cleanup() {
  [[ -z ${KD_TEST_TMP:-} ]] || rm -rf "$KD_TEST_TMP"
}

# kd::test::summary: the closing line, "N passed, N failed"; fails when anything failed.
kd::test::summary() {
  local passed failed
  passed=$(kd::test::count P)
  failed=$(kd::test::count F)
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

# kd::test::standalone FILTER TOPIC...: runs the topics that match FILTER against a
# cluster that is already up, as a suite file does when it is run on its own.
kd::test::standalone() {
  local filter=$1
  shift
  kd::test::setup
  trap kd::test::cleanup EXIT
  KD_TEST_FILTER=$filter kd::test::run_topics "$@"
  kd::test::summary
}
