#!/usr/bin/env bash
# The real node's tear-down and the check that it left nothing (hack/lib/node.sh sources
# this file): both work from the cluster directory alone, also after a crash.

# Prints the PIDs of the node's processes: every process in its cgroup subtree, in any
# hierarchy. That is the daemons (containerd, the kubelet and the namespace holder joined
# $KD_NODE_CGROUP/daemons before their first instruction, kd::node::start), all they ever
# started (shims, runc, CNI plugins inherit it) and the pods' containers (below the
# kubelet's cgroupRoot). Names, binaries and mount-namespace numbers are shared with the
# other clones' clusters, or reused once a namespace dies; the cgroup is this cluster's
# alone, derived from its directory.
kd::node::pids() {
  local m
  while read -r m; do
    [[ -d $m/$KD_NODE_CGROUP ]] || continue
    find "$m/$KD_NODE_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  done < <(kd::node::cgroup_mounts) | sort -un
}

# kd::node::kill PID...: SIGKILL to the node's processes PID..., as kd::node::pids listed
# them, and to all else in its cgroup subtree. Where the kernel can (cgroup.kill, cgroup
# v2 since Linux 5.14) it kills the subtree itself: no PID is involved that could have
# ended and been reused since it was listed. Elsewhere each PID must still be in the
# subtree right before its signal.
kd::node::kill() {
  local m pid
  while read -r m; do
    if [[ -f $m/$KD_NODE_CGROUP/cgroup.kill ]]; then
      echo 1 2>/dev/null >"$m/$KD_NODE_CGROUP/cgroup.kill" || true
    fi
  done < <(kd::node::cgroup_mounts)
  for pid in "$@"; do
    if grep -qE ":/$KD_NODE_CGROUP(/|\$)" "/proc/$pid/cgroup" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# Stops the node and removes all it made outside the cluster directory's files: its
# processes (the kubelet first, so it restarts nothing), the pods' network namespaces and
# veths (they go with the processes), the bridge, the cgroups. Works from the cluster
# directory alone, also after a crash. It unmounts nothing: the node's mounts go with its
# mount namespace, and one the host sees anyway is a bug to report (kd::node::leftovers),
# not a guess to act on as root.
kd::node::down() {
  local name pid live pids=() m link
  kd::node::vars
  # The daemons stop on SIGTERM (and the kubelet restarts no container once it got it).
  # An exited one may stay a zombie for a while, until its new parent reaps it.
  for name in kubelet containerd node-ns; do
    pid=$(kd::node::recorded_pid "$name" 2>/dev/null) || continue
    if kd::cluster::alive "$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for _ in $(seq 1 50); do
    live=0
    for pid in ${pids[@]+"${pids[@]}"}; do
      [[ $(kd::node::state "$pid") == [ZX] ]] || live=1
    done
    ((live)) || break
    sleep 0.1
  done
  # Then whatever is left: containers, shims, anything that ignored the signal.
  for _ in $(seq 1 100); do
    mapfile -t pids < <(kd::node::pids)
    ((${#pids[@]})) || break
    kd::node::kill "${pids[@]}"
    sleep 0.1
  done
  ((${#pids[@]} == 0)) || kd::log "node processes still alive after 10s: ${pids[*]}"

  # The veths go with the pods' network namespaces, a moment after their last process.
  for _ in $(seq 1 50); do
    [[ -z $(ip -o link show master "$KD_NODE_BRIDGE" 2>/dev/null) ]] && break
    sleep 0.1
  done
  for link in $(ip -o link show master "$KD_NODE_BRIDGE" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del "$KD_NODE_BRIDGE" 2>/dev/null || true

  # A cgroup can only go once its last process is reaped; the deepest first.
  while read -r m; do
    [[ -d $m/$KD_NODE_CGROUP ]] || continue
    for _ in $(seq 1 50); do
      find "$m/$KD_NODE_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [[ -d $m/$KD_NODE_CGROUP ]] || break
      sleep 0.1
    done
  done < <(kd::node::cgroup_mounts)

  # Should the namespace ever have leaked onto the host: what the kubelet and the CNI
  # plugins write to fixed paths, where they are this cluster's.
  for link in /var/log/containers/*; do
    [[ -L $link && $(readlink "$link") == "$KD_NODE_DIR"/* ]] && rm -f "$link"
  done
  rm -rf "/var/lib/cni/networks/$KD_NODE_NETWORK" /var/lib/cni/results/"$KD_NODE_NETWORK"-*
}

# kd::node::mounts DIR [below]: the mount points at DIR or below it as the host sees them,
# spelled as /proc/self/mountinfo does (a space is \040); with "below", only those
# strictly below DIR.
kd::node::mounts() {
  local dir
  dir=$(realpath -m "$1")
  dir=${dir%/}
  dir=${dir//\\/\\134}
  dir=${dir// /\\040}
  dir=${dir//$'\t'/\\011}
  dir=${dir//$'\n'/\\012}
  # Through the environment: awk -v would undo the escapes.
  KD_MOUNTS_DIR=$dir KD_MOUNTS_BELOW=${2:-} awk '
    BEGIN { dir = ENVIRON["KD_MOUNTS_DIR"]; below = ENVIRON["KD_MOUNTS_BELOW"] == "below" }
    (!below && $5 == dir) || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo
}

# True when this cluster ran a real node: kd::node::up wrote its files, or the bookkeeping
# holds one of its processes.
kd::node::ran() {
  [[ -f $KD_NODE_DIR/env || -f $KD_NODE_DIR/mntns ]] ||
    kd::node::recorded_pid node-ns >/dev/null 2>&1 ||
    kd::node::recorded_pid containerd >/dev/null 2>&1 ||
    kd::node::recorded_pid kubelet >/dev/null 2>&1
}

# The node's mounts that leaked onto the host: strictly below its directory, and only when
# this cluster ran a node. The node's mount namespace should have held every one of them.
kd::node::host_mounts() {
  kd::node::ran || return 0
  kd::node::mounts "$KD_NODE_DIR" below
}

# Lists what a node of this cluster left behind, one line each, and fails if anything:
# processes, cgroups, the bridge and veths on it, mounts below the node's directory
# visible on the host (the pods' network namespaces included), and the cluster's entries
# in the fixed paths the kubelet and the CNI plugins use. Prints nothing and succeeds
# when clean.
kd::node::leftovers() {
  local out=() pid m link
  kd::node::vars
  while read -r pid; do
    out+=("process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)")
  done < <(kd::node::pids)
  while read -r m; do
    [[ -d $m/$KD_NODE_CGROUP ]] && out+=("cgroup $m/$KD_NODE_CGROUP")
  done < <(kd::node::cgroup_mounts)
  if ip link show "$KD_NODE_BRIDGE" >/dev/null 2>&1; then
    out+=("link $KD_NODE_BRIDGE (the pods' bridge)")
    while read -r link; do
      [[ -n $link ]] && out+=("link $link (on $KD_NODE_BRIDGE)")
    done < <(ip -o link show master "$KD_NODE_BRIDGE" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
  fi
  while read -r m; do
    out+=("mount $m")
  done < <(kd::node::host_mounts)
  for link in /var/log/containers/*; do
    [[ -L $link && $(readlink "$link") == "$KD_NODE_DIR"/* ]] && out+=("file $link")
  done
  for link in "/var/lib/cni/networks/$KD_NODE_NETWORK" /var/lib/cni/results/"$KD_NODE_NETWORK"-*; do
    [[ -e $link ]] && out+=("file $link")
  done
  ((${#out[@]})) || return 0
  printf '%s\n' "${out[@]}"
  return 1
}
