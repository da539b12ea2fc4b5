#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of many targets at once: workloads that stand for one of their pods,
# -l over pods and nodes, partial failures, and --logs from kwok-backed containers.
# Pods are mostly made by hand, bound to nodes the tests choose; where the
# controller-manager runs a workload's controller, the workload gets its pods from it,
# or is kept from touching the hand-made ones.
#
#   test/cmd/fanout.sh [TOPIC-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FANOUT_IMAGE=busybox:1.36

# kd::test::create_labelled_pods PREFIX COUNT LABEL NODE [ANNOTATION] [OWNER]: pods
# PREFIX-0..., labelled LABEL (key=value), bound to NODE, created with one request.
# OWNER (GROUP/VERSION/KIND/NAME/UID) becomes their controller: no other controller
# adopts them then.
kd::test::create_labelled_pods() {
  local prefix=$1 count=$2 label=$3 node=$4 annotation=${5:-} owner=${6:-} i owner_ref=""
  local group version kind name uid
  if [[ -n $owner ]]; then
    IFS=/ read -r group version kind name uid <<<"$owner"
    owner_ref="[{apiVersion: $group/$version, kind: $kind, name: $name, uid: $uid, controller: true}]"
  fi
  {
    echo "apiVersion: v1"
    echo "kind: List"
    echo "items:"
    for ((i = 0; i < count; i++)); do
      cat <<POD
- apiVersion: v1
  kind: Pod
  metadata:
    name: $prefix-$i
    labels: {${label%%=*}: ${label#*=}}
    annotations: {${annotation:+"${annotation%%=*}": "${annotation#*=}"}}
    ownerReferences: ${owner_ref:-[]}
  spec:
    nodeName: $node
    containers: [{name: main, image: $FANOUT_IMAGE, command: [sleep, "3600"]}]
POD
    done
  } | kubectl create -n "$NS" -f - >/dev/null
}

# kd::test::requests_by_kind_since LINE: the requests of the user admin completed after audit
# line LINE, counted by verb and resource, as "COUNT VERB RESOURCE[/SUBRESOURCE]" lines.
kd::test::requests_by_kind_since() {
  kd::test::audited_since "$1" |
    sed -n -E 's/.*"verb":"([a-z]+)".*"objectRef":\{"resource":"([a-z]+)"(,"namespace":"[^"]*")?(,"name":"[^"]*")?(,"apiVersion":"[^"]*")?(,"subresource":"([a-z]+)")?.*/\1 \2\/\7/p' |
    sed -e 's|/$||' | sort | uniq -c | sed -E 's/^ +//'
}

# kd::test::has_pods SELECTOR: some pod in $NS matches SELECTOR.
kd::test::has_pods() {
  [[ -n $(kubectl get pods -n "$NS" -l "$1" -o name) ]]
}

# kd::test::pod_ready POD: POD in $NS is ready.
kd::test::pod_ready() {
  [[ $(kd::test::pod_field "$1" '{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

# kd::test::policy_refuses POD: the server refuses a debug container for POD (a server
# dry run, which persists nothing).
kd::test::policy_refuses() {
  kd::test::debug "$1" --image=$FANOUT_IMAGE -c probe --dry-run=server -q
  ((DEBUG_RC != 0))
}

run_fanout_workloads_resolve_to_a_pod() {
  kd::test::new_namespace
  # Two pods of the web workloads: one running and ready on the fake kubelet's node, one
  # pending on node-a, which no kubelet runs; and a pod of another app. The DaemonSet
  # owns them, as it would its pods on two nodes (no DaemonSet controller runs here, and
  # none other adopts a pod that has an owner); the other workloads want no pods of their
  # own: no replicas, or suspended.
  kubectl create -n "$NS" -f - >/dev/null <<DAEMONSET
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: main, image: $FANOUT_IMAGE}]}}
DAEMONSET
  local owner
  owner=apps/v1/DaemonSet/web/$(kubectl get -n "$NS" daemonset web -o 'jsonpath={.metadata.uid}')
  kd::test::create_labelled_pods web-pending 1 app=web node-a "" "$owner"
  kd::test::create_labelled_pods web-ready 1 app=web "$KD_KWOK_NODE" "" "$owner"
  kd::test::create_labelled_pods db 1 app=db "$KD_KWOK_NODE"
  kd::test::wait_for 30 "pod web-ready-0 to be ready" kd::test::pod_ready web-ready-0
  kubectl create -n "$NS" -f - >/dev/null <<WORKLOADS
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    replicas: 0
    selector: {matchLabels: {app: web}}
    template: {metadata: {labels: {app: web}}, spec: {containers: [{name: main, image: $FANOUT_IMAGE}]}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: web}
  spec:
    replicas: 0
    selector: {matchLabels: {app: web}}
    template: {metadata: {labels: {app: web}}, spec: {containers: [{name: main, image: $FANOUT_IMAGE}]}}
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: web}
  spec:
    replicas: 0
    serviceName: web
    selector: {matchLabels: {app: web}}
    template: {metadata: {labels: {app: web}}, spec: {containers: [{name: main, image: $FANOUT_IMAGE}]}}
- apiVersion: batch/v1
  kind: Job
  metadata: {name: web}
  spec:
    suspend: true
    manualSelector: true
    selector: {matchLabels: {app: web}}
    template: {metadata: {labels: {app: web}}, spec: {restartPolicy: Never, containers: [{name: main, image: $FANOUT_IMAGE}]}}
- apiVersion: v1
  kind: ReplicationController
  metadata: {name: web}
  spec:
    replicas: 0
    selector: {app: web}
    template: {metadata: {labels: {app: web}}, spec: {containers: [{name: main, image: $FANOUT_IMAGE}]}}
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec:
    selector: {app: web}
    ports: [{port: 80}]
WORKLOADS

  ### Each kind of workload debugs the pod kubectl attach would choose: running and ready.
  # Pre-Condition: three pods, no ephemeral containers; the workloads select app=web
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{.status.phase}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' \
    'db-0:Running:;web-pending-0:Pending:;web-ready-0:Running:;'
  kd::test::get_object_assert 'deployment/web replicaset/web statefulset/web daemonset/web job/web' '{{range .items}}{{.spec.selector.matchLabels.app}};{{end}}' 'web;web;web;web;web;'
  kd::test::get_object_assert 'replicationcontroller/web service/web' '{{range .items}}{{.spec.selector.app}};{{end}}' 'web;web;'
  local workload resource kind
  for workload in deployment/web deploy/web replicaset/web rs/web statefulset/web sts/web daemonset/web ds/web \
    job/web jobs.batch/web replicationcontroller/web rc/web service/web svc/web deployments.v1.apps/web; do
    resource=${workload%%/*}
    case ${resource%%.*} in
      deploy | deployment | deployments) kind=deployment ;;
      rs | replicaset) kind=replicaset ;;
      sts | statefulset) kind=statefulset ;;
      ds | daemonset) kind=daemonset ;;
      job | jobs) kind=job ;;
      rc | replicationcontroller) kind=replicationcontroller ;;
      svc | service) kind=service ;;
    esac
    # Command
    kd::test::debug "$workload" --image=$FANOUT_IMAGE -c "dbg-${resource//./-}" --attach=false
    # Post-Condition: the notice names the pod chosen
    kd::test::assert_success
    kd::test::assert_eq "$DEBUG_OUT" "Found 2 pods for $kind/web, using pod/web-ready-0." "stdout of $workload"
  done
  # Post-Condition: every debug container is in web-ready-0, none elsewhere
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' \
    'db-0:;web-pending-0:;web-ready-0:dbg-deployment,dbg-deploy,dbg-replicaset,dbg-rs,dbg-statefulset,dbg-sts,dbg-daemonset,dbg-ds,dbg-job,dbg-jobs-batch,dbg-replicationcontroller,dbg-rc,dbg-service,dbg-svc,dbg-deployments-v1-apps,;'

  ### A workload without pods is an error naming its selector, after --pod-running-timeout.
  # Pre-Condition: deployment empty selects app=empty, which no pod has
  kubectl create deployment empty -n "$NS" --image=$FANOUT_IMAGE --replicas=0 >/dev/null
  kd::test::get_object_assert deployment/empty '{{.spec.replicas}}:{{.spec.selector.matchLabels.app}}' '0:empty'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.labels.app}};{{end}}' 'db;web;web;'
  # Command
  kd::test::debug deployment/empty --image=$FANOUT_IMAGE --attach=false --pod-running-timeout=1s
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: deployment/empty has no pods: none matched its selector app=empty within 1s (--pod-running-timeout)' stderr
}

run_fanout_selector_over_fifty_pods() {
  kd::test::new_namespace
  kd::test::create_labelled_pods fan 50 app=fan node-a
  kd::test::create_labelled_pods other 2 app=other node-a
  local from line added=0

  ### -l adds exactly one debug container to each of 50 pods: 1 LIST, then 50 PATCH.
  # Pre-Condition: 52 pods, none with an ephemeral container
  kd::test::get_object_assert pods '{{len .items}}' '52'
  kd::test::get_object_assert pods '{{range .items}}{{range .spec.ephemeralContainers}}{{.name}}{{end}}{{end}}' ''
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug -l app=fan --image=$FANOUT_IMAGE -c dbg
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::requests_by_kind_since "$from")" $'1 list pods\n50 patch pods/ephemeralcontainers' 'audited requests'
  kd::test::get_object_assert pods '{{range .items}}{{if eq .metadata.labels.app "fan"}}{{range .spec.ephemeralContainers}}{{.name}}{{end}},{{end}}{{end}}' \
    "$(printf 'dbg,%.0s' {1..50})"
  kd::test::get_object_assert pods '{{range .items}}{{if eq .metadata.labels.app "other"}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}{{end}}' 'other-0:;other-1:;'
  # The table: a header, then one line per pod, each added.
  kd::test::if_has_line_prefix "$DEBUG_OUT" 'TARGET ' stdout
  while read -r line; do
    if [[ $line =~ ^pod/fan-[0-9]+\ +fan-[0-9]+\ +dbg\ +added$ ]]; then
      added=$((added + 1))
    fi
  done <<<"$DEBUG_OUT"
  kd::test::assert_eq "$added" 50 'table lines saying added'
  kd::test::assert_eq "$(wc -l <<<"$DEBUG_OUT")" 51 'table lines'
}

run_fanout_partial_failure() {
  kd::test::new_namespace
  kd::test::create_labelled_pods fan 5 app=fan node-a
  # The server refuses any change to fan-2's ephemeral containers, as it would refuse a
  # write the user may not make.
  kubectl create -f - >/dev/null <<POLICY
apiVersion: v1
kind: List
items:
- apiVersion: admissionregistration.k8s.io/v1
  kind: ValidatingAdmissionPolicy
  metadata: {name: $NS}
  spec:
    failurePolicy: Fail
    matchConstraints:
      resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [pods/ephemeralcontainers]}
    validations:
    - expression: "object.metadata.name != 'fan-2'"
      message: fan-2 is frozen
- apiVersion: admissionregistration.k8s.io/v1
  kind: ValidatingAdmissionPolicyBinding
  metadata: {name: $NS}
  spec:
    policyName: $NS
    validationActions: [Deny]
    matchResources:
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $NS}}
POLICY
  # shellcheck disable=SC2064 # the names are fixed now
  trap "kubectl delete validatingadmissionpolicybinding/$NS validatingadmissionpolicy/$NS >/dev/null 2>&1 || true" EXIT
  # A binding takes effect once the server has loaded it.
  kd::test::wait_for 30 "the policy to refuse fan-2" kd::test::policy_refuses fan-2
  local listed=$KD_TEST_TMP/$NS-pods.yaml

  ### A target the server refuses is reported; the others are debugged.
  # Pre-Condition: five pods, none with an ephemeral container
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'fan-0:;fan-1:;fan-2:;fan-3:;fan-4:;'
  # Command
  kd::test::debug -l app=fan --image=$FANOUT_IMAGE -c dbg
  # Post-Condition: non-zero, the failure named with its reason, the rest debugged
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: 1 of 5 targets failed' stderr
  kd::test::if_has_string "$DEBUG_OUT" 'pod/fan-2   fan-2   dbg         failed: adding debug container "dbg" to pod "fan-2": pods "fan-2" is forbidden: ValidatingAdmissionPolicy' stdout
  kd::test::if_has_string "$DEBUG_OUT" 'fan-2 is frozen' stdout
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'fan-0:dbg,;fan-1:dbg,;fan-2:;fan-3:dbg,;fan-4:dbg,;'

  ### A pod deleted between the LIST and its PATCH fails alone.
  # Pre-Condition: the pods as listed, then fan-4 deleted
  kubectl get pods -n "$NS" -l app=fan -o yaml >"$listed"
  kubectl delete pod fan-4 -n "$NS" --grace-period=0 --force >/dev/null 2>&1
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'fan-0;fan-1;fan-2;fan-3;'
  # Command: the listed pods are debugged as they were read
  kd::test::debug -f "$listed" --image=$FANOUT_IMAGE -c dbg2
  # Post-Condition: fan-2 refused, fan-4 gone, the three others debugged
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: 2 of 5 targets failed' stderr
  kd::test::if_has_string "$DEBUG_OUT" 'pod/fan-4   fan-4   dbg2        failed: adding debug container "dbg2" to pod "fan-4": pods "fan-4" not found' stdout
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' \
    'fan-0:dbg,dbg2,;fan-1:dbg,dbg2,;fan-2:;fan-3:dbg,dbg2,;'
}

run_fanout_nodes_by_selector() {
  kd::test::new_namespace
  local pool=$NS node nodes=()
  for node in "$NS-n0" "$NS-n1" "$NS-n2"; do
    nodes+=("node/$node")
    kubectl create -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata: {name: $node, labels: {pool: $pool}}
NODE
  done
  # shellcheck disable=SC2064 # the names are fixed now
  trap "kubectl delete ${nodes[*]} >/dev/null 2>&1 || true" EXIT

  ### node -l creates one node debugging pod per matching node.
  # Pre-Condition: three nodes in the pool, no pods
  kd::test::get_object_assert nodes '{{range .items}}{{.metadata.name}};{{end}}' "$NS-n0;$NS-n1;$NS-n2;" -l "pool=$pool"
  kd::test::get_object_assert pods '{{len .items}}' '0'
  # Command
  kd::test::debug node -l "pool=$pool" --image=$FANOUT_IMAGE -- chroot /host true
  # Post-Condition: one pod on each node, labelled as a node debugger, with the command
  kd::test::assert_success
  kd::test::get_object_assert pods '{{range .items}}{{.spec.nodeName}}:{{index .metadata.labels "app.kubernetes.io/managed-by"}}:{{(index .spec.containers 0).command}};{{end}}' \
    "$NS-n0:kubectl-debug:[chroot /host true];$NS-n1:kubectl-debug:[chroot /host true];$NS-n2:kubectl-debug:[chroot /host true];"
  kd::test::assert_eq "$(wc -l <<<"$DEBUG_OUT")" 4 'table lines'

  ### Nodes and pods are not debugged in one call.
  # Pre-Condition
  kd::test::create_pod app
  kd::test::get_object_assert pods '{{len .items}}' '4'
  # Command
  kd::test::debug app "node/$NS-n0" --image=$FANOUT_IMAGE
  # Post-Condition: refused, nothing created
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_ERR" "error: pod/app and node/$NS-n0: pods and nodes cannot be debugged in one call" stderr
  kd::test::get_object_assert pods '{{len .items}}' '4'
}

run_fanout_logs_stream_prefixed() {
  kd::test::new_namespace
  # kwok runs these pods and ends their ephemeral containers at once.
  kd::test::create_labelled_pods logs 2 app=logs "$KD_KWOK_NODE" kubectl-debugger.test/ephemeral=terminated
  kd::test::wait_for 30 "pod logs-0 to run" kd::test::pod_running logs-0
  kd::test::wait_for 30 "pod logs-1 to run" kd::test::pod_running logs-1

  ### --logs waits for each debug container and streams its output, prefixed.
  # Pre-Condition
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{.status.phase}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'logs-0:Running:;logs-1:Running:;'
  # Command
  kd::test::debug -l app=logs --image=$FANOUT_IMAGE -c dbg --logs
  # Post-Condition: the table, then each container's lines, whole and prefixed
  kd::test::assert_success
  kd::test::assert_eq "$(head -n 3 <<<"$DEBUG_OUT")" \
    $'TARGET       POD      CONTAINER   RESULT\npod/logs-0   logs-0   dbg         added\npod/logs-1   logs-1   dbg         added' 'table'
  kd::test::assert_eq "$(tail -n +4 <<<"$DEBUG_OUT" | sort)" \
    $'[pod/logs-0/dbg] debug container finished\n[pod/logs-0/dbg] hello from the fake kubelet\n[pod/logs-1/dbg] debug container finished\n[pod/logs-1/dbg] hello from the fake kubelet' 'streamed lines'
  kd::test::get_object_assert pods '{{range .items}}{{range .status.ephemeralContainerStatuses}}{{.name}}:{{.state.terminated.reason}};{{end}}{{end}}' 'dbg:Completed;dbg:Completed;'
}

run_fanout_refusals() {
  kd::test::new_namespace
  kd::test::create_labelled_pods fan 2 app=fan node-a
  local from args

  ### A selector that matches nothing is an error, after its LIST and nothing else.
  # Pre-Condition
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'fan-0;fan-1;'
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug -l app=nothing --image=$FANOUT_IMAGE
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error: no pods match selector app=nothing in namespace \"$NS\"" stderr
  kd::test::assert_eq "$(kd::test::requests_by_kind_since "$from")" '1 list pods' 'audited requests'

  ### -l with a name, -i with a selector, one copy of two pods: usage errors, no request.
  for args in "pod/fan-0 -l app=fan" "-l app=fan -it" "fan-0 fan-1 --copy-to=copy"; do
    # Command
    from=$(kd::test::audit_lines)
    # shellcheck disable=SC2086 # the words of each case
    kd::test::debug $args --image=$FANOUT_IMAGE
    # Post-Condition
    kd::test::assert_failure
    kd::test::if_has_string "$DEBUG_ERR" "See 'kubectl debugger -h' for help and examples." stderr
    kd::test::assert_eq "$(kd::test::requests_by_kind_since "$from")" '' "audited requests of $args"
  done
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'fan-0:;fan-1:;'
}

run_fanout_missing_targets_each_reported() {
  kd::test::new_namespace
  kd::test::create_labelled_pods fan 1 app=fan node-a
  local from

  ### Every target that cannot be found has its own row and counts once.
  # Pre-Condition: fan-0 exists, b and c do not
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'fan-0:;'
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug fan-0 b c --image=$FANOUT_IMAGE -c dbg
  # Post-Condition: two of three failed, so nothing was sent
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: 2 of 3 targets cannot be debugged, so nothing was sent (--keep-going sends the others)' stderr
  kd::test::assert_eq "$DEBUG_OUT" $'TARGET      POD      CONTAINER   RESULT\npod/fan-0   fan-0    dbg         not sent\npod/b       <none>   <none>      failed: pods "b" not found\npod/c       <none>   <none>      failed: pods "c" not found' stdout
  kd::test::assert_eq "$(kd::test::requests_by_kind_since "$from")" '3 get pods' 'audited requests'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'fan-0:;'

  ### With --keep-going the one found is debugged, and both others still count.
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug fan-0 b c --image=$FANOUT_IMAGE -c dbg --keep-going
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: 2 of 3 targets failed' stderr
  kd::test::assert_eq "$DEBUG_OUT" $'TARGET      POD      CONTAINER   RESULT\npod/fan-0   fan-0    dbg         added\npod/b       <none>   <none>      failed: pods "b" not found\npod/c       <none>   <none>      failed: pods "c" not found' stdout
  kd::test::assert_eq "$(kd::test::requests_by_kind_since "$from")" $'3 get pods\n1 patch pods/ephemeralcontainers' 'audited requests'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'fan-0:dbg,;'
}

run_fanout_target_container_checked_in_plan() {
  kd::test::new_namespace
  kd::test::create_labelled_pods fan 2 app=fan node-a
  # A pod the selector matches too, without a container called main.
  kubectl create -n "$NS" -f - >/dev/null <<POD
apiVersion: v1
kind: Pod
metadata: {name: odd-0, labels: {app: fan}}
spec:
  nodeName: node-a
  containers: [{name: api, image: $FANOUT_IMAGE, command: [sleep, "3600"]}]
POD
  local from dry table
  table=$'TARGET      POD      CONTAINER   RESULT\npod/fan-0   fan-0    dbg         not sent\npod/fan-1   fan-1    dbg         not sent\npod/odd-0   <none>   <none>      failed: --target: container "main" not found in pod "odd-0"'

  ### A --target container missing from one selected pod fails its plan: nothing is sent.
  # Pre-Condition: fan-0 and fan-1 have container main, odd-0 has only api
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.containers}}{{.name}},{{end}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' \
    'fan-0:main,:;fan-1:main,:;odd-0:api,:;'
  for dry in none client; do
    # Command
    from=$(kd::test::audit_lines)
    kd::test::debug -l app=fan --image=$FANOUT_IMAGE -c dbg --target=main --dry-run=$dry
    # Post-Condition: the pod named with the container, one LIST and no write
    kd::test::assert_failure
    kd::test::assert_eq "$DEBUG_ERR" 'error: 1 of 3 targets cannot be debugged, so nothing was sent (--keep-going sends the others)' "stderr, --dry-run=$dry"
    kd::test::assert_eq "$DEBUG_OUT" "$table" "stdout, --dry-run=$dry"
    kd::test::assert_eq "$(kd::test::requests_by_kind_since "$from")" '1 list pods' "audited requests, --dry-run=$dry"
  done
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' 'fan-0:;fan-1:;odd-0:;'

  ### With --keep-going the pods that have it are debugged, the other is reported.
  # Command
  kd::test::debug -l app=fan --image=$FANOUT_IMAGE -c dbg --target=main --keep-going
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: 1 of 3 targets failed' stderr
  kd::test::assert_eq "$DEBUG_OUT" "${table//not sent/added}" stdout
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}}>{{.targetContainerName}},{{end}};{{end}}' \
    'fan-0:dbg>main,;fan-1:dbg>main,;odd-0:;'
}

run_fanout_completed_pod_of_a_workload() {
  kd::test::new_namespace
  # The job controller makes the job's pod, bound to node-a, which no kubelet runs.
  kubectl create -n "$NS" -f - >/dev/null <<JOB
apiVersion: batch/v1
kind: Job
metadata: {name: done}
spec:
  template: {spec: {nodeName: node-a, restartPolicy: Never, containers: [{name: main, image: $FANOUT_IMAGE}]}}
JOB
  kd::test::wait_for 30 "the pod of job done" kd::test::has_pods job-name=done
  local pod
  pod=$(kubectl get pods -n "$NS" -l job-name=done -o 'jsonpath={.items[*].metadata.name}')
  # The job's only pod has finished, as a kubelet would report it.
  kubectl patch pod "$pod" -n "$NS" --subresource=status --type=merge -p '{"status":{"phase":"Succeeded"}}' >/dev/null

  ### The completed pod a job stands for gets no ephemeral container, which could never
  ### start: kubectl attach refuses that pod too.
  # Pre-Condition
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{.status.phase}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' "$pod:Succeeded:;"
  kd::test::assert_eq "$(kubectl attach -n "$NS" job/done 2>&1 || true)" 'error: cannot attach a container in a completed pod; current phase is Succeeded' 'kubectl attach job/done'
  # Command
  kd::test::debug job/done --image=$FANOUT_IMAGE -c dbg
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error: cannot add a debug container to pod \"$pod\" of job/done: the pod has completed (phase Succeeded), so the container would never start; --copy-to debugs a copy of it" stderr
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{.status.phase}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}};{{end}}' "$pod:Succeeded:;"

  ### A copy of that pod can be debugged.
  # Command
  kd::test::debug job/done --image=$FANOUT_IMAGE -c dbg --copy-to=done-copy
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/done-copy '{{range .spec.containers}}{{.name}},{{end}}' 'main,dbg,'

  ### Named directly, the completed pod gets its container, as kubectl debug sends it.
  # Command
  kd::test::debug "$pod" --image=$FANOUT_IMAGE -c dbg
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert "pod/$pod" '{{.status.phase}}:{{range .spec.ephemeralContainers}}{{.name}},{{end}}' 'Succeeded:dbg,'
}

run_fanout_same_name_at_once() {
  kd::test::new_namespace
  kd::test::create_labelled_pods race 1 app=race node-a
  local runs=8 i ok=0 rc err pids=() dir=$KD_TEST_TMP/$NS-runs
  mkdir -p "$dir"

  ### Runs adding one container name to one pod at once: exactly one adds it, each other
  ### says the name is taken.
  # Pre-Condition
  kd::test::get_object_assert pod/race-0 '{{range .spec.ephemeralContainers}}{{.name}},{{end}}' ''
  # Command
  kd::test::command
  for ((i = 0; i < runs; i++)); do
    timeout -k 5 60 "${KD_CMD[@]}" -n "$NS" race-0 --image=$FANOUT_IMAGE -c dbg </dev/null >"$dir/$i.out" 2>"$dir/$i.err" &
    pids+=($!)
  done
  for ((i = 0; i < runs; i++)); do
    rc=0
    wait "${pids[i]}" || rc=$?
    if ((rc == 0)); then
      ok=$((ok + 1))
      continue
    fi
    err=$(<"$dir/$i.err")
    case $err in
      'error: pod "race-0" already has a container called "dbg": an ephemeral container needs a new name (-c/--container)' | \
        'error: adding debug container "dbg" to pod "race-0": another debug session added a container called "dbg" first: give another name with -c/--container')
        kd::test::pass "run $i: the name is taken"
        ;;
      *) kd::test::fail "run $i failed for another reason (exit $rc)" "stderr: $err" ;;
    esac
  done
  # Post-Condition
  kd::test::assert_eq "$ok" 1 'runs that added the container'
  kd::test::get_object_assert pod/race-0 '{{range .spec.ephemeralContainers}}{{.name}},{{end}}' 'dbg,'
}

FANOUT_TOPICS=(
  run_fanout_workloads_resolve_to_a_pod
  run_fanout_selector_over_fifty_pods
  run_fanout_partial_failure
  run_fanout_nodes_by_selector
  run_fanout_logs_stream_prefixed
  run_fanout_refusals
  run_fanout_missing_targets_each_reported
  run_fanout_target_container_checked_in_plan
  run_fanout_completed_pod_of_a_workload
  run_fanout_same_name_at_once
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${FANOUT_TOPICS[@]}"
fi
