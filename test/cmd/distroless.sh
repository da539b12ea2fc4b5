#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Real-node topics on a distroless target (sourced by test/cmd/realnode.sh, whose
# helpers they use): a container with no shell and no tar (the node's pause image: one
# static binary), running as 65532 with a read-only root filesystem, in a namespace that
# enforces Pod Security "restricted"; --target=auto and --target-fs on it.

# The debug container's notice when it may not chroot: it starts in the target's root
# directory, the target's PID 1 seen from the PID namespace it shares.
# shellcheck disable=SC2016 # $TARGET_ROOT is part of the text
DISTROLESS_NOTICE='--target-fs: the command starts in container "main"'"'"'s root directory, $TARGET_ROOT (/proc/1/root), and / is the debug image'"'"'s: the debug container does not run as root; a profile that runs as root and keeps CAP_SYS_CHROOT (general, sysadmin) makes the target'"'"'s root /'

# kd::realnode::distroless NAME [CONTAINER...]: in $NS, a pod NAME of distroless
# containers (main by default) on the real node, each running the node's pause image as
# 65532:65532, non-root, with a read-only root filesystem, every capability dropped,
# the runtime's seccomp profile, no privilege escalation, and a writable emptyDir at
# /scratch; waits until it runs.
kd::realnode::distroless() {
  local name=$1 containers
  shift
  containers=$(for c in "${@:-main}"; do
    cat <<EOF
  - name: $c
    image: $KD_NODE_PAUSE_IMAGE
    imagePullPolicy: Never
    securityContext:
      runAsUser: 65532
      runAsGroup: 65532
      runAsNonRoot: true
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
      seccompProfile: {type: RuntimeDefault}
    volumeMounts: [{name: scratch, mountPath: /scratch}]
EOF
  done)
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $name}
spec:
  nodeName: $KD_REAL_NODE
  terminationGracePeriodSeconds: 0
  volumes: [{name: scratch, emptyDir: {}}]
  containers:
$containers
EOF
  kd::test::wait_running 90 "$name"
}

# kd::realnode::distroless_debug ARGS...: the command under test with the node's
# busybox, not quiet (the notices are checked).
kd::realnode::distroless_debug() {
  kd::test::debug --image="$REALNODE_IMAGE" --image-pull-policy=Never "$@"
}

# kd::realnode::logs POD CONTAINER: the log of an ended container of POD in $NS, stdout
# and stderr as they came, each in order; a line of one written just before a line of the
# other may come after it, as the runtime reads each from a pipe of its own. A short
# command may end before the attach is connected, or write before it is: the attach then
# shows less than the log holds.
kd::realnode::logs() {
  kubectl logs -n "$NS" "$1" -c "$2"
}

run_realnode_distroless_target_auto() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=restricted
  kd::realnode::distroless app

  ### The fixture: restricted, and the target has no shell and no tar.
  # Pre-Condition
  kd::test::get_object_assert "namespace/$NS" '{{index .metadata.labels "pod-security.kubernetes.io/enforce"}}' 'restricted'
  kd::test::get_object_assert pod/app '{{with (index .spec.containers 0).securityContext}}{{.runAsUser}}:{{.runAsGroup}}:{{.runAsNonRoot}}:{{.readOnlyRootFilesystem}}:{{.capabilities.drop}}{{end}}' '65532:65532:true:true:[ALL]'
  local tool
  for tool in sh tar; do
    # Command
    if kubectl exec -n "$NS" app -c main -- "$tool" --help >/dev/null 2>&1; then
      kd::test::fail "the target runs $tool"
    else
      kd::test::pass "the target has no $tool"
    fi
  done

  ### --target=auto: the debug container sees the target's process, and the notice
  ### names the container chosen.
  # Command
  kd::realnode::distroless_debug app -c auto --target=auto --profile=restricted --run-as=target -i -- ps -o user,args
  # Post-Condition: the target's /pause, run by 65532
  kd::test::assert_success
  kd::test::if_has_string "$(kd::realnode::logs app auto)" '65532    /pause' 'ps in the debug container'
  kd::test::if_has_string "$DEBUG_OUT" '--target=auto chose container "main", the pod'"'"'s only container.' stdout
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}>{{.targetContainerName}};{{end}}' 'auto>main;'

  ### --target=auto on a pod of two containers without the annotation: refused, naming
  ### both, before any write.
  kd::realnode::distroless two main side
  # Command
  kd::realnode::distroless_debug two -c auto --target=auto --profile=restricted --run-as=target -i -- ps
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: --target=auto: pod "two" has 2 containers (main, side) and no kubectl.kubernetes.io/default-container annotation: name one with --target' stderr
  kd::test::get_object_assert pod/two '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
}

run_realnode_distroless_target_fs() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=restricted
  # A topic that fails half-way must not leave its terminal behind.
  trap kd::realnode::terminal_end EXIT
  kd::realnode::distroless app

  ### --target-fs --run-as=target --profile=restricted: admitted; the command starts in
  ### the target's root directory, where the debug image's tools work on its files.
  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  # shellcheck disable=SC2016 # expanded by the debug container's shell
  kd::realnode::distroless_debug app -c fs --target=main --target-fs --profile=restricted --run-as=target -q -i -- \
    sh -c 'echo "$PWD $TARGET_ROOT"; ls; od -An -c -N4 pause; touch pause 2>/dev/null || echo read-only; echo kept >scratch/file && cat scratch/file'
  # Post-Condition: the notice, the pause image's files, its binary's ELF header, a
  # read-only root and a writable emptyDir
  kd::test::assert_success
  local log
  log=$(kd::realnode::logs app fs)
  kd::test::assert_eq "$(grep -c -x -F -e "$DISTROLESS_NOTICE" <<<"$log")" 1 'notices in the log of the debug container'
  kd::test::assert_eq "$(grep -v -x -F -e "$DISTROLESS_NOTICE" <<<"$log")" $'/proc/1/root /proc/1/root\ndev\netc\npause\nproc\nscratch\nsys\nvar\n 177   E   L   F\nread-only\nkept' 'standard output in the log of the debug container'

  ### The same in a terminal session: a shell whose input is typed.
  # Command
  kd::realnode::terminal app -c tty --target=main --target-fs --profile=restricted --run-as=target -it --image="$REALNODE_IMAGE" --image-pull-policy=Never
  # shellcheck disable=SC2016 # expanded by the debug container's shell
  printf '%s\n' 'echo "at $PWD:" $(ls | tr "\n" " ")' 'exit 5' >&7
  kd::test::wait_for 30 'the terminal session to end' test -s "$TERM_RC"
  # Post-Condition: the listing of the target's root, and the shell's exit code
  kd::test::assert_eq "$(<"$TERM_RC")" 5 'exit code of the terminal session'
  kd::test::if_has_string "$(tr -d '\r' <"$TERM_OUT")" 'at /proc/1/root: dev etc pause proc scratch sys var' 'terminal output'
  kd::realnode::terminal_end

  ### Another user than the target's: one line naming both users and the flag.
  # Command (restricted needs a non-root user; 1000 is not the target's)
  kd::realnode::distroless_debug app -c other --target=main --target-fs --profile=restricted --run-as=1000 -q -i -- ls
  # Post-Condition
  kd::test::assert_eq "$DEBUG_RC" 1 'exit code of the refused --target-fs'
  kd::test::assert_eq "$(kd::realnode::logs app other)" '--target-fs: cannot enter the filesystem of container "main": the debug container runs as UID 1000 and the target as UID 65532; --run-as=target runs the debug container as the target'"'"'s user' 'output of the debug container'
}

run_realnode_distroless_chroot() {
  # A profile that may chroot (root, CAP_SYS_CHROOT and CAP_SYS_PTRACE) is not admitted
  # where "restricted" is enforced.
  kd::test::new_namespace
  kd::realnode::distroless app

  local profile
  for profile in general sysadmin; do
    ### --target-fs with a profile that may chroot: / is the target's root, the debug
    ### image's tools are on PATH, and the target's own root is read-only.
    # Pre-Condition: no ephemeral container of that name
    kd::test::get_object_assert pod/app "{{range .spec.ephemeralContainers}}{{if eq .name \"$profile\"}}{{.name}}{{end}}{{end}}" ''
    # Command
    # shellcheck disable=SC2016 # expanded by the debug container's shell
    kd::realnode::distroless_debug app -c "$profile" --target=main --target-fs --profile="$profile" -q -i -- \
      sh -c 'echo "$PWD $TARGET_ROOT"; ls /; od -An -c -N4 /pause; touch /pause 2>/dev/null || echo read-only'
    # Post-Condition: ls / shows the pause image (no /bin: that is the debug image's)
    kd::test::assert_success
    kd::test::assert_eq "$(kd::realnode::logs app "$profile")" $'/ /\ndev\netc\npause\nproc\nscratch\nsys\nvar\n 177   E   L   F\nread-only' "output with --profile=$profile"
  done
}

# kd::realnode::cp ARGS...: kubectl debugger cp in $NS with the node's busybox; sets
# DEBUG_OUT, DEBUG_ERR and DEBUG_RC as kd::test::debug does.
kd::realnode::cp() {
  local out=$KD_TEST_TMP/$NS.cp.out err=$KD_TEST_TMP/$NS.cp.err
  DEBUG_RC=0
  timeout -k 5 120 "$KD_ROOT/_output/bin/kubectl-debugger-cp" -n "$NS" --image="$REALNODE_IMAGE" --image-pull-policy=Never "$@" \
    >"$out" 2>"$err" </dev/null || DEBUG_RC=$?
  DEBUG_OUT=$(<"$out") DEBUG_ERR=$(<"$err")
}

# kd::realnode::sums DIR: the sha256 and permissions of every file in DIR, by name.
kd::realnode::sums() {
  (cd "$1" && find . -type f -exec sha256sum {} + | sort -k 2 && find . -type f -exec stat -c '%n %a' {} + | sort)
}

run_realnode_distroless_cp() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=restricted
  kd::realnode::distroless app
  local tmp=$KD_TEST_TMP/$NS-cp i
  mkdir -p "$tmp/dir"
  head -c $((20 << 20)) /dev/urandom >"$tmp/big"
  chmod 0640 "$tmp/big"
  for i in $(seq 1 100); do
    head -c $((i * 997)) /dev/urandom >"$tmp/dir/f$i"
  done
  chmod 0600 "$tmp/dir/f7"
  chmod 0755 "$tmp/dir/f8"

  ### A 20 MiB file into the target's emptyDir and back: the same bytes and mode, through
  ### one debug container.
  # Pre-Condition: no ephemeral container
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::realnode::cp "$tmp/big" app:/scratch/big
  kd::test::assert_success
  kd::realnode::cp app:/scratch/big "$tmp/big.back"
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$(sha256sum <"$tmp/big.back")" "$(sha256sum <"$tmp/big")" 'sha256 of the 20 MiB file copied in and out'
  kd::test::assert_eq "$(stat -c %a "$tmp/big.back")" 640 'mode of the file copied in and out'
  kd::test::get_object_assert pod/app '{{len .spec.ephemeralContainers}}:{{(index .spec.ephemeralContainers 0).targetContainerName}}:{{(index .spec.ephemeralContainers 0).securityContext.runAsUser}}' '1:main:65532'

  ### A directory of 100 files, both ways with -r, through the same debug container.
  # Command
  kd::realnode::cp -r "$tmp/dir" app:/scratch
  kd::test::assert_success
  kd::realnode::cp -r app:/scratch/dir "$tmp/dir.back"
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$(kd::realnode::sums "$tmp/dir.back")" "$(kd::realnode::sums "$tmp/dir")" 'sha256 and modes of the 100 files'
  kd::test::assert_eq "$(find "$tmp/dir.back" -type f | wc -l)" 100 'files copied back'
  kd::test::get_object_assert pod/app '{{len .spec.ephemeralContainers}}' '1'

  ### The target's read-only root and a missing path: one line each.
  # Command
  kd::realnode::cp "$tmp/big" app:/big
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: cannot write to / in container "main": read-only file system' stderr
  # Command
  kd::realnode::cp app:/scratch/none "$tmp/none"
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: /scratch/none: no such file or directory in container "main"' stderr
  if [[ -e $tmp/none ]]; then kd::test::fail "a failed copy left $tmp/none"; else kd::test::pass "nothing written"; fi
  kd::test::get_object_assert pod/app '{{len .spec.ephemeralContainers}}' '1'
}

# shellcheck disable=SC2034 # realnode.sh lists them among its topics
DISTROLESS_TOPICS=(
  run_realnode_distroless_target_auto
  run_realnode_distroless_target_fs
  run_realnode_distroless_chroot
  run_realnode_distroless_cp
)
