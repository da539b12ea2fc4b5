#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Starts a throw-away control plane on 127.0.0.1: etcd, kube-apiserver and kwok as a fake
# kubelet, all on free ports, all state under _output/local-cluster/. There is no
# scheduler and no controller-manager: pods need spec.nodeName, namespaces never finish
# deleting, and each namespace needs its ServiceAccount "default" created by hand.
#
# KD_NODE=real adds a real node beside kwok's: containerd and a kubelet, node
# $KD_REAL_NODE (default kd-real-node), so debug containers really run (hack/lib/node.sh;
# root and a few kernel features needed: it fails at once, saying why, where they lack).
#
# Afterwards:  export KUBECONFIG=_output/local-cluster/kubeconfig   (contexts admin, dev)
# Stop with hack/local-down-cluster.sh; it ends exactly the processes started here.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/node.sh"

if kd::cluster::running; then
  kd::log "a local cluster is already running (state in $KD_CLUSTER_DIR); stop it with hack/local-down-cluster.sh"
  exit 1
fi

case $KD_NODE in
kwok) ;;
real)
  reason=$(kd::node::unsupported_reason)
  if [[ -n $reason ]]; then
    kd::log "KD_NODE=real: $reason"
    exit 1
  fi
  ;;
*)
  kd::log "KD_NODE=$KD_NODE: expected kwok (fake nodes only) or real (a real node too)"
  exit 1
  ;;
esac

for tool in etcd kube-apiserver kubectl kwok; do
  if [[ ! -x "$KD_BIN/$tool" ]]; then
    kd::log "$KD_BIN/$tool is missing; building the control plane first"
    "$KD_ROOT/hack/build-server.sh"
    break
  fi
done

if [[ $KD_NODE == real ]]; then
  # Cheap once cached; a cold kubelet build takes minutes.
  "$KD_ROOT/hack/build-node.sh"
fi

# Wiped on every start; refuse to wipe a directory this script did not make.
if [[ -d $KD_CLUSTER_DIR && -n $(ls -A "$KD_CLUSTER_DIR") && ! -f $KD_CLUSTER_DIR/audit-policy.yaml ]]; then
  kd::log "$KD_CLUSTER_DIR exists and is not a local cluster's state; not touching it"
  exit 1
fi
# A real node of an earlier run that was never stopped (its processes, cgroups, bridge).
if ! kd::node::leftovers >/dev/null; then
  kd::log "stopping what a real node of an earlier run in $KD_CLUSTER_DIR left"
  kd::node::down
fi
# Removing a mounted directory's contents would reach into whatever is mounted there;
# nothing here unmounts it (it may be the node's leak, or the user's own).
if [[ -n $(kd::node::mounts "$KD_CLUSTER_DIR") ]]; then
  kd::log "$KD_CLUSTER_DIR has mounts at or below it; not wiping it (unmount them first):"
  kd::node::mounts "$KD_CLUSTER_DIR" >&2
  exit 1
fi

# A failed start must not leave half a cluster behind. Only from here on: a refusal above
# must not tear down what it refused to touch.
trap 'rc=$?; if ((rc != 0)); then kd::log "start failed; logs in $KD_CLUSTER_DIR"; "$KD_ROOT/hack/local-down-cluster.sh" || true; fi' EXIT

rm -rf "$KD_CLUSTER_DIR"
mkdir -p "$KD_CLUSTER_DIR/pki" "$KD_CLUSTER_DIR/etcd" "$KD_CLUSTER_DIR/kwok"
chmod 700 "$KD_CLUSTER_DIR"
: >"$KD_CLUSTER_PIDS"

dir=$KD_CLUSTER_DIR
pki=$dir/pki
if [[ $KD_NODE == real ]]; then
  (cd "$KD_ROOT" && go run ./hack/gencerts "$pki" "$KD_REAL_NODE")
else
  (cd "$KD_ROOT" && go run ./hack/gencerts "$pki")
fi

# Random tokens: the API server is reachable by every local user of the machine.
admin_token=$(kd::cluster::token)
dev_token=$(kd::cluster::token)
cat >"$dir/tokens.csv" <<EOF
$admin_token,admin,admin,"system:masters"
$dev_token,dev,dev
EOF
chmod 600 "$dir/tokens.csv"

# Every request at Metadata level: the benchmark and the request-count tests read it.
cat >"$dir/audit-policy.yaml" <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
EOF

etcd_port=$(kd::cluster::free_port)
etcd_peer_port=$(kd::cluster::free_port "$etcd_port")
api_port=$(kd::cluster::free_port "$etcd_port" "$etcd_peer_port")
kubelet_port=$(kd::cluster::free_port "$etcd_port" "$etcd_peer_port" "$api_port")

kd::log "starting etcd on 127.0.0.1:$etcd_port"
kd::cluster::start etcd "$KD_BIN/etcd" \
  --name=local \
  --data-dir="$dir/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" \
  --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster="local=http://127.0.0.1:$etcd_peer_port" \
  --log-level=warn \
  --unsafe-no-fsync

kd::log "starting kube-apiserver on https://127.0.0.1:$api_port"
kd::cluster::start kube-apiserver "$KD_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$api_port" \
  --tls-cert-file="$pki/serving.crt" \
  --tls-private-key-file="$pki/serving.key" \
  --client-ca-file="$pki/ca.crt" \
  --token-auth-file="$dir/tokens.csv" \
  --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc \
  --service-account-key-file="$pki/sa.pub" \
  --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --allow-privileged=true \
  --endpoint-reconciler-type=none \
  --kubelet-preferred-address-types=InternalIP \
  --kubelet-client-certificate="$pki/kubelet-client.crt" \
  --kubelet-client-key="$pki/kubelet-client.key" \
  --audit-policy-file="$dir/audit-policy.yaml" \
  --audit-log-path="$dir/audit.log" \
  --audit-log-mode=blocking \
  --profiling=false

kubeconfig=$dir/kubeconfig
kc() { "$KD_BIN/kubectl" --kubeconfig="$kubeconfig" "$@"; }
kc config set-cluster local --server="https://127.0.0.1:$api_port" \
  --certificate-authority="$pki/ca.crt" --embed-certs=true >/dev/null
kc config set-credentials admin --token="$admin_token" >/dev/null
kc config set-credentials dev --token="$dev_token" >/dev/null
kc config set-context admin --cluster=local --user=admin --namespace=default >/dev/null
kc config set-context dev --cluster=local --user=dev --namespace=default >/dev/null
kc config use-context admin >/dev/null
chmod 600 "$kubeconfig"

kd::log "waiting for /readyz"
deadline=$((SECONDS + 60))
until kc get --raw /readyz >/dev/null 2>&1; do
  if ((SECONDS > deadline)); then
    kd::log "kube-apiserver not ready after 60s:"
    tail -n 30 "$dir/kube-apiserver.log" >&2
    exit 1
  fi
  kd::cluster::alive etcd || { kd::log "etcd exited:"; tail -n 30 "$dir/etcd.log" >&2; exit 1; }
  kd::cluster::alive kube-apiserver || { kd::log "kube-apiserver exited:"; tail -n 30 "$dir/kube-apiserver.log" >&2; exit 1; }
  sleep 0.2
done

# dev may look at pods and create them (so --copy-to works) but not add ephemeral
# containers; tests grant this per namespace with a RoleBinding.
kc apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: debugger-dev
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, create]
---
apiVersion: v1
kind: Node
metadata:
  name: $KD_KWOK_NODE
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: $KD_KWOK_NODE
    type: kwok
EOF

# Attach replays lines appended to attach.log after the session starts (CRI log format);
# logs serves logs.log. The ticker keeps an attach session visibly alive.
kwok_dir=$dir/kwok
: >"$kwok_dir/attach.log"
printf '%s stdout F %s\n' \
  "2026-01-01T00:00:00.000000000Z" "hello from the fake kubelet" \
  "2026-01-01T00:00:01.000000000Z" "debug container finished" >"$kwok_dir/logs.log"
cat >"$kwok_dir/debugging.yaml" <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterAttach
metadata:
  name: attach
spec:
  attaches:
  - logsFile: $kwok_dir/attach.log
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: logs
spec:
  logs:
  - logsFile: $kwok_dir/logs.log
    previousLogsFile: $kwok_dir/logs.log
EOF

kd::log "starting kwok (fake kubelet for node $KD_KWOK_NODE) on 127.0.0.1:$kubelet_port"
kd::cluster::start kwok "$KD_BIN/kwok" \
  --kubeconfig="$kubeconfig" \
  --config="$KD_ROOT/hack/kwok/stages.yaml" \
  --config="$kwok_dir/debugging.yaml" \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 \
  --node-port="$kubelet_port" \
  --server-address="127.0.0.1:$kubelet_port" \
  --tls-cert-file="$pki/serving.crt" \
  --tls-private-key-file="$pki/serving.key" \
  --cidr=10.244.0.0/16 \
  --node-lease-duration-seconds=40

# The ticker ends its own sleep when stopped, so nothing outlives it.
# shellcheck disable=SC2016 # expanded by the ticker's own shell
kd::cluster::start attach-ticker bash -c '
  trap "kill \$! 2>/dev/null; exit 0" TERM
  while :; do
    printf "%s stdout F tick\n" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" >>"$0"
    sleep 1 & wait $!
  done' "$kwok_dir/attach.log"

deadline=$((SECONDS + 60))
until [[ $(kc get node "$KD_KWOK_NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; do
  if ((SECONDS > deadline)); then
    kd::log "node $KD_KWOK_NODE not Ready after 60s:"
    tail -n 30 "$dir/kwok.log" >&2
    exit 1
  fi
  kd::cluster::alive kwok || { tail -n 30 "$dir/kwok.log" >&2; exit 1; }
  sleep 0.2
done

if [[ $KD_NODE == real ]]; then
  kd::node::up "$kubeconfig" "$api_port" "$etcd_port" "$etcd_peer_port" "$api_port" "$kubelet_port"
fi

cat >"$dir/env" <<EOF
KD_API_PORT=$api_port
KD_ETCD_PORT=$etcd_port
KD_KUBELET_PORT=$kubelet_port
KD_KWOK_NODE=$KD_KWOK_NODE
KD_NODE=$KD_NODE
KUBECONFIG=$kubeconfig
EOF
if [[ $KD_NODE == real ]]; then
  echo "KD_REAL_NODE=$KD_REAL_NODE" >>"$dir/env"
fi

trap - EXIT
if [[ $KD_NODE == real ]]; then
  kd::log "local cluster up: kube-apiserver https://127.0.0.1:$api_port, nodes $KD_KWOK_NODE (kwok) and $KD_REAL_NODE (real)"
else
  kd::log "local cluster up: kube-apiserver https://127.0.0.1:$api_port, node $KD_KWOK_NODE (kwok)"
fi
cat <<EOF
export KUBECONFIG=$kubeconfig   # contexts: admin (default), dev
Pods run on node $KD_KWOK_NODE (set spec.nodeName; there is no scheduler). Every namespace
needs its ServiceAccount: kubectl create serviceaccount default -n NAMESPACE
EOF
if [[ $KD_NODE == real ]]; then
  cat <<EOF
Pods with spec.nodeName: $KD_REAL_NODE really run there, with images busybox:1.36 or
busybox (imagePullPolicy Never or IfNotPresent: there is no registry). Their namespace
also needs the kube-root-ca.crt ConfigMap (there is no controller-manager):
  kubectl create configmap kube-root-ca.crt --from-file=ca.crt=$pki/ca.crt -n NAMESPACE
EOF
fi
echo "Stop with: make local-down"
