#!/usr/bin/env bash
# Process bookkeeping for the local cluster (hack/local-up-cluster.sh and
# hack/local-down-cluster.sh). Every process started is recorded with its PID and start
# time, so the stop script ends exactly those and never a recycled PID.

KD_CLUSTER_DIR=${KD_CLUSTER_DIR:-$KD_ROOT/_output/local-cluster}
KD_CLUSTER_PIDS=$KD_CLUSTER_DIR/pids
KD_KWOK_NODE=${KD_KWOK_NODE:-kwok-node-0}

kd::cluster::token() {
  od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
}

# The start time tells a live process from an unrelated one that reused its PID.
kd::cluster::starttime() {
  local pid=$1 stat fields
  if [[ -r /proc/$pid/stat ]]; then
    stat=$(<"/proc/$pid/stat") || return 1
    # Field 22, counted after the command name, which may contain spaces.
    stat=${stat##*) }
    read -r -a fields <<<"$stat"
    echo "${fields[19]}"
  else
    ps -o lstart= -p "$pid" 2>/dev/null | tr -s ' ' '_' | grep . || return 1
  fi
}

# Picks a port nothing listens on; the arguments are ports already handed out. Ports
# come from below the kernel's range for outgoing connections, which could otherwise
# take one between this check and the server's bind.
kd::cluster::free_port() {
  local port taken low=32768 _high
  read -r low _high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((low > 11000)) || low=32768
  for _ in $(seq 1 200); do
    port=$((10000 + RANDOM % (low - 10000)))
    for taken in "$@"; do
      [[ $port == "$taken" ]] && continue 2
    done
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  kd::log "no free port found on 127.0.0.1"
  return 1
}

# kd::cluster::client_kubeconfig FILE API_PORT PKI USER: a kubeconfig for the apiserver on
# 127.0.0.1:API_PORT that authenticates with the client certificate PKI/USER.crt (key
# PKI/USER.key), trusting PKI/ca.crt; readable by its owner only.
kd::cluster::client_kubeconfig() {
  local file=$1 api_port=$2 pki=$3 user=$4
  local kc=("$KD_BIN/kubectl" --kubeconfig="$file")
  "${kc[@]}" config set-cluster local --server="https://127.0.0.1:$api_port" \
    --certificate-authority="$pki/ca.crt" --embed-certs=true >/dev/null
  "${kc[@]}" config set-credentials "$user" --client-certificate="$pki/$user.crt" \
    --client-key="$pki/$user.key" --embed-certs=true >/dev/null
  "${kc[@]}" config set-context "$user" --cluster=local --user="$user" >/dev/null
  "${kc[@]}" config use-context "$user" >/dev/null
  chmod 600 "$file"
}

# kd::cluster::start NAME COMMAND ARGS...: runs COMMAND in the background, output in
# NAME.log, and records it.
kd::cluster::start() {
  local name=$1 pid start
  shift
  nohup "$@" >"$KD_CLUSTER_DIR/$name.log" 2>&1 </dev/null &
  pid=$!
  start=$(kd::cluster::starttime "$pid") || {
    kd::log "$name exited at once:"
    tail -n 20 "$KD_CLUSTER_DIR/$name.log" >&2
    return 1
  }
  echo "$name $pid $start" >>"$KD_CLUSTER_PIDS"
}

# True while the recorded process NAME is still the one that was started.
kd::cluster::alive() {
  local name=$1 n pid start
  [[ -f $KD_CLUSTER_PIDS ]] || return 1
  while read -r n pid start; do
    if [[ $n == "$name" ]]; then
      [[ $(kd::cluster::starttime "$pid" 2>/dev/null) == "$start" ]]
      return
    fi
  done <"$KD_CLUSTER_PIDS"
  return 1
}

# True when any recorded process is still running.
kd::cluster::running() {
  local n pid start
  [[ -f $KD_CLUSTER_PIDS ]] || return 1
  while read -r n pid start; do
    if [[ $(kd::cluster::starttime "$pid" 2>/dev/null) == "$start" ]]; then
      return 0
    fi
  done <"$KD_CLUSTER_PIDS"
  return 1
}
