#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Stops the cluster hack/local-up-cluster.sh started: exactly the recorded processes, by
# PID. Everything but etcd stops at once (each takes a few seconds to shut down
# gracefully), then etcd, so the apiserver never loses its storage while still serving.
# A real node (KD_NODE=real) goes first, with all it made outside the cluster directory:
# its containers and shims, cgroups, bridge and veths (kd::node::down). Its mounts go with
# its mount namespace; any the host still sees is reported, never unmounted here.
# Logs stay in _output/local-cluster/ for post-mortems; the next start wipes them.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

# Also without bookkeeping: the node's processes are found by this cluster's cgroup.
if [[ -d $KD_CLUSTER_DIR/node ]] || ! kd::node::leftovers >/dev/null; then
  kd::node::down
  if leftovers=$(kd::node::leftovers); then
    kd::log "real node stopped"
  else
    kd::log "the real node left behind:"
    echo "$leftovers" >&2
  fi
fi

if [[ ! -f $KD_CLUSTER_PIDS ]]; then
  kd::log "no local cluster recorded in $KD_CLUSTER_DIR"
  exit 0
fi

# kd::cluster::stop_all RECORD...: SIGTERM to each live recorded process, then waits up to
# 15s for all of them; whatever is left gets SIGKILL.
kd::cluster::stop_all() {
  local record name pid start live=()
  for record in "$@"; do
    read -r name pid start <<<"$record"
    if [[ $(kd::cluster::starttime "$pid" 2>/dev/null) == "$start" ]]; then
      kill -TERM "$pid" 2>/dev/null && live+=("$record")
    fi
  done
  for _ in $(seq 1 150); do
    local still=()
    for record in ${live[@]+"${live[@]}"}; do
      read -r name pid start <<<"$record"
      [[ $(kd::cluster::starttime "$pid" 2>/dev/null) != "$start" ]] || still+=("$record")
    done
    live=(${still[@]+"${still[@]}"})
    ((${#live[@]} > 0)) || return 0
    sleep 0.1
  done
  for record in "${live[@]}"; do
    read -r name pid start <<<"$record"
    kd::log "$name (pid $pid) ignored SIGTERM for 15s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  done
}

mapfile -t records <"$KD_CLUSTER_PIDS"
others=() storage=()
for record in "${records[@]}"; do
  if [[ $record == "etcd "* ]]; then
    storage+=("$record")
  else
    others+=("$record")
  fi
done
kd::cluster::stop_all ${others[@]+"${others[@]}"}
kd::cluster::stop_all ${storage[@]+"${storage[@]}"}
rm -f "$KD_CLUSTER_PIDS" "$KD_CLUSTER_DIR/env"
kd::log "local cluster stopped (logs in $KD_CLUSTER_DIR)"
