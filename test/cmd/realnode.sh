#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests on the real node (KD_NODE=real: a kubelet and containerd beside
# kwok's fake nodes, see hack/lib/node.sh): the debug container really starts, and what
# each mode and profile promises holds inside it: the target's processes, the env and
# resources of a custom profile, the capabilities of every profile in every mode, the
# host through /host, and sessions that end as a shell does; a Deployment's pod, which
# the scheduler placed there, is debugged through deployment/NAME.
#
# The images exist only in the node's containerd (no registry): every pod and debug
# container uses imagePullPolicy Never.
#
#   test/cmd/realnode.sh [TOPIC-REGEX]     (against a cluster started with KD_NODE=real)
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/node.sh"
source "$(dirname "${BASH_SOURCE[0]}")/distroless.sh"

REALNODE_IMAGE=busybox:1.36
# The node of the cluster's env file; empty when the cluster has no real node.
KD_REAL_NODE=$(sed -n 's/^KD_REAL_NODE=//p' "$KD_CLUSTER_DIR/env" 2>/dev/null || true)

# Capabilities the container runtime gives a container that asks for none (containerd's
# default set): CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
REALNODE_DEFAULT_CAPS=(0 1 3 4 5 6 7 8 10 13 18 27 29 31)
CAP_NET_ADMIN=12
CAP_SYS_PTRACE=19

# kd::realnode::capmask BIT...: the capability mask /proc/PID/status shows for BITs.
kd::realnode::capmask() {
  local mask=0 bit
  for bit in "$@"; do
    mask=$((mask | (1 << bit)))
  done
  printf '%016x\n' "$mask"
}

# kd::realnode::pod NAME [YAML-SPEC-LINES]: a pod on the real node running `sleep` with a
# distinctive duration (its name's length + 3600 s, so `ps` tells pods apart), waits
# until it runs. Extra spec lines (indented two spaces) are added to the pod's spec.
kd::realnode::pod() {
  local name=$1 extra=${2:-}
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $name
  labels: {app: $name}
spec:
  nodeName: $KD_REAL_NODE
  terminationGracePeriodSeconds: 0
$extra
  containers:
  - name: main
    image: $REALNODE_IMAGE
    imagePullPolicy: Never
    command: ["sleep", "$((3600 + ${#name}))"]
EOF
  kd::test::wait_running 90 "$name"
}

# kd::realnode::debug ARGS...: the command under test with the node's image, quiet, so
# that standard output is the debug container's alone.
kd::realnode::debug() {
  kd::test::debug --image=$REALNODE_IMAGE --image-pull-policy=Never -q "$@"
}

# kd::realnode::phases PHASES: the phases of the pods in $NS are PHASES (space-separated).
kd::realnode::phases() {
  [[ $(kubectl get pods -n "$NS" -o 'jsonpath={.items[*].status.phase}') == "$1" ]]
}

# kd::realnode::ended PID: the background process PID has ended.
kd::realnode::ended() {
  ! kill -0 "$1" 2>/dev/null
}

# kd::realnode::cap_line TEXT FIELD: the value of FIELD (CapEff, CapBnd) in TEXT, a
# /proc/PID/status.
kd::realnode::cap_line() {
  sed -n "s/^$2:[[:space:]]*//p" <<<"$1"
}

# kd::realnode::terminal ARGS...: runs the command under test with ARGS as a person at a
# terminal does: script(1) gives an interactive bash a pseudo-terminal of its own, and
# the command line is typed into it, so the command is that terminal's foreground job,
# in its own process group. A small wrapper, in the same job, sends the command's
# standard error to $TERM_ERR and its exit code to $TERM_RC once it ends: it outlives
# the signals (its trap runs only after the command), as the person's shell does.
# What the terminal shows goes to $TERM_OUT; fd 7 types into it. Sets TERM_PID, the
# PID of script, whose death closes the terminal.
kd::realnode::terminal() {
  kd::test::command
  kd::realnode::terminal_run "${KD_CMD[@]}" -n "$NS" "$@"
}

# kd::realnode::terminal_run COMMAND...: kd::realnode::terminal for any COMMAND that
# attaches (kubectl attach, too).
kd::realnode::terminal_run() {
  TERM_OUT=$KD_TEST_TMP/$NS.term.out TERM_ERR=$KD_TEST_TMP/$NS.term.err TERM_RC=$KD_TEST_TMP/$NS.term.rc
  local keys=$KD_TEST_TMP/$NS.term.keys record=$KD_TEST_TMP/$NS.term.record.sh
  rm -f "$TERM_OUT" "$TERM_ERR" "$TERM_RC" "$keys"
  mkfifo "$keys"
  cat >"$record" <<'RECORD'
#!/usr/bin/env bash
err=$1 rc=$2
shift 2
trap : HUP INT TERM
"$@" 2>"$err"
echo $? >"$rc"
RECORD
  chmod +x "$record"
  # As a job of its own (monitor mode): a plain background job of a script starts with
  # SIGINT and SIGQUIT ignored, and so would everything in the terminal, unlike in a
  # terminal emulator's.
  set -o monitor
  script -qfc 'bash --norc --noprofile -i' /dev/null <"$keys" >"$TERM_OUT" 2>&1 &
  TERM_PID=$!
  set +o monitor
  exec 7>"$keys"
  printf '%s\n' "$(printf '%q ' "$record" "$TERM_ERR" "$TERM_RC" "$@")" >&7
  # The session is live once the debug container's shell answers what is typed.
  kd::test::wait_for 60 'the session to attach' grep -q 'If you don.t see a command prompt' "$TERM_ERR"
  kd::realnode::terminal_answers ready
}

# kd::realnode::terminal_answers WORD: types a command into the terminal's session and
# waits for the shell in the container to answer it.
kd::realnode::terminal_answers() {
  # shellcheck disable=SC2016 # expanded by the debug container's shell
  printf 'echo %s-$((6 * 7))\n' "$1" >&7
  kd::test::wait_for 30 "the shell in the container to answer $1" grep -q "$1-42" "$TERM_OUT"
}

# kd::realnode::terminal_end: closes what kd::realnode::terminal opened.
kd::realnode::terminal_end() {
  [[ -n ${TERM_PID:-} ]] || return 0
  kill -KILL "$TERM_PID" 2>/dev/null || true
  wait "$TERM_PID" 2>/dev/null || true
  TERM_PID=
  exec 7>&-
}

# kd::realnode::foreground_group: the process group the terminal of kd::realnode::terminal
# signals: its foreground job's (field 8 of the session leader's stat).
kd::realnode::foreground_group() {
  local leader
  leader=$(pgrep -P "$TERM_PID" | head -n 1)
  awk '{print $8}' "/proc/$leader/stat"
}

run_realnode_ephemeral() {
  kd::test::new_namespace
  kd::realnode::pod app

  ### --target: the debug container sees the target container's processes.
  # Pre-Condition: the pod runs, without ephemeral containers
  kd::test::get_object_assert pod/app '{{.status.phase}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'Running:'
  # Command
  kd::realnode::debug app -c ps --target=main -i -- ps -o args
  # Post-Condition: sleep 3603 is the target's process, seen from the debug container
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" 'sleep 3603' stdout
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{.state.terminated.exitCode}};{{end}}' 'ps:0;'

  ### --target=auto: the pod's only container is the target, and a notice says so.
  # Command (not quiet: the notice is what is checked)
  kd::test::debug --image=$REALNODE_IMAGE --image-pull-policy=Never app -c auto --target=auto -i -- ps -o args
  # Post-Condition: the target's sleep 3603 is seen, and the container chosen is named
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" 'sleep 3603' stdout
  kd::test::if_has_string "$DEBUG_OUT" '--target=auto chose container "main", the pod'"'"'s only container.' stdout
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}>{{.targetContainerName}};{{end}}' 'ps>main;auto>main;'

  ### A --custom file's env is in the debug process's environment.
  local custom=$KD_TEST_TMP/$NS-env.json
  echo '{"env": [{"name": "KD_FROM_CUSTOM", "value": "custom-value"}]}' >"$custom"
  # Command
  kd::realnode::debug app -c env --custom="$custom" -i -- sh -c 'env | grep ^KD_FROM_CUSTOM='
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" 'KD_FROM_CUSTOM=custom-value' 'environment of the debug process'
}

# kd::realnode::only_pod_running SELECTOR: exactly one pod in $NS matches SELECTOR, and it
# runs.
kd::realnode::only_pod_running() {
  [[ $(kubectl get pods -n "$NS" -l "$1" -o 'jsonpath={.items[*].status.phase}') == Running ]]
}

run_realnode_deployment() {
  kd::test::new_namespace
  # No nodeName: the scheduler places the ReplicaSet's pod, on the real node, the only one
  # its selector allows, whose taint it tolerates.
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {kubernetes.io/hostname: $KD_REAL_NODE}
      tolerations: [{key: $KD_REAL_NODE_TAINT, operator: Exists, effect: NoSchedule}]
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: $REALNODE_IMAGE
        imagePullPolicy: Never
        command: ["sleep", "3711"]
EOF
  kd::test::wait_for 90 "the pod of deployment web to run" kd::realnode::only_pod_running app=web
  local pod
  pod=$(kubectl get pods -n "$NS" -l app=web -o 'jsonpath={.items[*].metadata.name}')

  ### deployment/NAME debugs the pod the deployment's controllers made and the scheduler
  ### placed: the debug container runs beside its process.
  # Pre-Condition: one pod, of a ReplicaSet, on the real node, running, no ephemeral container
  kd::test::get_object_assert pods '{{range .items}}{{range .metadata.ownerReferences}}{{.kind}}{{end}}:{{.spec.nodeName}}:{{.status.phase}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' \
    "ReplicaSet:$KD_REAL_NODE:Running:;"
  # Command
  kd::test::debug deployment/web --image=$REALNODE_IMAGE --image-pull-policy=Never -c dbg --target=main -i -- \
    sh -c 'ps -o args | grep "^sleep"; echo debugged'
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "Targeting container \"main\". If you don't see processes from this container it may be because the container runtime doesn't support this feature.
Using pod/$pod of deployment/web.
sleep 3711
debugged" stdout
  kd::test::get_object_assert "pod/$pod" '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{.state.terminated.exitCode}};{{end}}' 'dbg:0;'
}

run_realnode_share_volumes() {
  kd::test::new_namespace
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  nodeName: $KD_REAL_NODE
  terminationGracePeriodSeconds: 0
  volumes: [{name: data, emptyDir: {}}]
  containers:
  - name: main
    image: $REALNODE_IMAGE
    imagePullPolicy: Never
    command: ["sh", "-c", "echo written-by-the-target >/data/marker; exec sleep 3600"]
    volumeMounts: [{name: data, mountPath: /data}]
EOF
  kd::test::wait_running 90 writer

  ### --share-volumes: the debug container reads what the target wrote in its volume.
  # Pre-Condition: the pod runs
  kd::test::get_object_assert pod/writer '{{.status.phase}}' 'Running'
  # Command
  kd::realnode::debug writer -c reader --share-volumes --target=main -i -- cat /data/marker
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" 'written-by-the-target' 'the file the target wrote'
}

# kd::realnode::assert_caps TARGET-ARGS PROFILE WANT-EFF [WANT-BND]: debugs with PROFILE,
# printing /proc/self/status, and checks CapEff (and CapBnd when given).
kd::realnode::assert_caps() {
  local target=$1 profile=$2 want_eff=$3 want_bnd=${4:-}
  # shellcheck disable=SC2086 # TARGET-ARGS is a word list
  kd::realnode::debug $target --profile="$profile" -i -- cat /proc/self/status
  kd::test::assert_success
  kd::test::assert_eq "$(kd::realnode::cap_line "$DEBUG_OUT" CapEff)" "$want_eff" "CapEff, $target --profile=$profile"
  if [[ -n $want_bnd ]]; then
    kd::test::assert_eq "$(kd::realnode::cap_line "$DEBUG_OUT" CapBnd)" "$want_bnd" "CapBnd, $target --profile=$profile"
  fi
}

run_realnode_profile_capabilities() {
  kd::test::new_namespace
  kd::realnode::pod app
  local default ptrace netadmin all nonroot
  default=$(kd::realnode::capmask "${REALNODE_DEFAULT_CAPS[@]}")
  ptrace=$(kd::realnode::capmask "${REALNODE_DEFAULT_CAPS[@]}" $CAP_SYS_PTRACE)
  netadmin=$(kd::realnode::capmask "${REALNODE_DEFAULT_CAPS[@]}" $CAP_NET_ADMIN)
  # A privileged container gets every capability the runtime itself holds.
  all=$(kd::realnode::cap_line "$(</proc/self/status)" CapBnd)
  nonroot=$KD_TEST_TMP/$NS-nonroot.json
  echo '{"securityContext": {"runAsUser": 1000, "runAsGroup": 1000}}' >"$nonroot"

  ### Each profile's capabilities, as the process sees them, in each mode.
  # Pre-Condition: the pod runs as root, asking for no capabilities
  kd::test::get_object_assert pod/app '{{.status.phase}}:{{.spec.securityContext}}:{{(index .spec.containers 0).securityContext}}' 'Running:map[]:<no value>'
  # Command + Post-Condition: ephemeral containers
  kd::realnode::assert_caps "app -c legacy" legacy "$default"
  kd::realnode::assert_caps "app -c general" general "$ptrace"
  kd::realnode::assert_caps "app -c baseline" baseline "$default"
  kd::realnode::assert_caps "app -c restricted --run-as=1000" restricted 0000000000000000 0000000000000000
  kd::realnode::assert_caps "app -c netadmin" netadmin "$netadmin"
  kd::realnode::assert_caps "app -c sysadmin" sysadmin "$all"
  # Command + Post-Condition: copies
  kd::realnode::assert_caps "app -c dbg --copy-to=copy-legacy --same-node" legacy "$default"
  kd::realnode::assert_caps "app -c dbg --copy-to=copy-general --same-node" general "$ptrace"
  kd::realnode::assert_caps "app -c dbg --copy-to=copy-baseline --same-node" baseline "$default"
  kd::realnode::assert_caps "app -c dbg --copy-to=copy-restricted --same-node --run-as=1000" restricted 0000000000000000 0000000000000000
  kd::realnode::assert_caps "app -c dbg --copy-to=copy-netadmin --same-node" netadmin "$netadmin"
  kd::realnode::assert_caps "app -c dbg --copy-to=copy-sysadmin --same-node" sysadmin "$all"
  # Command + Post-Condition: node debugging pods (restricted needs a user that is not
  # root, which a custom profile gives there)
  kd::realnode::assert_caps "node/$KD_REAL_NODE" legacy "$default"
  kd::realnode::assert_caps "node/$KD_REAL_NODE" general "$default"
  kd::realnode::assert_caps "node/$KD_REAL_NODE" baseline "$default"
  kd::realnode::assert_caps "node/$KD_REAL_NODE --custom=$nonroot" restricted 0000000000000000 0000000000000000
  kd::realnode::assert_caps "node/$KD_REAL_NODE" netadmin "$netadmin"
  kd::realnode::assert_caps "node/$KD_REAL_NODE" sysadmin "$all"
}

run_realnode_netadmin_changes_a_link() {
  kd::test::new_namespace
  kd::realnode::pod app

  ### Without NET_ADMIN the pod's loopback cannot be changed.
  # Pre-Condition: lo has its usual MTU
  # Command
  kd::realnode::debug app -c general -i -- ip link set lo mtu 1280
  # Post-Condition
  kd::test::assert_eq "$DEBUG_RC" 2 'exit code of ip link set without NET_ADMIN (busybox ip fails with 2)'
  kd::test::if_has_string "$DEBUG_OUT$DEBUG_ERR" 'Operation not permitted' output

  ### --profile=netadmin can.
  # Command
  kd::realnode::debug app -c netadmin --profile=netadmin -i -- sh -c 'ip link set lo mtu 1280 && ip -o link show lo'
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" 'mtu 1280' stdout
}

run_realnode_restricted_run_as() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=restricted
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  nodeName: $KD_REAL_NODE
  terminationGracePeriodSeconds: 0
  securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 3000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: main
    image: $REALNODE_IMAGE
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
EOF
  kd::test::wait_running 90 app

  ### --profile=restricted --run-as=target: admitted, and runs as the target's user.
  # Pre-Condition: the target runs as 1000:3000
  kd::test::get_object_assert pod/app '{{.spec.securityContext.runAsUser}}:{{.spec.securityContext.runAsGroup}}' '1000:3000'
  # Command
  kd::realnode::debug app -c dbg --profile=restricted --run-as=target -i -- id
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" 'uid=1000 gid=3000 groups=3000' 'id in the debug container'
}

run_realnode_copy() {
  kd::test::new_namespace
  kd::realnode::pod app

  ### A copy shares its processes: the debug container sees the copied container's.
  # Pre-Condition: no copy
  kd::test::object_absent pod/app-copy
  # Command
  kd::realnode::debug app -c dbg --copy-to=app-copy --same-node -i -- ps -o args
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" 'sleep 3603' stdout
  kd::test::get_object_assert pod/app-copy '{{.spec.shareProcessNamespace}}:{{.spec.nodeName}}' "true:$KD_REAL_NODE"

  ### Resources from a custom profile are enforced: the cgroup limit is visible inside.
  local custom=$KD_TEST_TMP/$NS-resources.json
  echo '{"resources": {"limits": {"memory": "64Mi", "cpu": "250m"}, "requests": {"memory": "64Mi", "cpu": "250m"}}}' >"$custom"
  # Command
  # (cgroup v2 shows the container its own cgroup at the root, v1 per controller)
  kd::realnode::debug app -c dbg --copy-to=limited --same-node --custom="$custom" -i -- sh -c '
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
      cat /sys/fs/cgroup/memory.max; cut -d" " -f1 /sys/fs/cgroup/cpu.max
    else
      cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us
    fi'
  # Post-Condition: 64 MiB, and a quarter of the 100 ms period
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" $'67108864\n25000' 'memory and CPU limits inside the container'
  kd::test::get_object_assert pod/limited '{{range .spec.containers}}{{.name}}:{{.resources.limits.memory}};{{end}}' 'main:<no value>;dbg:64Mi;'
}

run_realnode_node() {
  kd::test::new_namespace
  local host
  host=$(hostname)

  ### chroot /host reaches the host: its hostname, and its os-release (busybox has none).
  # Pre-Condition: no debugging pod
  kd::test::get_object_assert pods '{{len .items}}' '0'
  # Command
  kd::realnode::debug "node/$KD_REAL_NODE" -i -- chroot /host sh -c 'hostname; test -f /etc/os-release && echo os-release'
  # Post-Condition: the pod ran on the real node
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "$host"$'\nos-release' 'hostname and os-release through chroot /host'
  kd::test::wait_for 30 'the node debugging pod to be reported Succeeded' kd::realnode::phases Succeeded
  kd::test::get_object_assert pods '{{range .items}}{{.spec.nodeName}}:{{.status.phase}};{{end}}' "$KD_REAL_NODE:Succeeded;"
}

run_realnode_attach_terminal() {
  kd::test::new_namespace
  kd::realnode::pod app
  kd::test::command
  local rc=0 transcript=$KD_TEST_TMP/$NS.out keys=$KD_TEST_TMP/$NS.keys pid
  mkfifo "$keys"

  ### A session through a pseudo-terminal runs commands and exits with their status.
  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command: script gives the command a terminal of 40 rows and 132 columns; what is
  # typed is held open until the session ends, as a keyboard is (script ends a
  # session whose input ends)
  script -qec "stty rows 40 cols 132; $(printf '%q ' "${KD_CMD[@]}" -n "$NS" app -c tty -it --image=$REALNODE_IMAGE --image-pull-policy=Never)" \
    /dev/null <"$keys" >"$transcript" 2>&1 &
  pid=$!
  exec 7>"$keys"
  # The size reaches the container beside what is typed, not before it: the shell
  # gives it a few seconds.
  # shellcheck disable=SC2016 # expanded by the debug container's shell
  printf '%s\n' 'for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(stty size)" = "40 132" ] && break; sleep 0.3; done' \
    'echo tty-$((6 * 7)) size $(stty size)' 'exit 3' >&7
  kd::test::wait_for 60 'the terminal session to end' kd::realnode::ended "$pid"
  wait "$pid" || rc=$?
  exec 7>&-
  # Post-Condition: the commands ran on a terminal of the session's size
  kd::test::assert_eq "$rc" 3 'exit code of the terminal session'
  kd::test::if_has_string "$(tr -d '\r' <"$transcript")" 'tty-42 size 40 132' 'terminal output'
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{.tty}}:{{.stdinOnce}};{{end}}' 'tty:true:<no value>;'
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{.state.terminated.exitCode}};{{end}}' 'tty:3;'
}

run_realnode_attach_piped() {
  kd::test::new_namespace
  kd::realnode::pod app
  local script=$KD_TEST_TMP/$NS-script.sh
  # shellcheck disable=SC2016 # expanded by the debug container's shell
  printf 'echo piped-$((1 + 2))\nps -o args | grep -c "^sleep 3603"\nexit 4\n' >"$script"

  ### Piped input is a script: it runs, its output is printed, its status is returned.
  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  KD_TEST_STDIN=$script kd::realnode::debug app -c piped --target=main -i
  # Post-Condition
  kd::test::assert_eq "$DEBUG_RC" 4 'exit code of the piped session'
  kd::test::assert_eq "$DEBUG_OUT" $'piped-3\n1' 'output of the piped script'
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{.stdin}}:{{.stdinOnce}};{{end}}' 'piped:true:true;'
}

run_realnode_attach_interrupt() {
  kd::test::new_namespace
  kd::realnode::pod app
  local stdout=$KD_TEST_TMP/$NS.out err=$KD_TEST_TMP/$NS.err

  ### Ctrl-C ends an attached session at once; the container keeps running.
  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command: a session whose input stays open, like a terminal nobody types into
  kd::test::start_debug "$stdout" "$err" app -c shell -i --image=$REALNODE_IMAGE --image-pull-policy=Never -- sh -c 'while :; do echo tick; sleep 0.2; done'
  # The ticks come through the attach only once it is connected.
  kd::test::wait_for 60 'the session to attach' grep -q tick "$stdout"
  # Post-Condition
  kd::test::assert_signal_ends INT 130 "$err"
  # Post-Condition: nothing but the session's notice and why it ended (no fallback to
  # logs, no errors of the streams Ctrl-C tore down)
  kd::test::assert_eq "$(<"$err")" 'All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.
If you don'"'"'t see a command prompt, try pressing enter.
error: attaching to container "shell" of pod "app": interrupted' stderr
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{if .state.running}}running{{end}};{{end}}' 'shell:running;'
}

run_realnode_sessions_rm() {
  kd::test::new_namespace
  kd::realnode::pod app

  ### --rm on a copy: the session runs on the node, then the copy is deleted.
  # Pre-Condition: only the pod
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
  # Command
  KD_TEST_STDIN=/dev/null kd::realnode::debug app -c dbg --copy-to=app-copy --same-node --rm -i -- sh -c 'echo copy-ran; exit 6'
  # Post-Condition: the container's output and exit code, and no copy
  kd::test::assert_eq "$DEBUG_RC" 6 'exit code of the session on the copy'
  kd::test::assert_eq "$DEBUG_OUT" 'copy-ran' 'output of the session on the copy'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'

  ### --rm on a node debugging pod: the same.
  # Command
  kd::realnode::debug "node/$KD_REAL_NODE" --rm -i -- chroot /host true
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
}

run_realnode_logs_outlive_request_timeout() {
  kd::test::new_namespace
  kd::realnode::pod app

  ### --request-timeout bounds requests, not the followed output of --logs.
  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command: the container writes for three seconds, three times the timeout
  # shellcheck disable=SC2016 # expanded by the debug container's shell
  kd::realnode::debug app -c logs --logs --request-timeout=1s -- sh -c 'for i in 1 2 3; do echo line-$i; sleep 1; done'
  # Post-Condition: every line, and the clean exit reported as one
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" $'line-1\nline-2\nline-3' 'streamed output'
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{.state.terminated.exitCode}};{{end}}' 'logs:0;'
}

# kd::realnode::assert_terminal_stop HOW CODE: ends the session kd::realnode::terminal
# started as HOW (INT, TERM or HUP sent to the terminal's foreground process group, or
# close: the terminal itself goes away), then checks that the command exited with CODE.
kd::realnode::assert_terminal_stop() {
  local how=$1 code=$2
  if [[ $how == close ]]; then
    # The terminal emulator dies: the kernel hangs the terminal up, and its shell sends
    # SIGHUP to its jobs before it exits.
    kill -KILL "$TERM_PID"
  else
    kill "-$how" -- "-$(kd::realnode::foreground_group)"
  fi
  if ! kd::test::wait_for 30 "the command to end after $how" test -s "$TERM_RC"; then
    echo "  stderr: $(cat "$TERM_ERR")" >&2
    echo "  terminal: $(tr -d '\r' <"$TERM_OUT" | tail -n 5)" >&2
    ps -o pid,pgid,tpgid,stat,args --ppid "$(pgrep -P "$TERM_PID" | head -n 1)" >&2 || true
    return 1
  fi
  kd::test::assert_eq "$(<"$TERM_RC")" "$code" "exit code after $how"
}

run_realnode_terminal_rm_on_signals() {
  kd::test::new_namespace
  # A topic that fails half-way must not leave its terminal behind.
  trap kd::realnode::terminal_end EXIT
  kd::realnode::pod app
  local how code
  for how in INT TERM HUP close; do
    case $how in
      INT) code=130 ;;
      TERM) code=143 ;;
      *) code=129 ;;
    esac

    ### A terminal session on a copy with --rm, stopped by a signal or by closing the
    ### terminal: the copy is deleted and the command exits with the signal's code.
    # Pre-Condition: only the pod
    kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
    # Command
    kd::realnode::terminal app -c dbg --copy-to=app-copy --same-node --rm -it --image=$REALNODE_IMAGE --image-pull-policy=Never
    kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{.status.phase}};{{end}}' 'app:Running;app-copy:Running;'
    kd::realnode::assert_terminal_stop "$how" "$code"
    # Post-Condition: no copy; why the session ended is the last thing said
    kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
    local said want='error: attaching to container "dbg" of pod "app-copy": interrupted'
    said=$(tail -n 1 "$TERM_ERR")
    if [[ $how == close && $said == 'error: waiting for container "dbg" of pod "app-copy" to end: interrupted' ]]; then
      # A closed terminal both ends the attach's input and sends SIGHUP: the attach may
      # end first, and the signal then stops the wait for the container's exit status.
      want=$said
    fi
    kd::test::assert_eq "$said" "$want" "stderr after $how"
    if [[ $how != close ]]; then
      # The terminal was restored before the deletion was reported: the line ends as a
      # terminal ends lines (a raw one would show a bare line feed).
      kd::test::if_has_string "$(<"$TERM_OUT")" "Deleted pod $NS/app-copy."$'\r\n' "terminal after $how"
    fi
    kd::realnode::terminal_end

    ### The same on a node debugging pod.
    # Pre-Condition
    kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
    # Command
    kd::realnode::terminal "node/$KD_REAL_NODE" --rm -it --image=$REALNODE_IMAGE --image-pull-policy=Never
    kd::test::get_object_assert pods '{{len .items}}' '2'
    kd::realnode::assert_terminal_stop "$how" "$code"
    # Post-Condition: only the pod is left
    kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
    local step='attaching to'
    if [[ $how == close && $(tail -n 1 "$TERM_ERR") == 'error: waiting for container "debugger" of pod '* ]]; then
      # As for the copy above: the attach may end first, then the wait for the exit status.
      step='waiting for'
    fi
    kd::test::if_has_line_prefix "$(tail -n 1 "$TERM_ERR")" "error: $step container \"debugger\" of pod \"node-debugger-$KD_REAL_NODE-" "stderr after $how"
    kd::realnode::terminal_end
  done
}

# kd::realnode::ephemeral_terminated NAME: ephemeral container NAME of pod app is
# reported terminated.
kd::realnode::ephemeral_terminated() {
  [[ -n $(kubectl get pod app -n "$NS" -o "jsonpath={.status.ephemeralContainerStatuses[?(@.name==\"$1\")].state.terminated.finishedAt}") ]]
}

run_realnode_terminal_rm_ephemeral() {
  kd::test::new_namespace
  # A topic that fails half-way must not leave its terminal behind.
  trap kd::realnode::terminal_end EXIT
  kd::realnode::pod app
  local how code name target
  for how in exit INT TERM HUP close; do
    case $how in
      exit) code=0 ;;
      INT) code=130 ;;
      TERM) code=143 ;;
      *) code=129 ;;
    esac
    name=dbg-${how,,}
    # Both kinds of shell: PID 1 of its own process namespace, which only the end of its
    # input ends, and one beside the target's processes, whose processes are killed.
    target=()
    [[ $how == INT || $how == close ]] && target=(--target=main)

    ### --rm on an ephemeral session ended by $how: the container is ended too, and stays
    ### in the pod's spec, terminated.
    # Command
    kd::realnode::terminal app -c "$name" "${target[@]}" --rm -it --image=$REALNODE_IMAGE --image-pull-policy=Never
    if [[ $how == exit ]]; then
      printf 'exit 0\n' >&7
      kd::test::wait_for 30 'the command to end after exit' test -s "$TERM_RC"
      kd::test::assert_eq "$(<"$TERM_RC")" 0 'exit code after exit'
      kd::test::if_has_string "$(tr -d '\r' <"$TERM_OUT")" "The debug container $name of pod $NS/app has ended (Terminated (exit 0)); it stays in the pod's spec, as ephemeral containers cannot be removed." "terminal after exit"
    else
      kd::realnode::assert_terminal_stop "$how" "$code"
      kd::test::if_has_not_string "$(<"$TERM_ERR")" 'was not stopped' "stderr after $how"
    fi
    # Post-Condition: the container terminated; the target still runs, never restarted
    kd::test::wait_for 30 "container $name to be reported terminated" kd::realnode::ephemeral_terminated "$name"
    kd::test::get_object_assert pod/app '{{.status.phase}}:{{range .status.containerStatuses}}{{.restartCount}}{{end}}' 'Running:0'
    kd::realnode::terminal_end
  done
}

run_realnode_terminal_detach() {
  kd::test::new_namespace
  # A topic that fails half-way must not leave its terminal behind.
  trap kd::realnode::terminal_end EXIT
  kd::realnode::pod app

  ### ctrl-p,ctrl-q leaves a terminal session: exit 0, kubectl attach's message, and the
  ### ephemeral container still runs.
  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::realnode::terminal app -c dbg -it --image=$REALNODE_IMAGE --image-pull-policy=Never
  printf '\x10\x11' >&7
  kd::test::wait_for 30 'the command to end after the detach keys' test -s "$TERM_RC"
  # Post-Condition
  kd::test::assert_eq "$(<"$TERM_RC")" 0 'exit code after the detach keys'
  kd::test::if_has_string "$(tr -d '\r' <"$TERM_OUT")" "Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach app -c dbg -n $NS -i -t' if it is still running" 'terminal after the detach keys'
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{if .state.running}}running{{end}};{{end}}' 'dbg:running;'
  kd::realnode::terminal_end

  ### The session left goes on with kubectl attach, and kubectl leaves it the same way.
  # Command
  kd::realnode::terminal_run "$KD_BIN/kubectl" attach app -c dbg -n "$NS" -it
  kd::realnode::terminal_answers again
  printf '\x10\x11' >&7
  kd::test::wait_for 30 'kubectl attach to end after the detach keys' test -s "$TERM_RC"
  # Post-Condition
  kd::test::assert_eq "$(<"$TERM_RC")" 0 'exit code of kubectl attach'
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{if .state.running}}running{{end}};{{end}}' 'dbg:running;'
  kd::realnode::terminal_end

  ### -c NAME -it without --image attaches to the same debug container again, adding none.
  # Command
  kd::realnode::terminal app -c dbg -it
  kd::realnode::terminal_answers reattached
  printf '\x10\x11' >&7
  kd::test::wait_for 30 'the command to end after the detach keys' test -s "$TERM_RC"
  # Post-Condition
  kd::test::assert_eq "$(<"$TERM_RC")" 0 'exit code of the reattach'
  kd::test::if_has_string "$(tr -d '\r' <"$TERM_OUT")" 'Attaching again to debug container dbg.' 'terminal of the reattach'
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{if .state.running}}running{{end}};{{end}}' 'dbg:running;'
  kd::realnode::terminal_end

  ### With --rm, a session left is not ended: the copy stays, and stderr says how to
  ### delete it.
  # Command
  kd::realnode::terminal app -c dbg --copy-to=app-copy --same-node --rm -it --image=$REALNODE_IMAGE --image-pull-policy=Never
  printf '\x10\x11' >&7
  kd::test::wait_for 30 'the command to end after the detach keys' test -s "$TERM_RC"
  # Post-Condition
  kd::test::assert_eq "$(<"$TERM_RC")" 0 'exit code after the detach keys'
  kd::test::assert_eq "$(tail -n 1 "$TERM_ERR")" "Pod $NS/app-copy was kept, as the session was left, not ended (--rm); delete it with: kubectl delete pod app-copy -n $NS" stderr
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{.status.phase}};{{end}}' 'app:Running;app-copy:Running;'
  kd::realnode::terminal_end
}

# kd::realnode::start_ephemeral NAME COMMAND ARGS...: kd::test::debug_start, then waits
# until the command has added debug container NAME to pod app, or has ended: commands
# that add to one pod at the same time would conflict, and the order they add in is the
# order they are started in.
kd::realnode::start_ephemeral() {
  kd::test::debug_start "$@"
  kd::test::wait_for 60 "debug container $1 to be added to pod app" kd::realnode::added_or_ended "$1"
}

# kd::realnode::added_or_ended NAME: pod app has debug container NAME, or the command
# kd::test::debug_start NAME started has ended.
kd::realnode::added_or_ended() {
  [[ -f $KD_TEST_TMP/$NS.bg.$1.rc || -n $(kubectl get pod app -n "$NS" -o "jsonpath={.spec.ephemeralContainers[?(@.name==\"$1\")].name}") ]]
}

# kd::realnode::phase_is POD PHASE: pod POD of $NS is in phase PHASE.
kd::realnode::phase_is() {
  [[ $(kubectl get pod "$1" -n "$NS" -o 'jsonpath={.status.phase}') == "$2" ]]
}

run_realnode_never_starts() {
  kd::test::new_namespace
  kd::realnode::pod app
  # A pod whose only container exits at once, never restarted: it ends (Succeeded).
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: finished}
spec:
  nodeName: $KD_REAL_NODE
  restartPolicy: Never
  containers:
  - {name: main, image: $REALNODE_IMAGE, imagePullPolicy: Never, command: ["true"]}
EOF
  # A pod whose image reference the kubelet cannot parse (a repository is lower case);
  # the API server takes it, as it takes any image without surrounding spaces.
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: badref}
spec:
  nodeName: $KD_REAL_NODE
  containers:
  - {name: app, image: "127.0.0.1:9/KD/none:1", command: ["true"]}
EOF

  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # The kubelet reports why a container did not start when it next syncs the pod, which
  # after a failed start is ten seconds or more later: the commands below, each waiting
  # for one such report, run at the same time, and each is checked in turn below.
  local testdata=$KD_ROOT/test/cmd/testdata
  kd::realnode::start_ephemeral noimg kd::test::debug app -c noimg --image=kd.invalid/none:1 --image-pull-policy=Never -i -q -- true
  kd::realnode::start_ephemeral nonroot kd::realnode::debug app -c nonroot --profile=restricted -i -- id
  kd::realnode::start_ephemeral nocm kd::realnode::debug app -c nocm --custom="$testdata/missing-configmap.yaml" -i -- true
  kd::realnode::start_ephemeral noseccomp kd::realnode::debug app -c noseccomp --custom="$testdata/missing-seccomp.yaml" -i -- true
  kd::realnode::start_ephemeral nopull kd::test::debug app -c nopull --image=127.0.0.1:9/kd/none:1 --image-pull-policy=Always --pod-running-timeout=5s -q -i -- true
  kd::test::debug_start nowhere kd::realnode::debug app --copy-to=app-nowhere -c dbg --custom="$testdata/nowhere.yaml" --rm -i -- true
  # (a copy that may run 5 s, its debug container's image from a registry nobody answers)
  kd::test::debug_start ended kd::test::debug app -c dbg --image=127.0.0.1:9/kd/none:1 --copy-to=app-ended --same-node \
    --custom="$testdata/deadline.yaml" --rm -i -q -- true
  # (a copy whose container keeps the pod's image, with another command)
  kd::test::debug_start badref kd::test::debug badref --copy-to=badref-copy --same-node -c app --rm -i -q -- true
  kd::test::wait_for 60 "pod finished to succeed" kd::realnode::phase_is finished Succeeded
  kd::test::debug_start ondone kd::realnode::debug finished -c dbg -i -- true

  ### An image the node lacks, with pull policy Never: the wait ends at once, with the
  ### kubelet's reason and what to do.
  # Command (started above)
  kd::test::debug_finish noimg
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: container "noimg" of pod "app" will not start: ErrImageNeverPull: Container image "kd.invalid/none:1" is not present with pull policy of Never
The image is not on the node and --image-pull-policy=Never forbids pulling it: use IfNotPresent, or an image the node has.' stderr

  ### A root image where the profile requires non-root: the kubelet's refusal, and the
  ### flag that fixes it.
  # Command (started above)
  kd::test::debug_finish nonroot
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'error: container "nonroot" of pod "app" will not start: CreateContainerConfigError: container has runAsNonRoot and image will run as root' stderr
  kd::test::assert_eq "$(tail -n 1 <<<"$DEBUG_ERR")" "The container must run as non-root and its image does not say a numeric non-root user: --run-as=target runs it as the target's user (or --run-as=UID), or choose a --profile that allows root." stderr

  ### A ConfigMap the container refers to does not exist: the kubelet's reason, at once.
  # Command (started above)
  kd::test::debug_finish nocm
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: container "nocm" of pod "app" will not start: CreateContainerConfigError: configmap "kd-missing" not found
The kubelet cannot build the container'"'"'s configuration: check what --custom or the pod refers to (a ConfigMap, a Secret, a volume).' stderr

  ### A seccomp profile the node lacks: the runtime cannot create the container.
  # Command (started above)
  kd::test::debug_finish noseccomp
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'error: container "noseccomp" of pod "app" will not start: CreateContainerError: ' stderr
  kd::test::assert_eq "$(tail -n 1 <<<"$DEBUG_ERR")" 'The container runtime refused to create the container: check the image'"'"'s entrypoint and the command after --.' stderr

  ### A registry that does not answer: the pull error is waited on, for
  ### --pod-running-timeout after it first failed, then reported.
  # Command (started above)
  kd::test::debug_finish nopull
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'error: container "nopull" of pod "app" will not start: ' stderr
  kd::test::if_has_string "$DEBUG_ERR" '127.0.0.1:9/kd/none:1' stderr
  kd::test::assert_eq "$(tail -n 1 <<<"$DEBUG_ERR")" 'The image could not be pulled within --pod-running-timeout (5s): check --image, the registry and its credentials.' stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'noimg;nonroot;nocm;noseccomp;nopull;'

  ### A copy no node can take: the scheduler's reason at once, and --rm deletes it.
  # Command (started above)
  kd::test::debug_finish nowhere
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'error: container "dbg" of pod "app-nowhere" will not start: Unschedulable: 0/' stderr
  kd::test::if_has_string "$DEBUG_ERR" "didn't match Pod's node affinity/selector" stderr
  kd::test::assert_eq "$(tail -n 1 <<<"$DEBUG_ERR")" 'No node can take the pod as it is: free a node, or with --copy-to use --same-node or a --custom profile that fits.' stderr
  kd::test::object_absent pod/app-nowhere

  ### A copy the kubelet ends (its deadline) while its debug container waits for its
  ### image: the pod's phase and reason, and --rm deletes the copy.
  # Command (started above)
  kd::test::debug_finish ended
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: container "dbg" of pod "app-ended" will not start: the pod has ended: phase Failed, DeadlineExceeded: Pod was active on the node longer than the specified deadline
The debugging pod ended before its container started: with --copy-to, the copy keeps the pod'"'"'s spec (its activeDeadlineSeconds, its restart policy), which a --custom profile'"'"'s pod section can change.' stderr
  kd::test::object_absent pod/app-ended

  ### A copy whose container keeps an image reference the kubelet cannot parse: its
  ### reason at once, and --rm deletes the copy.
  # Command (started above)
  kd::test::debug_finish badref
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'error: container "app" of pod "badref-copy" will not start: InvalidImageName: ' stderr
  kd::test::if_has_string "$DEBUG_ERR" '127.0.0.1:9/KD/none:1' stderr
  kd::test::assert_eq "$(tail -n 1 <<<"$DEBUG_ERR")" 'The kubelet cannot parse the image reference: check --image, or with --copy-to the image the copy keeps from the pod, which --set-image replaces.' stderr
  kd::test::object_absent pod/badref-copy

  ### A debug container added to a pod that has ended: the wait ends at once, and the
  ### hint is a copy.
  # Command (started above)
  kd::test::debug_finish ondone
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: container "dbg" of pod "finished" will not start: the pod has ended: phase Succeeded
A pod that has ended starts no container: debug a copy of it with --copy-to.' stderr
  kd::test::get_object_assert pod/finished '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg;'
}

run_realnode_poisoned_pod() {
  kd::test::new_namespace
  kd::realnode::pod app

  ### A privileged debug container, running since before the namespace enforced
  ### baseline, makes every new one refused: the error names it and suggests a copy.
  # Pre-Condition: a sysadmin debug container runs in the pod, then baseline is enforced
  kd::realnode::debug app -c old --profile=sysadmin --attach=false -- sleep 3600
  kd::test::assert_success
  kd::test::wait_for 60 'debug container old to run' kd::realnode::container_is old running
  kubectl label namespace "$NS" pod-security.kubernetes.io/enforce=baseline >/dev/null
  # Command
  kd::realnode::debug app -c dbg --profile=baseline -i -- true
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'Error from server (Forbidden): adding debug container "dbg" to pod "app": pods "app" is forbidden: violates PodSecurity "baseline:latest": privileged (container "old" must not set securityContext.privileged=true); pod "app" already holds ephemeral containers that break this policy ("old"), which cannot be removed, so every new one is refused: debug a copy of the pod instead, with --copy-to' stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'old;'

  ### The copy it suggests is admitted and runs the debug command.
  # Command
  kd::realnode::debug app -c dbg --profile=baseline --copy-to=app-copy --same-node --rm -i -- echo copied
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" 'copied' stdout
  kd::test::object_absent pod/app-copy
}

# kd::realnode::container_is NAME STATE: the ephemeral container NAME of pod app is
# reported in STATE (running, terminated, or waiting's reason).
kd::realnode::container_is() {
  [[ $(kubectl get pod app -n "$NS" -o go-template='{{range .status.ephemeralContainerStatuses}}{{if eq .name "'"$1"'"}}{{if .state.running}}running{{else if .state.terminated}}terminated{{else if .state.waiting}}{{.state.waiting.reason}}{{end}}{{end}}{{end}}') == "$2" ]]
}

run_realnode_sessions_list() {
  kd::test::new_namespace
  # Never restarted: the copy's debug container, which inherits it, stays terminated.
  kd::realnode::pod app '  restartPolicy: Never'
  kubectl label pod app -n "$NS" "kd-fixture=$NS" >/dev/null
  # The node pod gets the fixture's label from a profile.
  local profile=$KD_TEST_TMP/$NS-label.yaml
  cat >"$profile" <<PROFILE
apiVersion: debugger.kubectl-debugger.github.io/v1alpha1
kind: DebugProfile
pod:
  metadata:
    labels: {kd-fixture: $NS}
PROFILE
  kd::realnode::debug app -c run --target=main --attach=false -- sleep 3600
  kd::realnode::debug app -c ended --attach=false -- sh -c 'exit 3'
  kd::test::debug app --image=missing:1 --image-pull-policy=Never -c miss --attach=false -q
  # The copy keeps app's labels, the fixture's among them, and ends with its session.
  kd::realnode::debug app -c dbg --copy-to=app-copy --same-node --keep-labels -i -- true
  kd::realnode::debug "node/$KD_REAL_NODE" --attach=false --custom="$profile" -- sleep 3600
  kd::test::wait_for 60 'debug container run to run' kd::realnode::container_is run running
  kd::test::wait_for 60 'debug container ended to end' kd::realnode::container_is ended terminated
  kd::test::wait_for 60 'debug container miss to wait for its image' kd::realnode::container_is miss ErrImageNeverPull
  kd::test::wait_for 60 'the copy and the node pod to run' kd::realnode::phases 'Running Running Running'

  ### sessions -A: a running, a terminated and a waiting ephemeral container, a copy held
  ### in a session and a node debugging pod, each with what its spec grants and who made it.
  # Pre-Condition: the pod, its copy and the node pod, selected by the fixture's label
  kd::test::get_object_assert pods '{{len .items}}' '3' -l "kd-fixture=$NS"
  # Command
  kd::test::sessions -A -l "kd-fixture=$NS" -o wide
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::sessions_table "$DEBUG_OUT")" "\
NAMESPACE | POD | CONTAINER | KIND | TARGET | IMAGE | STATE | AGE | PRIVILEGES | BY
$NS | app | run | ephemeral | main | busybox:1.36 | Running | AGE | cap:SYS_PTRACE | kubectl-debugger
$NS | app | ended | ephemeral | <none> | busybox:1.36 | Terminated (exit 3) | AGE | cap:SYS_PTRACE | kubectl-debugger
$NS | app | miss | ephemeral | <none> | missing:1 | Waiting (ErrImageNeverPull) | AGE | cap:SYS_PTRACE | kubectl-debugger
$NS | app-copy | dbg | copy | pod/app | busybox:1.36 | Terminated (exit 0) | AGE | cap:SYS_PTRACE | kubectl-debugger
$NS | node-debugger-$KD_REAL_NODE-XXXXX | debugger | node | node/$KD_REAL_NODE | busybox:1.36 | Running | AGE | hostPID,hostNetwork,hostIPC | kubectl-debugger" 'sessions -A -o wide'
  kd::test::assert_eq "$DEBUG_ERR" '' stderr
}

run_realnode_sessions_stop() {
  kd::test::new_namespace
  kd::realnode::pod app
  local target
  target=$(kubectl get pod app -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.running.startedAt}')

  ### --stop ends a shell that targets main, and only it: main keeps running, not restarted.
  kd::realnode::debug app -c shell --target=main -i --attach=false -- sh
  kd::test::wait_for 60 'the shell to run' kd::realnode::container_is shell running
  # Pre-Condition: the shell runs beside main
  kd::test::get_object_assert pod/app '{{range .status.containerStatuses}}{{.name}}:{{.restartCount}}:{{.state.running.startedAt}};{{end}}' "main:0:$target;"
  # Command
  kd::test::sessions --stop app/shell
  # Post-Condition: SIGKILL from inside, and the target untouched
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "Stopped debug container shell of pod $NS/app: Terminated (exit 137)." stdout
  kd::test::get_object_assert pod/app '{{range .status.ephemeralContainerStatuses}}{{.name}}:{{.state.terminated.exitCode}};{{end}}' 'shell:137;'
  kd::test::get_object_assert pod/app '{{range .status.containerStatuses}}{{.name}}:{{.restartCount}}:{{.state.running.startedAt}};{{end}}' "main:0:$target;"

  ### A shell that is PID 1 of its own process namespace ignores signals: its input is ended.
  kd::realnode::debug app -c alone -i --attach=false -- sh
  kd::test::wait_for 60 'the shell to run' kd::realnode::container_is alone running
  # Command
  kd::test::sessions --stop app/alone
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "Stopped debug container alone of pod $NS/app: Terminated (exit 0)." stdout

  ### Without a shared process namespace and without input, it cannot be stopped: refused.
  kd::realnode::debug app -c nostdin --attach=false -- sleep 3600
  kd::test::wait_for 60 'the sleep to run' kd::realnode::container_is nostdin running
  # Command
  kd::test::sessions --stop app/nostdin
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error: debug container \"nostdin\" of pod $NS/app runs as PID 1 of its own process namespace, which ignores the signals sent from inside it, and reads no standard input to end: it cannot be stopped" stderr
  kd::test::get_object_assert pod/app '{{range .status.containerStatuses}}{{.name}}:{{.restartCount}}:{{.state.running.startedAt}};{{end}}' "main:0:$target;"
}

REALNODE_TOPICS=(
  run_realnode_ephemeral
  run_realnode_deployment
  run_realnode_never_starts
  run_realnode_poisoned_pod
  run_realnode_share_volumes
  run_realnode_profile_capabilities
  run_realnode_netadmin_changes_a_link
  run_realnode_restricted_run_as
  run_realnode_copy
  run_realnode_node
  run_realnode_attach_terminal
  run_realnode_attach_piped
  run_realnode_attach_interrupt
  run_realnode_sessions_rm
  run_realnode_terminal_rm_on_signals
  run_realnode_terminal_rm_ephemeral
  run_realnode_logs_outlive_request_timeout
  run_realnode_terminal_detach
  run_realnode_sessions_list
  run_realnode_sessions_stop
  "${DISTROLESS_TOPICS[@]}"
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${REALNODE_TOPICS[@]}"
  kd::test::summary
fi
