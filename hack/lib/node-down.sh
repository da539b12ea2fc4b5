#!/usr/bin/env bash
# The real node's tear-down and the check that it left nothing (hack/lib/node.sh sources
# this file): both work from the cluster directory alone, also after a crash, and both are
# hack/nodeclean, a Go program with unit tests, built into _output/tools on first use.
# What the node leaves is found by the cluster's own names (its cgroup, bridge and CNI
# network, derived from the directory as kd::node::vars derives them): names, binaries
# and mount-namespace numbers are shared with other clusters, the cgroup is this
# cluster's alone, so the tear-down ends only processes the node started.

# kd::node::nodeclean ARGS...: hack/nodeclean, built first (go build does nothing when it
# is up to date).
kd::node::nodeclean() {
  local bin=$KD_ROOT/_output/tools/nodeclean
  (cd "$KD_ROOT" && go build -o "$bin" ./hack/nodeclean) || return 2
  "$bin" "$@"
}

# Stops the node and removes all it made outside the cluster directory's files: its
# processes (SIGTERM to the recorded kubelet, containerd and namespace holder, the kubelet
# first so it restarts nothing, then SIGKILL to whatever is left in its cgroups), the
# links on the pods' bridge and the bridge, the cgroups, and its entries in the kubelet's
# and the CNI plugins' fixed paths. It unmounts nothing: the node's mounts go with its
# mount namespace, and one the host sees anyway is a bug to report (kd::node::leftovers),
# not a guess to act on as root.
kd::node::down() {
  kd::node::vars
  kd::node::nodeclean down "$KD_NODE_CLUSTER_DIR"
}

# kd::node::mounts DIR: the mount points at DIR or below it as the host sees them,
# spelled as /proc/self/mountinfo does (a space is \040).
kd::node::mounts() {
  kd::node::nodeclean mounts "$1"
}

# Lists what a node of this cluster left behind, one line each, and fails if anything:
# processes, cgroups, the bridge and veths on it, mounts below the node's directory
# visible on the host (the pods' network namespaces included, and only when this cluster
# ran a node), and the cluster's entries in the fixed paths the kubelet and the CNI
# plugins use. Prints nothing and succeeds when clean.
kd::node::leftovers() {
  kd::node::vars
  kd::node::nodeclean leftovers "$KD_NODE_CLUSTER_DIR"
}
