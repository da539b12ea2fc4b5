#!/usr/bin/env bash
# The real node (KD_NODE=real): containerd and a kubelet v1.37.2 registered beside kwok's
# fake nodes on the local cluster's kube-apiserver, so debug containers really run.
# Sourced after common.sh and cluster.sh; hack/build-node.sh fills the cache it runs from.
# For tests: kd::node::unsupported_reason (why a real node cannot run here, or nothing),
# kd::node::leftovers (what a stopped node left, or nothing), kd::node::ctr ARGS (ctr on
# the node's containerd). KD_NODE_KUBELET_V sets the kubelet's log verbosity (default 1;
# its log is $KD_CLUSTER_DIR/kubelet.log).
#
# How it stays contained, so that hack/local-down-cluster.sh can undo all of it:
# - containerd, its shims and the kubelet run in a mount namespace of their own, where
#   /var/lib, /var/log and /run are directories of the cluster (the kubelet writes a few
#   fixed paths there, such as /var/log/containers and /var/lib/kubelet/device-plugins):
#   every mount they make (overlay root filesystems, shm, network namespaces, volume
#   tmpfs) is invisible outside it and vanishes with its last process.
# - every process of the node is below one cgroup per cluster (kubectl-debugger-ID), in
#   every hierarchy: the pods' containers (the kubelet's cgroupRoot) and, in its child
#   "daemons", containerd, the kubelet, the namespace holder and all they start (shims,
#   runc, CNI plugins). The tear-down finds processes by that membership alone.
# - the pods' network is one bridge per cluster (kdID) with no address on the host, no
#   route and no masquerading: a pod reaches the other pods of the node and nothing else.
# - containerd (and the kubelet) run with a proxy that does not exist: an image pull (a
#   pod with imagePullPolicy Always) fails on 127.0.0.1:1 instead of reaching a registry.
# - ID is a hash of the cluster directory, so two clusters never share a name, and the
#   tear-down finds everything again from the directory alone.
# shellcheck disable=SC2034 # the variables are for the scripts that source this file

KD_NODE=${KD_NODE:-kwok}
KD_REAL_NODE=${KD_REAL_NODE:-kd-real-node}
# The key of the NoSchedule taint the real node registers with: pods that name the node
# in spec.nodeName ignore it, pods the scheduler places must tolerate it.
KD_REAL_NODE_TAINT=kubectl-debugger/real-node
# The node's software, from Debian: unpacked into the cache, never installed.
KD_NODE_DEBS=(containerd runc containernetworking-plugins busybox-static umoci)
# Bumped whenever the image recipe in hack/build-node.sh changes, so the cache is rebuilt.
KD_NODE_IMAGES_REV=1
# Both images exist only in the node's containerd, imported from the cache: there is no
# registry, so pods need imagePullPolicy Never or IfNotPresent. The busybox image is
# Debian's busybox-static, tagged as the images the tests name.
KD_NODE_PAUSE_IMAGE=localhost/kubectl-debugger/pause:v1
KD_NODE_BUSYBOX_REPO=docker.io/library/busybox
KD_NODE_BUSYBOX_TAGS=(1.36 latest)
# Nothing of the node may talk to anything but 127.0.0.1. containerd pulls through
# HTTP(S)_PROXY (so does any HTTP client in Go): a closed port makes every pull fail at
# once, before a name is even resolved, while loopback addresses (the apiserver, the CRI
# streaming server) are never proxied.
KD_NODE_OFFLINE_ENV=(HTTP_PROXY=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1
  http_proxy=http://127.0.0.1:1 https_proxy=http://127.0.0.1:1
  "NO_PROXY=127.0.0.1,localhost" "no_proxy=127.0.0.1,localhost")

# Sets the per-cluster names, all derived from the cluster directory.
kd::node::vars() {
  local abs
  abs=$(realpath -m "$KD_CLUSTER_DIR")
  KD_NODE_CLUSTER_DIR=$abs
  KD_NODE_DIR=$abs/node
  KD_NODE_ID=$(printf '%s' "$abs" | sha256sum | cut -c1-8)
  KD_NODE_CGROUP=kubectl-debugger-$KD_NODE_ID
  # Beside the kubelet's kubepods below KD_NODE_CGROUP, where it looks for nothing.
  KD_NODE_DAEMONS_CGROUP=$KD_NODE_CGROUP/daemons
  KD_NODE_BRIDGE=kd$KD_NODE_ID
  KD_NODE_NETWORK=kubectl-debugger-$KD_NODE_ID
  KD_NODE_SOCK=$KD_NODE_DIR/containerd.sock
}

# The same version stamp build-server.sh gives kube-apiserver, so the node reports
# v1.37.2 like the control plane.
kd::node::ldflags() {
  echo "-s -w $KD_KUBE_VERSION_LDFLAGS"
}

# Prints PACKAGE=VERSION for each Debian package apt would fetch; fails when apt knows
# one of them not (no apt, or its lists are empty).
kd::node::deb_versions() {
  local lines
  command -v apt-cache >/dev/null || return 1
  lines=$(apt-cache policy "${KD_NODE_DEBS[@]}" 2>/dev/null |
    awk '/^[^ ]/ { pkg = $1; sub(/:$/, "", pkg) } /Candidate:/ && $2 != "(none)" { print pkg "=" $2 }')
  [[ $(grep -c . <<<"$lines") == "${#KD_NODE_DEBS[@]}" ]] || return 1
  echo "$lines"
}

# Prints the cache directory of the unpacked packages, keyed by their versions. Without
# apt (or its lists), the newest complete one already in the cache.
kd::node::deb_dir() {
  local versions dir
  if versions=$(kd::node::deb_versions); then
    echo "$KD_CACHE/node-debs-$(sha256sum <<<"$versions" | cut -c1-12)"
    return 0
  fi
  local newest=
  for dir in "$KD_CACHE"/node-debs-*/.complete; do
    [[ -f $dir && ( -z $newest || $dir -nt $newest ) ]] && newest=$dir
  done
  [[ -n $newest ]] || return 1
  dirname "$newest"
}

# Prints the directory of the images and the pause program, inside DEB_DIR: keyed by the
# pause program's source and the image recipe as well.
kd::node::images_dir() {
  local deb_dir=$1 key
  key=$({
    cat "$KD_ROOT/hack/node/pause/main.go"
    echo "$KD_NODE_IMAGES_REV $KD_NODE_PAUSE_IMAGE $KD_NODE_BUSYBOX_REPO ${KD_NODE_BUSYBOX_TAGS[*]}"
  } | sha256sum | cut -c1-12)
  echo "$deb_dir/images-$key"
}

# Prints the mount point of every cgroup hierarchy (v1 controllers, named v1
# hierarchies, v2).
kd::node::cgroup_mounts() {
  awk '{ for (i = 7; $i != "-"; i++) {} if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' \
    /proc/self/mountinfo
}

# Prints why this machine cannot run the real node, on one line, or nothing when it can.
# Always succeeds, so `reason=$(kd::node::unsupported_reason)` is safe under errexit; the
# test suite reports the real-node tests as skipped with this reason. It builds nothing,
# and its probes (an overlay mount in a throw-away mount namespace, a bridge and a veth
# pair) undo themselves.
kd::node::unsupported_reason() {
  local tool m probe scratch parent path cgroups=() v1=() missing=()
  kd::node::vars
  if [[ $(uname -s) != Linux ]]; then
    echo "a real node needs Linux, this is $(uname -s)"
    return 0
  fi
  if ((EUID != 0)); then
    echo "a real node needs root (containerd, cgroups, mounts, a bridge); running as uid $EUID"
    return 0
  fi
  for tool in ip mount unshare nsenter realpath sha256sum go; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    echo "a real node needs ${missing[*]} (iproute2, util-linux, coreutils, Go), not found on PATH"
    return 0
  fi
  # Its tests give the command under test a terminal.
  if ! command -v script >/dev/null; then
    echo "a real node's tests need script from util-linux"
    return 0
  fi
  # The node's mount namespace gives it its own /var/lib, /var/log and /run, which would
  # hide anything of the project below them.
  for path in "$KD_NODE_DIR" "$KD_BIN" "$KD_CACHE" "$KD_ROOT"; do
    path=$(realpath -m "$path")
    case $path/ in
    /var/lib/* | /var/log/* | /run/* | /var/run/*)
      echo "a real node hides /var/lib, /var/log and /run from itself, and $path is below one of them"
      return 0
      ;;
    esac
  done
  if ((${#KD_NODE_SOCK} + 6 > 107)); then
    echo "the cluster directory's path is too long for containerd's socket ($KD_NODE_SOCK.ttrpc, over 107 bytes)"
    return 0
  fi
  mapfile -t cgroups < <(kd::node::cgroup_mounts)
  if ((${#cgroups[@]} == 0)); then
    echo "no cgroup hierarchy is mounted"
    return 0
  fi
  for m in "${cgroups[@]}"; do
    [[ -f $m/cgroup.controllers ]] || v1+=("$m")
  done
  if ((${#v1[@]})); then
    for tool in cpu cpuset memory pids; do
      [[ -d /sys/fs/cgroup/$tool ]] || missing+=("$tool")
    done
    if ((${#missing[@]})); then
      echo "cgroup v1 without the ${missing[*]} controller(s) at /sys/fs/cgroup"
      return 0
    fi
  fi
  probe=${cgroups[0]}/kubectl-debugger-probe-$$
  if ! mkdir "$probe" 2>/dev/null; then
    echo "cannot create cgroups in ${cgroups[0]} (read-only, or a container without cgroup access)"
    return 0
  fi
  rmdir "$probe"
  if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
    echo "the kernel has no overlay filesystem (containerd's snapshotter needs it)"
    return 0
  fi
  # containerd puts overlay upper directories on the cluster's filesystem, which some
  # filesystems (overlay itself, some network ones) refuse.
  parent=$(realpath -m "$KD_CLUSTER_DIR")
  while [[ ! -d $parent ]]; do parent=$(dirname "$parent"); done
  # Callers run this in $(...), where errexit does not hold: every step is checked.
  if ! scratch=$(mktemp -d "$parent/.kd-node-probe.XXXXXX" 2>/dev/null); then
    echo "cannot write to $parent"
    return 0
  fi
  if ! mkdir "$scratch/lower" "$scratch/upper" "$scratch/work" "$scratch/merged" ||
    ! unshare --mount --propagation private mount -t overlay overlay \
      -o "lowerdir=$scratch/lower,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/merged" 2>/dev/null; then
    rm -rf "$scratch"
    echo "cannot mount overlay on $parent's filesystem in a new mount namespace (no CAP_SYS_ADMIN, or the filesystem refuses to be an overlay's upper layer)"
    return 0
  fi
  rm -rf "$scratch"
  if ! ip link add "kdp$$" type bridge 2>/dev/null; then
    echo "cannot create a bridge link (no CAP_NET_ADMIN, or no bridge support in the kernel)"
    return 0
  fi
  ip link del "kdp$$" 2>/dev/null || true
  if ! ip link add "kdp$$a" type veth peer name "kdp$$b" 2>/dev/null; then
    echo "cannot create a veth pair (no veth support in the kernel)"
    return 0
  fi
  ip link del "kdp$$a" 2>/dev/null || true
  if ! compgen -G "$KD_CACHE/node-debs-*/.complete" >/dev/null; then
    if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
      echo "containerd, runc and the CNI plugins come from Debian packages, and there is no apt-get or dpkg-deb here"
      return 0
    fi
  fi
  return 0
}

# kd::node::up KUBECONFIG API_PORT TAKEN_PORT...: starts the node against the running
# kube-apiserver (KUBECONFIG has the admin context) and waits until it is Ready. Every
# process is recorded by kd::cluster::start. Needs hack/build-node.sh to have run.
kd::node::up() {
  local kubeconfig=$1 api_port=$2
  shift 2
  local deb_dir images_dir root kubelet_port healthz_port cidr holder ns started deadline
  kd::node::vars
  deb_dir=$(kd::node::deb_dir) || { kd::log "no unpacked node packages in $KD_CACHE: run hack/build-node.sh"; return 1; }
  images_dir=$(kd::node::images_dir "$deb_dir")
  root=$deb_dir/root
  kubelet_port=$(kd::cluster::free_port "$@")
  healthz_port=$(kd::cluster::free_port "$@" "$kubelet_port")
  cidr=$(kd::node::pick_cidr)

  mkdir -p "$KD_NODE_DIR"/{containerd/root,containerd/state,cni/net.d,cni/ipam,kubelet,pod-logs,fs/sysctl} \
    "$KD_NODE_DIR"/fs/{var-lib,var-log,run}
  # For the suite and for post-mortems; the tear-down needs none of it.
  cat >"$KD_NODE_DIR/env" <<EOF
KD_REAL_NODE=$KD_REAL_NODE
KD_NODE_ID=$KD_NODE_ID
KD_NODE_CGROUP=$KD_NODE_CGROUP
KD_NODE_BRIDGE=$KD_NODE_BRIDGE
KD_NODE_CIDR=$cidr
KD_NODE_SOCK=$KD_NODE_SOCK
KD_NODE_DEBS_DIR=$deb_dir
KD_NODE_KUBELET_PORT=$kubelet_port
EOF

  kd::node::make_cgroups
  kd::node::write_configs "$root" "$cidr" "$kubelet_port" "$healthz_port" "$api_port"

  # The kubelet authenticates as system:node:NAME (its client certificate); RBAC grants
  # that user the node role, since this apiserver has no Node authorizer. The apiserver's
  # own kubelet client (exec, attach, logs) already is system:masters; the binding keeps
  # it working should that certificate lose the group.
  "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubectl-debugger:node:$KD_REAL_NODE
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:node
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: system:node:$KD_REAL_NODE
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubectl-debugger:kubelet-api-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:kubelet-api-admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: kube-apiserver-kubelet-client
EOF

  started=$SECONDS
  kd::node::start node-ns unshare --mount --propagation private -- \
    bash "$KD_ROOT/hack/node/ns.sh" "$KD_NODE_DIR" "$images_dir/pause"
  holder=$(kd::node::recorded_pid node-ns)
  # The holder becomes the pause program once the namespace is set up.
  deadline=$((SECONDS + 10))
  until [[ $(readlink "/proc/$holder/exe" 2>/dev/null) == "$images_dir/pause" ]]; do
    if ((SECONDS > deadline)) || ! kd::cluster::alive node-ns; then
      kd::log "the node's mount namespace was not set up:"
      tail -n 20 "$KD_CLUSTER_DIR/node-ns.log" >&2
      return 1
    fi
    sleep 0.05
  done
  ns=$(readlink "/proc/$holder/ns/mnt")
  echo "$ns" >"$KD_NODE_DIR/mntns"

  kd::log "starting containerd (socket $KD_NODE_SOCK)"
  kd::node::start containerd nsenter --target "$holder" --mount -- \
    env PATH="$root/usr/bin:$root/usr/sbin:$PATH" "${KD_NODE_OFFLINE_ENV[@]}" \
    "$root/usr/bin/containerd" --config "$KD_NODE_DIR/containerd/config.toml"
  deadline=$((SECONDS + 30))
  until kd::node::ctr version >/dev/null 2>&1; do
    if ((SECONDS > deadline)) || ! kd::cluster::alive containerd; then
      kd::log "containerd did not come up:"
      tail -n 30 "$KD_CLUSTER_DIR/containerd.log" >&2
      return 1
    fi
    sleep 0.1
  done
  kd::node::ctr images import --base-name "${KD_NODE_PAUSE_IMAGE%:*}" "$images_dir/pause.tar" >/dev/null
  kd::node::ctr images import --base-name "$KD_NODE_BUSYBOX_REPO" "$images_dir/busybox.tar" >/dev/null

  kd::log "starting kubelet $KD_KUBE_VERSION (node $KD_REAL_NODE) on 127.0.0.1:$kubelet_port"
  kd::node::start kubelet nsenter --target "$holder" --mount -- \
    env "${KD_NODE_OFFLINE_ENV[@]}" "$KD_BIN/kubelet" \
    --config="$KD_NODE_DIR/kubelet.yaml" \
    --kubeconfig="$KD_NODE_DIR/kubelet.kubeconfig" \
    --root-dir="$KD_NODE_DIR/kubelet" \
    --cert-dir="$KD_NODE_DIR/kubelet/pki" \
    --hostname-override="$KD_REAL_NODE" \
    --cloud-provider=external \
    --v="${KD_NODE_KUBELET_V:-1}"

  # The apiserver reaches kubelets at their InternalIP, and the kubelet refuses to report
  # a loopback one (--node-ip=127.0.0.1 is an error). With --cloud-provider=external it
  # keeps whatever addresses it finds on its Node, so this script plays the cloud
  # provider: it sets them, and lifts the taint the kubelet registers with until a
  # provider has.
  deadline=$((SECONDS + 60))
  until "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" get node "$KD_REAL_NODE" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      kd::log "node $KD_REAL_NODE not registered after 60s:"
      tail -n 30 "$KD_CLUSTER_DIR/kubelet.log" >&2
      return 1
    fi
    kd::cluster::alive kubelet || { kd::log "kubelet exited:"; tail -n 30 "$KD_CLUSTER_DIR/kubelet.log" >&2; return 1; }
    sleep 0.1
  done
  "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" patch node "$KD_REAL_NODE" --subresource=status --type=merge \
    -p "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"},{\"type\":\"Hostname\",\"address\":\"$KD_REAL_NODE\"}]}}" >/dev/null
  "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" taint node "$KD_REAL_NODE" \
    node.cloudprovider.kubernetes.io/uninitialized:NoSchedule- >/dev/null 2>&1 || true

  deadline=$((SECONDS + 90))
  until [[ $("$KD_BIN/kubectl" --kubeconfig="$kubeconfig" get node "$KD_REAL_NODE" \
    -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; do
    if ((SECONDS > deadline)); then
      kd::log "node $KD_REAL_NODE not Ready after 90s:"
      tail -n 30 "$KD_CLUSTER_DIR/kubelet.log" >&2
      return 1
    fi
    kd::cluster::alive containerd || { kd::log "containerd exited:"; tail -n 30 "$KD_CLUSTER_DIR/containerd.log" >&2; return 1; }
    kd::cluster::alive kubelet || { kd::log "kubelet exited:"; tail -n 30 "$KD_CLUSTER_DIR/kubelet.log" >&2; return 1; }
    sleep 0.2
  done
  # No node lifecycle controller here lifts the taint every node registers with.
  "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" taint node "$KD_REAL_NODE" \
    node.kubernetes.io/not-ready:NoSchedule- >/dev/null 2>&1 || true
  kd::log "node $KD_REAL_NODE Ready $((SECONDS - started))s after its start (pods on bridge $KD_NODE_BRIDGE, $cidr)"
}

# ctr against the node's containerd, in the namespace the kubelet's pods live in: for
# tests and post-mortems (kd::node::ctr containers ls, kd::node::ctr tasks ls).
kd::node::ctr() {
  local deb_dir
  kd::node::vars
  deb_dir=$(sed -n 's/^KD_NODE_DEBS_DIR=//p' "$KD_NODE_DIR/env" 2>/dev/null) || true
  [[ -n $deb_dir ]] || deb_dir=$(kd::node::deb_dir) || return 1
  "$deb_dir/root/usr/bin/ctr" --address "$KD_NODE_SOCK" --namespace k8s.io "$@"
}

# The PID recorded for NAME in the cluster's bookkeeping.
kd::node::recorded_pid() {
  local name=$1 n pid start
  [[ -f $KD_CLUSTER_PIDS ]] || return 1
  while read -r n pid start; do
    [[ $n == "$name" ]] && { echo "$pid"; return 0; }
  done <"$KD_CLUSTER_PIDS"
  return 1
}

# A /24 for the pods out of 10.88.0.0/16, starting from the cluster's ID, that no address
# or route of the host is in. Pod addresses never leave the bridge (it has no address on
# the host, and there is no route to it), so an overlap would only hide that network from
# the pods, and two clusters choosing the same /24 do not collide.
kd::node::pick_cidr() {
  local start i n routes
  routes=$(ip -4 route show table all 2>/dev/null; ip -4 -o addr show 2>/dev/null)
  start=$((16#${KD_NODE_ID:0:2}))
  for ((i = 0; i < 256; i++)); do
    n=$(((start + i) % 256))
    if ! grep -q "10\.88\.$n\." <<<"$routes"; then
      break
    fi
  done
  echo "10.88.$n.0/24"
}

# The node's cgroup in every hierarchy (the kubelet's cgroupRoot, which it wants to exist)
# and the daemons' below it.
kd::node::make_cgroups() {
  local m parent cg
  while read -r m; do
    parent=$m
    for cg in "$m/$KD_NODE_CGROUP" "$m/$KD_NODE_DAEMONS_CGROUP"; do
      mkdir -p "$cg"
      # A new v1 cpuset has no CPUs and no memory nodes: nothing could run in it. (A v2
      # one, with cgroup.controllers, inherits its parent's.)
      if [[ ! -f $m/cgroup.controllers && -f $cg/cpuset.cpus && -z $(<"$cg/cpuset.cpus") ]]; then
        cat "$parent/cpuset.cpus" >"$cg/cpuset.cpus"
        cat "$parent/cpuset.mems" >"$cg/cpuset.mems"
      fi
      parent=$cg
    done
  done < <(kd::node::cgroup_mounts)
}

# kd::node::start NAME COMMAND ARGS...: kd::cluster::start, with COMMAND in the daemons'
# cgroup of every hierarchy from its first instruction on. Whatever it starts later
# inherits that (containerd's shims re-parent away from it, but keep their cgroup), so
# the tear-down (hack/nodeclean) finds all of it by cgroup, without a window in which a
# child escapes.
kd::node::start() {
  local name=$1 m procs=()
  shift
  while read -r m; do
    procs+=("$m/$KD_NODE_DAEMONS_CGROUP/cgroup.procs")
  done < <(kd::node::cgroup_mounts)
  # The wrapper's arguments: the number of cgroup.procs files, the files, the command.
  # shellcheck disable=SC2016 # expanded by the wrapper's own shell
  kd::cluster::start "$name" bash -c '
    n=$1
    shift
    for procs in "${@:1:n}"; do
      echo $$ >"$procs" || { echo "$0: cannot join the cgroup of $procs" >&2; exit 1; }
    done
    shift "$n"
    exec "$@"' "kd::node::start $name" "${#procs[@]}" "${procs[@]}" "$@"
}

# kd::node::write_configs ROOT CIDR KUBELET_PORT HEALTHZ_PORT API_PORT: containerd's,
# the CNI network's and the kubelet's configuration, and the kubelet's kubeconfig.
kd::node::write_configs() {
  local root=$1 cidr=$2 kubelet_port=$3 healthz_port=$4 api_port=$5
  local pki=$KD_NODE_CLUSTER_DIR/pki d=$KD_NODE_DIR

  # Every path under the cluster; only the CRI plugin, on a unix socket, no TCP. The
  # streaming server (exec, attach, port-forward) is on 127.0.0.1, reached by the kubelet.
  cat >"$d/containerd/config.toml" <<EOF
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$KD_NODE_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$KD_NODE_PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_tcp_service = true
  # Without CAP_SYS_RESOURCE runc cannot lower a process's oom_score_adj below its
  # parent's, and every sandbox fails ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$root/usr/sbin/runc"
        Root = "$d/containerd/state/runc"
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$root/usr/lib/cni"
    conf_dir = "$d/cni/net.d"
    max_conf_num = 1
EOF

  # No gateway address on the bridge and no masquerading: the host gets no route to the
  # pods and the pods none out (and the bridge plugin leaves ip_forward alone).
  cat >"$d/cni/net.d/10-kubectl-debugger.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$KD_NODE_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$KD_NODE_BRIDGE",
      "isGateway": false,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$cidr"}]],
        "dataDir": "$d/cni/ipam"
      }
    }
  ]
}
EOF

  # The pods get the host's resolver settings; /etc/resolv.conf may point below /run,
  # which the node's mount namespace replaces.
  cat /etc/resolv.conf >"$d/resolv.conf" 2>/dev/null || : >"$d/resolv.conf"

  # The kubelet sets these kernel tunables machine-wide when they differ (panic on oops,
  # overcommit...). Inside its mount namespace it reads them from files that already
  # hold its values (hack/node/ns.sh), so the host keeps its own.
  local kv
  for kv in vm.overcommit_memory=1 vm.panic_on_oom=0 kernel.panic=10 kernel.panic_on_oops=1 \
    kernel.keys.root_maxkeys=1000000 kernel.keys.root_maxbytes=25000000; do
    echo "${kv#*=}" >"$d/fs/sysctl/${kv%%=*}"
  done

  cat >"$d/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz_port
tlsCertFile: $pki/serving.crt
tlsPrivateKeyFile: $pki/serving.key
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: $pki/ca.crt
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://$KD_NODE_SOCK
imageServiceEndpoint: unix://$KD_NODE_SOCK
# The host has cgroup v1 controllers; the kubelet refuses them unless told.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /$KD_NODE_CGROUP
cgroupsPerQOS: true
enforceNodeAllocatable: [pods]
podLogsDir: $d/pod-logs
volumePluginDir: $d/kubelet/volume-plugins
resolvConf: $d/resolv.conf
failSwapOn: false
makeIPTablesUtilChains: false
protectKernelDefaults: false
registerNode: true
# Only pods that ask for this node land on it: the scheduler places everything else on
# kwok's node, where nothing really runs.
registerWithTaints:
- key: $KD_REAL_NODE_TAINT
  effect: NoSchedule
# The images cannot be pulled again: never collect them, and do not evict debugging
# pods because a test machine's disk is fuller than a server's.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 50Mi
  nodefs.available: 1%
  imagefs.available: 1%
  nodefs.inodesFree: 1%
nodeStatusReportFrequency: 10s
serializeImagePulls: false
EOF

  kd::cluster::client_kubeconfig "$d/kubelet.kubeconfig" "$api_port" "$pki" node
}

# shellcheck source=hack/lib/node-down.sh
source "$(dirname "${BASH_SOURCE[0]}")/node-down.sh"
