#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Starts a throw-away control plane on 127.0.0.1: etcd, kube-apiserver, kube-scheduler,
# kube-controller-manager and kwok as a fake kubelet, all on free ports, all state under
# _output/local-cluster/. Pods are scheduled, namespaces get their ServiceAccount
# "default" and the kube-root-ca.crt ConfigMap, and Deployments, ReplicaSets and Jobs get
# pods; the controller-manager runs only the controllers a debugging session needs.
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

for tool in etcd kube-apiserver kube-scheduler kube-controller-manager kubectl kwok; do
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
scheduler_port=$(kd::cluster::free_port "$etcd_port" "$etcd_peer_port" "$api_port" "$kubelet_port")
cm_port=$(kd::cluster::free_port "$etcd_port" "$etcd_peer_port" "$api_port" "$kubelet_port" "$scheduler_port")

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

# The scheduler and the controller-manager authenticate with client certificates as the
# users the default RBAC policy provides for them. Requests to their own secure ports are
# authenticated by the same CA's client certificates, or by the apiserver (tokens), and
# authorized by the apiserver; with no front proxy here, they skip looking one up.
kd::cluster::client_kubeconfig "$dir/scheduler.kubeconfig" "$api_port" "$pki" scheduler
kd::cluster::client_kubeconfig "$dir/controller-manager.kubeconfig" "$api_port" "$pki" controller-manager

# Leader election is off: there is one of each, and a lease renewed every few seconds
# would only add requests to the audit log the tests read.
cat >"$dir/scheduler.yaml" <<EOF
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: $dir/scheduler.kubeconfig
leaderElection:
  leaderElect: false
EOF
kd::log "starting kube-scheduler on https://127.0.0.1:$scheduler_port"
kd::cluster::start kube-scheduler "$KD_BIN/kube-scheduler" \
  --config="$dir/scheduler.yaml" \
  --bind-address=127.0.0.1 \
  --secure-port="$scheduler_port" \
  --tls-cert-file="$pki/serving.crt" \
  --tls-private-key-file="$pki/serving.key" \
  --authentication-kubeconfig="$dir/scheduler.kubeconfig" \
  --authentication-skip-lookup \
  --client-ca-file="$pki/ca.crt" \
  --authorization-kubeconfig="$dir/scheduler.kubeconfig" \
  --profiling=false

# The controllers a debugging session needs, and no more (each costs memory, informers
# and requests):
# - serviceaccount-controller and root-ca-certificate-publisher-controller give every
#   namespace the ServiceAccount "default" (pods are refused without it) and the
#   kube-root-ca.crt ConfigMap (a real kubelet cannot mount a pod's token volume without
#   it);
# - namespace-controller empties a deleted namespace, so its deletion finishes;
# - deployment-controller, replicaset-controller and job-controller give the workloads
#   the plugin debugs (deployment/NAME, job/NAME...) pods of their own;
# - garbage-collector-controller deletes what a deleted workload owned (its ReplicaSets,
#   its pods), as kubectl delete expects.
# Left out: serviceaccount-token-controller (legacy token Secrets; pods get their tokens
# from the TokenRequest API, signed by the apiserver), so no
# --service-account-private-key-file; pod-garbage-collector-controller, which deletes
# pods bound to a Node that does not exist, as the tests' pods on node-a, which no
# kubelet runs, often are; node-lifecycle-controller, which would taint node-a, which
# never reports, unreachable and mark its pods not ready; and the controllers of
# StatefulSets, DaemonSets, ReplicationControllers, Services and volumes.
# Each controller acts as its own ServiceAccount in kube-system, with the roles the
# default RBAC policy gives it (--use-service-account-credentials).
kd::log "starting kube-controller-manager on https://127.0.0.1:$cm_port"
kd::cluster::start kube-controller-manager "$KD_BIN/kube-controller-manager" \
  --kubeconfig="$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$dir/controller-manager.kubeconfig" \
  --authentication-skip-lookup \
  --client-ca-file="$pki/ca.crt" \
  --authorization-kubeconfig="$dir/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$cm_port" \
  --tls-cert-file="$pki/serving.crt" \
  --tls-private-key-file="$pki/serving.key" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --controllers=serviceaccount-controller,root-ca-certificate-publisher-controller,namespace-controller,deployment-controller,replicaset-controller,job-controller,garbage-collector-controller \
  --root-ca-file="$pki/ca.crt" \
  --profiling=false

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

# The ticker starts no process: a date and a sleep each second, in each of the suite's
# clusters, cost the machine more than a core-second a minute while the suite ran. It
# waits with read -t on a pipe nothing writes to, which SIGTERM interrupts.
# shellcheck disable=SC2016 # expanded by the ticker's own shell
kd::cluster::start attach-ticker bash -c '
  trap "exit 0" TERM
  exec 3<> <(:)
  while :; do
    now=$EPOCHREALTIME
    TZ=UTC printf "%(%Y-%m-%dT%H:%M:%S)T.%s000Z stdout F tick\n" "${now%.*}" "${now#*.}" >>"$0"
    read -r -t 1 -u 3 _ || :
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
# The apiserver taints every new Node not-ready; the node lifecycle controller, which
# would lift it, does not run here (see above), so the scheduler would never use the node.
kc taint node "$KD_KWOK_NODE" node.kubernetes.io/not-ready:NoSchedule- >/dev/null

# Both answer /healthz once serving; the namespace "default" has what the
# controller-manager gives every namespace once its controllers run.
kd::log "waiting for kube-scheduler and kube-controller-manager"
deadline=$((SECONDS + 60))
until kc --kubeconfig="$dir/scheduler.kubeconfig" --server="https://127.0.0.1:$scheduler_port" get --raw /healthz >/dev/null 2>&1 &&
  kc --kubeconfig="$dir/controller-manager.kubeconfig" --server="https://127.0.0.1:$cm_port" get --raw /healthz >/dev/null 2>&1 &&
  kc get serviceaccount default >/dev/null 2>&1 && kc get configmap kube-root-ca.crt >/dev/null 2>&1; do
  for component in kube-scheduler kube-controller-manager; do
    if ! kd::cluster::alive "$component"; then
      kd::log "$component exited:"
      tail -n 30 "$dir/$component.log" >&2
      exit 1
    fi
  done
  if ((SECONDS > deadline)); then
    kd::log "kube-scheduler or kube-controller-manager not ready after 60s (or no ServiceAccount default yet):"
    tail -n 15 "$dir/kube-scheduler.log" "$dir/kube-controller-manager.log" >&2
    exit 1
  fi
  sleep 0.2
done

if [[ $KD_NODE == real ]]; then
  kd::node::up "$kubeconfig" "$api_port" "$etcd_port" "$etcd_peer_port" "$api_port" "$kubelet_port" "$scheduler_port" "$cm_port"
fi

cat >"$dir/env" <<EOF
KD_API_PORT=$api_port
KD_ETCD_PORT=$etcd_port
KD_KUBELET_PORT=$kubelet_port
KD_SCHEDULER_PORT=$scheduler_port
KD_CONTROLLER_MANAGER_PORT=$cm_port
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
Pods are scheduled to node $KD_KWOK_NODE, where kwok makes them "run".
EOF
if [[ $KD_NODE == real ]]; then
  cat <<EOF
Pods really run on node $KD_REAL_NODE when they say so: spec.nodeName: $KD_REAL_NODE, or
nodeSelector kubernetes.io/hostname: $KD_REAL_NODE with a toleration of its taint
$KD_REAL_NODE_TAINT:NoSchedule; images busybox:1.36 or busybox, with imagePullPolicy Never or
IfNotPresent (there is no registry).
EOF
fi
echo "Stop with: make local-down"
