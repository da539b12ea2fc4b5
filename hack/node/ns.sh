#!/usr/bin/env bash
# The first process of the real node's mount namespace (hack/lib/node.sh starts it under
# `unshare --mount --propagation private`): gives the node its own /var/lib, /var/log and
# /run, the kernel tunables the kubelet would otherwise set for the whole machine, then
# becomes the pause program, which holds the namespace open for containerd and the
# kubelet to join. Mounts made here are the namespace's alone and go with it.
#
#   ns.sh NODE_DIR PAUSE
set -o errexit -o nounset -o pipefail

node_dir=$1 pause=$2

# Run by mistake in the caller's namespace, the mounts below would hide the host's
# directories from everything.
if [[ $(readlink /proc/self/ns/mnt) == "$(readlink "/proc/$PPID/ns/mnt")" ]]; then
  echo "ns.sh: not in a mount namespace of its own; start it with unshare --mount" >&2
  exit 1
fi

# The kubelet and containerd write a few paths no flag moves (/var/log/containers,
# /var/lib/kubelet/device-plugins, the CNI result cache in /var/lib/cni, shim sockets in
# /run/containerd): here they land in the cluster directory.
mount --bind "$node_dir/fs/var-lib" /var/lib
mount --bind "$node_dir/fs/var-log" /var/log
mount --bind "$node_dir/fs/run" /run

# Each file holds the value the kubelet wants, so it finds nothing to change.
for file in "$node_dir"/fs/sysctl/*; do
  name=${file##*/}
  mount --bind "$file" "/proc/sys/${name//.//}"
done

exec "$pause"
