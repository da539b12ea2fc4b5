#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of debug sessions: --rm deletes the copy or node pod however the
# session ends (the container exits, Ctrl-C, SIGTERM), --run-as=target passes Pod
# Security "restricted", and a watch the server closes mid-wait does not end the wait.
# kwok stands in for the kubelet on $KD_KWOK_NODE (see hack/kwok/stages.yaml for the
# annotations that make its containers end or start late); node-a has none.
#
#   test/cmd/sessions.sh [TOPIC-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SESSIONS_IMAGE=busybox:1.36
DEBUG_PODS='app.kubernetes.io/managed-by=kubectl-debug'

# kd::test::debug_pods: "name:node;" for every pod in $NS marked as a debugging pod.
kd::test::debug_pods() {
  kubectl get pods -n "$NS" -l "$DEBUG_PODS" -o go-template='{{range .items}}{{.metadata.name}}:{{.spec.nodeName}};{{end}}'
}

# kd::test::has_debug_pod: some debugging pod exists in $NS.
kd::test::has_debug_pod() {
  [[ -n $(kd::test::debug_pods) ]]
}

run_sessions_rm_when_the_container_ends() {
  kd::test::new_namespace
  # kwok ends this pod's containers at once, and those of a copy that keeps its
  # annotations: the debug session ends by itself.
  kubectl create -n "$NS" -f - >/dev/null <<POD
apiVersion: v1
kind: Pod
metadata: {name: ended, annotations: {kubectl-debugger.test/containers: terminated}}
spec:
  nodeName: $KD_KWOK_NODE
  containers: [{name: main, image: $SESSIONS_IMAGE}]
POD
  local profile=$KD_TEST_TMP/$NS-ends.yaml
  cat >"$profile" <<PROFILE
apiVersion: debugger.kubectl-debugger.github.io/v1alpha1
kind: DebugProfile
pod:
  metadata:
    annotations: {kubectl-debugger.test/containers: terminated}
PROFILE

  ### A copy with --rm: the session shows the container's output, then the copy is gone.
  # Pre-Condition: one pod, no debugging pod
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'ended;'
  # Command
  kd::test::debug ended --copy-to=ended-copy --same-node --keep-annotations --image=$SESSIONS_IMAGE -c dbg -i --rm
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" 'hello from the fake kubelet' stdout
  kd::test::if_has_string "$DEBUG_OUT" "Deleted pod $NS/ended-copy." stdout
  kd::test::assert_eq "$(kd::test::debug_pods)" '' 'debugging pods left'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'ended;'

  ### A node debugging pod with --rm, the same.
  # Command: the profile marks the node pod for kwok to end its container
  kd::test::debug "node/$KD_KWOK_NODE" --image=$SESSIONS_IMAGE -i --rm --custom="$profile"
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" 'hello from the fake kubelet' stdout
  kd::test::if_has_line_prefix "$DEBUG_OUT" "Deleted pod $NS/node-debugger-$KD_KWOK_NODE-" stdout
  kd::test::assert_eq "$(kd::test::debug_pods)" '' 'debugging pods left'
}

run_sessions_rm_on_signals() {
  kd::test::new_namespace
  # node-a has no kubelet: debugging pods there never run, and the session waits.
  kd::test::create_pod stuck
  kd::test::ensure_node_a
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err signal code args from
  trap kd::test::stop_debug EXIT

  for signal in INT TERM; do
    [[ $signal == INT ]] && code=130 || code=143
    for args in "stuck --copy-to=stuck-copy --same-node" "node/node-a"; do
      ### The signal during the wait ends the session, and --rm deletes its pod.
      # Pre-Condition: no debugging pod
      kd::test::assert_eq "$(kd::test::debug_pods)" '' "debugging pods before SIG$signal"
      # Command
      from=$(kd::test::audit_lines)
      # shellcheck disable=SC2086 # the words of each case
      kd::test::start_debug "$out" "$err" $args --image=$SESSIONS_IMAGE -i --rm -q
      kd::test::wait_for 30 "the debugging pod to be created" kd::test::has_debug_pod
      kd::test::wait_for 30 "the command to watch its pod" kd::test::watching_since "$from"
      kd::test::assert_signal_ends "$signal" "$code" "$err"
      # Post-Condition: nothing left behind, by label
      kd::test::assert_eq "$(kd::test::debug_pods)" '' "debugging pods after SIG$signal ($args)"
    done
  done
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'stuck;'
}

run_sessions_run_as_target_restricted() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=restricted
  # The container runs as 1000 by its own security context; the pod only requires
  # non-root, so a debug container inherits no user.
  kubectl create -n "$NS" -f - >/dev/null <<POD
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  nodeName: node-a
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: main
    image: $SESSIONS_IMAGE
    securityContext: {runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
POD

  ### restricted alone: admitted, with a notice that --run-as=target would help.
  # Pre-Condition: the namespace enforces restricted
  kd::test::get_object_assert "namespace/$NS" '{{index .metadata.labels "pod-security.kubernetes.io/enforce"}}' 'restricted'
  # Command
  kd::test::debug app --image=$SESSIONS_IMAGE -c plain --profile=restricted --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" '--run-as=target runs it as 1000.' stdout
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{.securityContext.runAsUser}};{{end}}' 'plain:<no value>;'

  ### --run-as=target: admitted, running as the target's user.
  # Command
  kd::test::debug app --image=$SESSIONS_IMAGE -c dbg --profile=restricted --run-as=target --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app 'jsonpath={.spec.ephemeralContainers[?(@.name=="dbg")].securityContext}' \
    '{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}}'
}

run_sessions_watch_closed_mid_wait() {
  kd::test::new_namespace
  # kwok starts this pod's ephemeral containers 4 s late, while every watch of the
  # command ends after 1 s (--request-timeout).
  kubectl create -n "$NS" -f - >/dev/null <<POD
apiVersion: v1
kind: Pod
metadata: {name: slow, annotations: {kubectl-debugger.test/ephemeral: slow}}
spec:
  nodeName: $KD_KWOK_NODE
  containers: [{name: main, image: $SESSIONS_IMAGE}]
POD
  kd::test::wait_for 30 "pod slow to run" kd::test::pod_running slow
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err
  trap kd::test::stop_debug EXIT

  ### The wait outlives the watches the server closes, and the session starts.
  # Pre-Condition
  kd::test::get_object_assert pod/slow '{{.status.phase}}' 'Running'
  # Command
  kd::test::start_debug "$out" "$err" slow --image=$SESSIONS_IMAGE -c dbg --attach --request-timeout=1s -q
  # Post-Condition: attached (kwok's ticker reaches the output), still running, no error
  kd::test::wait_for 30 "the attached output" grep -q tick "$out"
  if kill -0 "$DEBUG_PID" 2>/dev/null; then
    kd::test::pass "still attached"
  else
    kd::test::fail "the session ended" "stderr: $(cat "$err")"
  fi
  kd::test::assert_eq "$(cat "$err")" '' stderr
  kd::test::get_object_assert pod/slow '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{if .state.running}}running{{end}};{{end}}' 'dbg:running;'
  kd::test::stop_debug
}

# kd::test::create_pool_nodes POOL N: N nodes labelled pool=POOL, named POOL-n000...;
# deleted when the topic ends.
kd::test::create_pool_nodes() {
  local pool=$1 n=$2 i
  for ((i = 0; i < n; i++)); do
    printf 'apiVersion: v1\nkind: Node\nmetadata: {name: %s-n%03d, labels: {pool: %s}}\n---\n' "$pool" "$i" "$pool"
  done | kubectl create -f - >/dev/null
  # shellcheck disable=SC2064 # the pool is fixed now
  trap "kd::test::stop_debug; kubectl delete nodes -l pool=$pool --wait=false >/dev/null 2>&1 || true" EXIT
}

# kd::test::pod_count_is N: $NS holds N pods.
kd::test::pod_count_is() {
  [[ $(kubectl get pods -n "$NS" -o name | wc -l) == "$1" ]]
}

# kd::test::assert_pods_gone_or_named ERR_FILE: every pod left in $NS is named in ERR_FILE
# with the command that deletes it.
kd::test::assert_pods_gone_or_named() {
  local err=$1 pod left=0 unnamed=()
  for pod in $(kubectl get pods -n "$NS" -o go-template='{{range .items}}{{.metadata.name}} {{end}}'); do
    left=$((left + 1))
    grep -qF "pod $NS/$pod was not deleted: " "$err" && grep -qF "delete it with: kubectl delete pod $pod -n $NS" "$err" || unnamed+=("$pod")
  done
  if ((${#unnamed[@]} == 0)); then
    kd::test::pass "$left pods left, each named with its delete command"
  else
    kd::test::fail "${#unnamed[@]} of $left pods left were not named on stderr: ${unnamed[*]:0:5}" "stderr: $(tail -n 5 "$err")"
  fi
}

run_sessions_rm_fanout_interrupted() {
  kd::test::new_namespace
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err from
  kd::test::create_pool_nodes "$NS" 150

  ### Ctrl-C while --logs follows 150 node debugging pods with --rm, one write at a
  ### time: each pod is deleted, or named on stderr with its delete command.
  # Pre-Condition: 150 nodes in the pool, no pods
  kd::test::get_object_assert nodes '{{len .items}}' '150' -l "pool=$NS"
  kd::test::get_object_assert pods '{{len .items}}' '0'
  # Command
  from=$(kd::test::audit_lines)
  kd::test::start_debug "$out" "$err" node -l "pool=$NS" --image=$SESSIONS_IMAGE --logs --rm --max-concurrency=1 -q -- sleep 3600
  kd::test::wait_for 120 'the 150 debugging pods to exist' kd::test::pod_count_is 150
  kd::test::wait_for 30 'the command to watch the pods for their logs' kd::test::watching_since "$from"
  kd::test::assert_signal_ends INT 130 "$err"
  # Post-Condition
  kd::test::assert_pods_gone_or_named "$err"
}

run_sessions_rm_fanout_interrupted_stalled_server() {
  kd::test::new_namespace
  local out=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err apiserver from
  kd::test::create_pool_nodes "$NS" 150
  apiserver=$(awk '$1 == "kube-apiserver" {print $2}' "$KD_CLUSTER_DIR/pids")

  ### The same with an apiserver that stopped answering: every pod is named.
  # Pre-Condition: 150 nodes in the pool, no pods
  kd::test::get_object_assert nodes '{{len .items}}' '150' -l "pool=$NS"
  kd::test::get_object_assert pods '{{len .items}}' '0'
  # Command
  from=$(kd::test::audit_lines)
  kd::test::start_debug "$out" "$err" node -l "pool=$NS" --image=$SESSIONS_IMAGE --logs --rm -q -- sleep 3600
  kd::test::wait_for 120 'the 150 debugging pods to exist' kd::test::pod_count_is 150
  kd::test::wait_for 30 'the command to watch the pods for their logs' kd::test::watching_since "$from"
  # The apiserver this suite started stops answering, then the user presses Ctrl-C.
  kill -STOP "$apiserver"
  kd::test::assert_signal_ends INT 130 "$err" || true
  kill -CONT "$apiserver"
  # Post-Condition: no pod was deleted, and each is named with its delete command
  kd::test::wait_for 30 'the apiserver to answer again' kubectl get --raw /readyz
  kd::test::get_object_assert pods '{{len .items}}' '150'
  kd::test::assert_pods_gone_or_named "$err"
  kd::test::assert_eq "$(grep -c 'was not deleted: interrupted before the server answered; delete it with: ' "$err")" 150 'pods named on stderr'
}

# kd::test::sessions_fixture: in $NS, pod app with a running ephemeral debug container
# that targets main, pod ended whose debug container terminated, pod stuck on node-a (no
# kubelet) whose debug container waits, a copy of ended held in a session (marked, its
# containers ended), a node debugging pod on node-a, and pod web, which has none.
kd::test::sessions_fixture() {
  local profile=$KD_TEST_TMP/$NS-ends.yaml
  kd::test::ensure_node_a
  kd::test::create_pod app "$KD_KWOK_NODE"
  kd::test::create_pod ended "$KD_KWOK_NODE" kubectl-debugger.test/ephemeral=terminated
  kd::test::create_pod stuck
  kd::test::create_pod web "$KD_KWOK_NODE"
  cat >"$profile" <<PROFILE
apiVersion: debugger.kubectl-debugger.github.io/v1alpha1
kind: DebugProfile
pod:
  metadata:
    annotations: {kubectl-debugger.test/containers: terminated}
PROFILE
  kd::test::debug app --image=$SESSIONS_IMAGE -c dbg --target=main --attach=false -q
  kd::test::debug ended --image=$SESSIONS_IMAGE -c dbg --attach=false -q
  kd::test::debug stuck --image=$SESSIONS_IMAGE -c dbg --attach=false -q
  kd::test::debug ended --copy-to=ended-copy --same-node --image=$SESSIONS_IMAGE -c dbg -i -q --custom="$profile"
  kd::test::debug node/node-a --image=$SESSIONS_IMAGE --attach=false -q
  kd::test::wait_for 30 "the debug containers to run or end" kd::test::sessions_started
}

# kd::test::sessions_started: the kubelet reported the debug containers of app and ended
# (stuck's has no kubelet), and ended's has terminated.
kd::test::sessions_started() {
  [[ $(kubectl get pods -n "$NS" -o go-template='{{range .items}}{{range .status.ephemeralContainerStatuses}}{{.name}}:{{if .state.terminated}}terminated{{else if .state.running}}running{{end}};{{end}}{{end}}') == 'dbg:running;dbg:terminated;' ]]
}

run_sessions_list() {
  kd::test::new_namespace
  kd::test::sessions_fixture

  ### The sessions of the namespace: one row per debug container, web has none.
  # Pre-Condition: five pods and a node debugging pod
  kd::test::get_object_assert pods '{{len .items}}' '6'
  # Command
  kd::test::sessions -o wide
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::sessions_table "$DEBUG_OUT")" "\
POD | CONTAINER | KIND | TARGET | IMAGE | STATE | AGE | PRIVILEGES | BY
app | dbg | ephemeral | main | busybox:1.36 | Running | AGE | cap:SYS_PTRACE | kubectl-debugger
ended | dbg | ephemeral | <none> | busybox:1.36 | Terminated (exit 0) | AGE | cap:SYS_PTRACE | kubectl-debugger
ended-copy | dbg | copy | pod/ended | busybox:1.36 | Terminated (exit 0) | AGE | cap:SYS_PTRACE | kubectl-debugger
node-debugger-node-a-XXXXX | debugger | node | node/node-a | busybox:1.36 | Waiting | AGE | hostPID,hostNetwork,hostIPC | kubectl-debugger
stuck | dbg | ephemeral | <none> | busybox:1.36 | Waiting | AGE | cap:SYS_PTRACE | kubectl-debugger" 'sessions -o wide'
  kd::test::assert_eq "$DEBUG_ERR" '' stderr

  ### -o name: what --stop takes.
  kd::test::sessions -o name
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::sessions_table "$DEBUG_OUT")" "\
pod/app/dbg
pod/ended/dbg
pod/ended-copy/dbg
pod/node-debugger-node-a-XXXXX/debugger
pod/stuck/dbg" 'sessions -o name'

  ### An empty namespace is said on stderr, as kubectl get says it.
  kd::test::sessions -l app=none
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" '' stdout
  kd::test::assert_eq "$DEBUG_ERR" "No resources found in $NS namespace." stderr
}

run_sessions_stop_refuses_a_regular_container() {
  kd::test::new_namespace
  kd::test::create_pod web "$KD_KWOK_NODE"
  local before

  ### --stop on a container that is not a debug container writes nothing.
  # Pre-Condition: web runs main
  kd::test::wait_for 30 "pod web to run" kd::test::pod_running web
  before=$(kubectl get pod web -n "$NS" -o jsonpath='{.metadata.resourceVersion}')
  # Command
  kd::test::sessions --stop web/main
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error: container \"main\" of pod $NS/web is not a debug container: only ephemeral containers and the containers of the pods debugging creates (copies and node pods) are stopped" stderr
  kd::test::get_object_assert pod/web '{{.metadata.resourceVersion}}' "$before"
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'web;'
}

run_sessions_stop_deletes_debugging_pods() {
  kd::test::new_namespace
  kd::test::sessions_fixture
  local node_pod
  node_pod=$(kubectl get pods -n "$NS" -o name | sed -n 's|^pod/\(node-debugger-.*\)|\1|p')

  ### A copy and a node debugging pod are deleted; a terminated ephemeral container is said so.
  # Pre-Condition: both debugging pods exist
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' "app;ended;ended-copy;$node_pod;stuck;web;"
  # Command
  kd::test::sessions --stop ended-copy/dbg
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "Deleted pod $NS/ended-copy." stdout
  kd::test::sessions --stop "pod/$node_pod/debugger"
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "Deleted pod $NS/$node_pod." stdout
  kd::test::sessions --stop ended/dbg
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "Already stopped: debug container dbg of pod $NS/ended: Terminated (exit 0)." stdout
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;ended;stuck;web;'
}

SESSIONS_TOPICS=(
  run_sessions_list
  run_sessions_stop_refuses_a_regular_container
  run_sessions_stop_deletes_debugging_pods
  run_sessions_rm_when_the_container_ends
  run_sessions_rm_on_signals
  run_sessions_run_as_target_restricted
  run_sessions_watch_closed_mid_wait
  run_sessions_rm_fanout_interrupted
  run_sessions_rm_fanout_interrupted_stalled_server
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${SESSIONS_TOPICS[@]}"
fi
