#!/usr/bin/env bash
# The real node's tear-down and the check that it left nothing (hack/lib/node.sh sources
# this file): both work from the cluster directory alone, also after a crash.

# Prints the PIDs of the node's processes: whatever is in its cgroups (the pods'
# containers), and what runs in its mount namespace from the node's own binaries
# (containerd, shims, runc, the kubelet, the namespace holder). Shims re-parent and are
# named like any other cluster's, so neither name nor parent would tell them apart.
kd::node::pids() {
  local m f pid ns exe
  {
    while read -r m; do
      [[ -d $m/$KD_NODE_CGROUP ]] || continue
      find "$m/$KD_NODE_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null || true
    done < <(kd::node::cgroup_mounts)
    ns=$(cat "$KD_NODE_DIR/mntns" 2>/dev/null) || true
    if [[ -n $ns ]]; then
      for f in /proc/[0-9]*/ns/mnt; do
        [[ $(readlink "$f" 2>/dev/null) == "$ns" ]] || continue
        pid=${f#/proc/}
        pid=${pid%%/*}
        # The binaries' paths as well, should the namespace's number have been reused.
        exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
        case $exe in
        "$KD_BIN"/* | "$KD_CACHE"/node-debs-*/*) echo "$pid" ;;
        esac
      done
    fi
  } | sort -un
}

# Stops the node and removes all it made outside the cluster directory's files: its
# processes (the kubelet first, so it restarts nothing), the mounts (they go with the
# mount namespace), the pods' network namespaces and veths (they go with the processes),
# the bridge, the cgroups. Works from the cluster directory alone, also after a crash.
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
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.1
  done
  ((${#pids[@]} == 0)) || kd::log "node processes still alive after 10s: ${pids[*]}"

  # Nothing should be mounted where the host sees it; whatever is, goes, deepest first.
  kd::node::host_mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done

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
  rm -f "$KD_NODE_DIR/mntns"
}

# Mount points under the cluster directory, as the host sees them.
kd::node::host_mounts() {
  local dir
  dir=$(realpath -m "$KD_CLUSTER_DIR")
  awk -v dir="$dir/" 'index($5 "/", dir) == 1 { print $5 }' /proc/self/mountinfo
}

# Lists what a node of this cluster left behind, one line each, and fails if anything:
# processes, cgroups, the bridge and veths on it, mounts under the cluster directory
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
