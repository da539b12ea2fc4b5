#!/usr/bin/env bash
# The resident kubectl of a test run (hack/kubectlresident): kd::resident::start DIR
# builds it and its caller (hack/kubectlcall) into DIR/bin and starts it on
# DIR/kubectl.sock, DIR being private to the run; kubectl() of test/cmd/lib.sh then goes
# through it. kd::resident::stop ends it and says how many commands it ran. Sourced
# after common.sh.

kd_resident_pid="" kd_resident_dir=""

# kd::resident::start DIR: unless KD_KUBECTL_RESIDENT=0.
kd::resident::start() {
  [[ ${KD_KUBECTL_RESIDENT:-1} != 0 ]] || return 0
  kd_resident_dir=$1
  # Stamped as the reference kubectl is (hack/build-server.sh).
  (cd "$KD_ROOT" && go build -ldflags "$KD_KUBE_VERSION_LDFLAGS" -o "$kd_resident_dir/bin/" ./hack/kubectlresident ./hack/kubectlcall)
  "$kd_resident_dir/bin/kubectlresident" -socket "$kd_resident_dir/kubectl.sock" </dev/null 2>"$kd_resident_dir/kubectlresident.log" &
  kd_resident_pid=$!
  export KD_KUBECTL_SOCKET=$kd_resident_dir/kubectl.sock KD_KUBECTL_CALL=$kd_resident_dir/bin/kubectlcall
}

# kd::resident::stop: ends the server kd::resident::start started, if any.
kd::resident::stop() {
  [[ -n $kd_resident_pid ]] || return 0
  kill "$kd_resident_pid" 2>/dev/null || true
  wait "$kd_resident_pid" 2>/dev/null || true
  kd_resident_pid=""
  unset KD_KUBECTL_SOCKET KD_KUBECTL_CALL
  local log=$kd_resident_dir/kubectlresident.log
  kd::log "resident kubectl: $(grep -c '^[0-9/]* [0-9:.]* ran ' "$log" || true) commands run, $(grep -c '^[0-9/]* [0-9:.]* refused ' "$log" || true) left to kubectl processes"
}
