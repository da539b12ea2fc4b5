#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of --dry-run and -o: server dry runs checked by the real admission
# chain, client dry runs that send no write, and the offline preview of examples/ with
# no cluster and no kubeconfig at all; and what asks the server before writing: --check
# and --profile=auto.
#
#   test/cmd/dryrun.sh [TOPIC-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DRY_RUN_IMAGE=busybox:1.36

# kd::test::manifest_assert TEXT TEMPLATE EXPECTED [WHAT]: like
# kd::test::get_object_assert, for an object printed as JSON or YAML rather than one on
# the server. The reference kubectl renders the template without a cluster: annotate
# --local, removing an annotation no object has, prints the object as it was given.
kd::test::manifest_assert() {
  local text=$1 template=$2 expected=$3 what=${4:-manifest} output res
  if [[ $template == jsonpath=* ]]; then
    output=$template
  else
    output="go-template=$template"
  fi
  if ! res=$(kubectl annotate --local -f - kubectl-debugger.test/none- -o "$output" <<<"$text" 2>&1); then
    kd::test::fail "rendering $what failed" "$res" "$what was:" "$text"
    return 1
  fi
  if [[ $res == "$expected" ]]; then
    kd::test::pass "$what $template"
    return 0
  fi
  kd::test::fail "$what -o $output" "expected: $expected" "got:      $res"
}

# kd::test::writes_since LINE: the write requests of the user admin completed after
# audit line LINE, as "VERB URI" lines.
kd::test::writes_since() {
  kd::test::audited_since "$1" |
    sed -n -E 's/.*"requestURI":"([^"]*)","verb":"(create|update|patch|delete|deletecollection)".*/\2 \1/p'
}

run_dry_run_server_pod_security() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=restricted
  # Pods in this namespace must pass "restricted" themselves, as create_pod's do.
  kd::test::create_pod app
  local rv state='{{.metadata.resourceVersion}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}'
  rv=$(kd::test::pod_field app '{.metadata.resourceVersion}')

  ### sysadmin: the server's Pod Security refusal reaches the user, ephemeral and copy.
  # Pre-Condition: the namespace enforces restricted; one pod, no ephemeral containers
  kd::test::get_object_assert "namespace/$NS" '{{index .metadata.labels "pod-security.kubernetes.io/enforce"}}' 'restricted'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
  kd::test::get_object_assert pod/app "$state" "$rv:"
  # Command
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --profile=sysadmin --dry-run=server --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'violates PodSecurity "restricted:latest"' stderr
  kd::test::if_has_string "$DEBUG_ERR" 'securityContext.privileged=true' stderr
  # Command
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --profile=sysadmin --copy-to=app-copy --dry-run=server --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'violates PodSecurity "restricted:latest"' stderr
  kd::test::if_has_string "$DEBUG_ERR" 'pods "app-copy" is forbidden' stderr

  ### restricted: accepted, and the object printed is the one the server defaulted.
  # Command
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --profile=restricted --dry-run=server -o json --attach=false
  # Post-Condition: terminationMessagePath and imagePullPolicy are the server's defaults
  kd::test::assert_success
  kd::test::manifest_assert "$DEBUG_OUT" '{{.kind}} {{.metadata.name}} {{.metadata.namespace}}' "Pod app $NS" stdout
  kd::test::manifest_assert "$DEBUG_OUT" '{{range .spec.ephemeralContainers}}{{.name}}:{{.terminationMessagePath}}:{{.imagePullPolicy}};{{end}}' \
    'dbg:/dev/termination-log:IfNotPresent;' stdout
  kd::test::manifest_assert "$DEBUG_OUT" 'jsonpath={.spec.ephemeralContainers[0].securityContext.capabilities.drop}' '["ALL"]' stdout
  # Command
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --profile=restricted --copy-to=app-copy --dry-run=server -o json --attach=false
  # Post-Condition: the copy as the server would have stored it, uid and all
  kd::test::assert_success
  kd::test::manifest_assert "$DEBUG_OUT" '{{.kind}} {{.metadata.name}} {{.metadata.namespace}}' "Pod app-copy $NS" stdout
  kd::test::manifest_assert "$DEBUG_OUT" '{{range .spec.containers}}{{.name}}:{{.terminationMessagePath}};{{end}}' \
    'main:/dev/termination-log;dbg:/dev/termination-log;' stdout
  kd::test::manifest_assert "$DEBUG_OUT" '{{if .metadata.uid}}uid{{end}} {{.spec.dnsPolicy}}' 'uid ClusterFirst' stdout

  ### Nothing persisted: the pod is as before, and there is no copy.
  kd::test::get_object_assert pod/app "$state" "$rv:"
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
  kd::test::object_absent pod/app-copy
}

run_dry_run_server_writes_nothing() {
  kd::test::new_namespace
  kd::test::create_pod app
  kd::test::ensure_node_a
  local rv uid from
  rv=$(kd::test::pod_field app '{.metadata.resourceVersion}')
  uid=$(kd::test::pod_field app '{.metadata.uid}')

  ### Every write goes out with dryRun=All: the ephemeral container's patch...
  # Pre-Condition: one pod, no ephemeral containers
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --dry-run=server -o name --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" 'pod/app' stdout
  kd::test::assert_eq "$(kd::test::writes_since "$from")" "patch /api/v1/namespaces/$NS/pods/app/ephemeralcontainers?dryRun=All" 'audited writes'
  kd::test::get_object_assert pod/app '{{.metadata.resourceVersion}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}' "$rv:"

  ### ...the copy, and the delete of --replace too.
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --copy-to=app-copy --replace --dry-run=server -q --attach=false
  # Post-Condition: the create carries dryRun=All in its URI; a delete carries it in its
  # body, which the audit log does not show, so the pod itself is checked
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_OUT" "Dry run (server): would create pod $NS/app-copy, a copy of pod $NS/app" stdout
  kd::test::assert_eq "$(kd::test::writes_since "$from")" \
    "create /api/v1/namespaces/$NS/pods?dryRun=All"$'\n'"delete /api/v1/namespaces/$NS/pods/app" 'audited writes'
  kd::test::get_object_assert pod/app '{{.metadata.uid}} {{.metadata.resourceVersion}}' "$uid $rv"
  kd::test::object_absent pod/app-copy

  ### The same for a node.
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug node/node-a --image=$DRY_RUN_IMAGE --dry-run=server -o name --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_OUT" 'pod/node-debugger-node-a-' stdout
  kd::test::assert_eq "$(kd::test::writes_since "$from")" "create /api/v1/namespaces/$NS/pods?dryRun=All" 'audited writes'
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
}

run_dry_run_client_no_write() {
  kd::test::new_namespace
  kd::test::create_pod app
  kd::test::ensure_node_a
  local rv uid from
  rv=$(kd::test::pod_field app '{.metadata.resourceVersion}')
  uid=$(kd::test::pod_field app '{.metadata.uid}')

  ### Ephemeral: the whole pod with the new container is printed, nothing is written.
  # Pre-Condition: no ephemeral containers
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --dry-run=client -o yaml --attach=false
  # Post-Condition: the client does not default terminationMessagePath, the server would
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::writes_since "$from")" '' 'audited writes'
  kd::test::manifest_assert "$DEBUG_OUT" '{{.metadata.name}} {{range .spec.containers}}{{.name}};{{end}}{{range .spec.ephemeralContainers}}{{.name}}:{{.image}}:{{.terminationMessagePath}};{{end}}' \
    "app main;dbg:$DRY_RUN_IMAGE:<no value>;" stdout
  kd::test::get_object_assert pod/app '{{.metadata.resourceVersion}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}' "$rv:"

  ### Copy with --replace: the original stays, and stderr says it would be deleted.
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --copy-to=app-copy --replace --dry-run=client --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::writes_since "$from")" '' 'audited writes'
  kd::test::if_has_line_prefix "$DEBUG_ERR" "Dry run: pod $NS/app would be deleted once its copy app-copy exists." stderr
  kd::test::if_has_line_prefix "$DEBUG_OUT" "Dry run (client): would create pod $NS/app-copy, a copy of pod $NS/app" stdout
  kd::test::get_object_assert pod/app '{{.metadata.uid}} {{.metadata.resourceVersion}}' "$uid $rv"
  kd::test::object_absent pod/app-copy

  ### Node: the node debugging pod is printed, not created.
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug node/node-a --image=$DRY_RUN_IMAGE --dry-run=client -q --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::writes_since "$from")" '' 'audited writes'
  kd::test::if_has_line_prefix "$DEBUG_OUT" "Dry run (client): would create pod $NS/node-debugger-node-a-" stdout
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;'
}

run_dry_run_offline_example() {
  # Relative paths, as in the README's quick start.
  cd "$KD_ROOT"
  # No kubeconfig anywhere: HOME is empty and KUBECONFIG names a file that does not exist.
  local home=$KD_TEST_TMP/offline-home
  mkdir -p "$home"
  local quickstart=(--image="$DRY_RUN_IMAGE" --dry-run=client --profile=netadmin --custom=examples/env.yaml)
  local debugger='{{.image}} {{.securityContext.capabilities.add}} {{range .env}}{{.name}}={{.value}}{{end}}'

  ### Ephemeral: the pod from the file with the debug container added.
  # Pre-Condition: nothing to find a cluster with
  kd::test::assert_eq "$(ls -A "$home")" '' 'files in HOME'
  # Command
  HOME=$home KUBECONFIG=$home/none kd::test::debug -f examples/pod.yaml "${quickstart[@]}" -o yaml
  # Post-Condition: the namespace is "default", since neither the file nor a flag has one
  kd::test::assert_success
  kd::test::manifest_assert "$DEBUG_OUT" '{{.kind}} {{.metadata.name}} {{.metadata.namespace}}' 'Pod web default' stdout
  kd::test::manifest_assert "$DEBUG_OUT" '{{range .spec.containers}}{{.name}};{{end}}' 'web;' stdout
  kd::test::manifest_assert "$DEBUG_OUT" "{{range .spec.ephemeralContainers}}$debugger{{end}}" \
    "$DRY_RUN_IMAGE [NET_ADMIN NET_RAW] REQUIRED_ENV_VAR=value2" stdout

  ### Copy: the new pod.
  # Command
  HOME=$home KUBECONFIG=$home/none kd::test::debug -f examples/pod.yaml "${quickstart[@]}" --copy-to=web-debug -c dbg -o yaml
  # Post-Condition
  kd::test::assert_success
  kd::test::manifest_assert "$DEBUG_OUT" '{{.kind}} {{.metadata.name}} {{.metadata.namespace}} {{.spec.shareProcessNamespace}}' 'Pod web-debug default true' stdout
  kd::test::manifest_assert "$DEBUG_OUT" "{{range .spec.containers}}{{.name}};{{end}}{{range .spec.containers}}{{if eq .name \"dbg\"}}$debugger{{end}}{{end}}" \
    "web;dbg;$DRY_RUN_IMAGE [NET_ADMIN NET_RAW] REQUIRED_ENV_VAR=value2" stdout

  ### Node, from a Node manifest: the node debugging pod.
  # Command
  HOME=$home KUBECONFIG=$home/none kd::test::debug -f examples/node.yaml "${quickstart[@]}" -o yaml
  # Post-Condition
  kd::test::assert_success
  kd::test::manifest_assert "$DEBUG_OUT" '{{.kind}} {{.metadata.namespace}} {{.spec.nodeName}} {{.spec.hostNetwork}} {{.spec.restartPolicy}}' 'Pod default node-a true Never' stdout
  kd::test::if_has_line_prefix "$DEBUG_OUT" '  name: node-debugger-node-a-' stdout
  kd::test::manifest_assert "$DEBUG_OUT" 'jsonpath={.spec.tolerations}' '[{"operator":"Exists"}]' stdout
  kd::test::manifest_assert "$DEBUG_OUT" "{{range .spec.containers}}{{.name}} $debugger{{end}}" \
    "debugger $DRY_RUN_IMAGE [NET_ADMIN NET_RAW] REQUIRED_ENV_VAR=value2" stdout

  ### Without -o, a summary a person reads at a glance.
  # Command: -q, or the notice naming the generated container would come first
  HOME=$home KUBECONFIG=$home/none kd::test::debug -f examples/pod.yaml "${quickstart[@]}" -q
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_line_prefix "$(head -n 1 <<<"$DEBUG_OUT")" 'Dry run (client): would add ephemeral container "debugger-' 'first line of stdout'
  kd::test::if_has_string "$(head -n 1 <<<"$DEBUG_OUT")" '" to pod default/web' 'first line of stdout'
  kd::test::if_has_line_prefix "$DEBUG_OUT" '  profile:   netadmin' stdout
  kd::test::if_has_line_prefix "$DEBUG_OUT" '  custom:    examples/env.yaml' stdout

  ### -i does not attach under a dry run, which would need a cluster.
  # Command
  HOME=$home KUBECONFIG=$home/none kd::test::debug -f examples/pod.yaml "${quickstart[@]}" -c dbg -i -q
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_OUT" 'Dry run (client): would add ephemeral container "dbg" to pod default/web' stdout

  ### Nothing was written to HOME, no cache either.
  kd::test::assert_eq "$(ls -A "$home")" '' 'files in HOME'
}

run_check() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=baseline
  kd::test::ensure_node_a
  kd::test::create_pod app
  kubectl create rolebinding dev --clusterrole=debugger-dev --user=dev -n "$NS" >/dev/null
  local rv from node state='{{.metadata.resourceVersion}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}'
  rv=$(kd::test::pod_field app '{.metadata.resourceVersion}')
  node=$(kd::test::pod_field app '{.spec.nodeName}')

  ### --check: every permission allowed, the server admits the baseline profile.
  # Pre-Condition: the namespace enforces baseline; app has no ephemeral container
  kd::test::get_object_assert pod/app "$state" "$rv:"
  # Command
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg -i --profile=baseline --check
  # Post-Condition: the report; no write but server dry runs; the pod unchanged
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" "pod/app: would succeed
  allowed: patch pods/ephemeralcontainers in namespace $NS
  allowed: create pods/attach in namespace $NS
  admitted by the server (dry run)
  image $DRY_RUN_IMAGE: not checked: node $node reports no images" stdout
  kd::test::assert_eq "$(kd::test::writes_since "$from" | sed -E 's/\?.*dryRun=All.*/ (dry run)/')" \
    "create /apis/authorization.k8s.io/v1/selfsubjectaccessreviews
create /apis/authorization.k8s.io/v1/selfsubjectaccessreviews
patch /api/v1/namespaces/$NS/pods/app/ephemeralcontainers (dry run)" 'writes'
  kd::test::get_object_assert pod/app "$state" "$rv:"

  ### --check with a profile Pod Security refuses: exit 1, the server's reason.
  # Command
  kd::test::debug app --image=$DRY_RUN_IMAGE -c dbg --profile=sysadmin --check
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_OUT" '  refused by the server: adding debug container "dbg" to pod "app": pods "app" is forbidden: violates PodSecurity "baseline:latest": ' stdout
  kd::test::if_has_string "$DEBUG_ERR" '1 of 1 targets would fail' stderr
  kd::test::get_object_assert pod/app "$state" "$rv:"

  ### --check as dev, who may not patch ephemeral containers: the forbidden verb named.
  # Command
  kd::test::debug --context=dev app --image=$DRY_RUN_IMAGE -c dbg -i --profile=baseline --check
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_OUT" 'pod/app: would fail' stdout
  kd::test::if_has_line_prefix "$DEBUG_OUT" "  forbidden: patch pods/ephemeralcontainers in namespace $NS" stdout
  kd::test::if_has_line_prefix "$DEBUG_OUT" "  forbidden: create pods/attach in namespace $NS" stdout
  kd::test::get_object_assert pod/app "$state" "$rv:"
}

# kd::test::auto_case LEVEL POD MODE NOTICE SECURITY-CONTEXT: --profile=auto on POD in
# the current namespace, which enforces LEVEL, in MODE (ephemeral, copy or node): the
# command succeeds, prints NOTICE, and the debug container has SECURITY-CONTEXT.
kd::test::auto_case() {
  local level=$1 pod=$2 mode=$3 notice=$4 sc=$5 args created
  case $mode in
  ephemeral) args=("$pod" -c "dbg-$pod") ;;
  copy) args=("$pod" -c dbg --copy-to="$pod-copy") ;;
  node) args=(node/node-a) ;;
  esac
  # Command
  kd::test::debug "${args[@]}" --image=$DRY_RUN_IMAGE --profile=auto --attach=false
  # Post-Condition: admitted at the first try of the profile chosen
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_OUT" "$notice" "$level/$pod/$mode stdout"
  case $mode in
  ephemeral) kd::test::get_object_assert "pod/$pod" "jsonpath={.spec.ephemeralContainers[?(@.name==\"dbg-$pod\")].securityContext}" "$sc" ;;
  copy) kd::test::get_object_assert "pod/$pod-copy" 'jsonpath={.spec.containers[?(@.name=="dbg")].securityContext}' "$sc" ;;
  node)
    created=$(sed -n -E 's/^Creating debugging pod ([^ ]+) with container .*/\1/p' <<<"$DEBUG_OUT")
    kd::test::get_object_assert "pod/$created" 'jsonpath={.spec.containers[0].securityContext}' "$sc"
    ;;
  esac
}

run_profile_auto() {
  local level refused want_nonroot want_node
  kd::test::ensure_node_a
  for level in privileged baseline restricted; do
    ### --profile=auto in a namespace enforcing $level, root and non-root targets, three modes.
    # Pre-Condition: a pod running as its image's user (made before the label, as a
    # restricted namespace would not admit it) and one running as UID 1000
    kd::test::new_namespace
    kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: root}
spec:
  nodeName: node-a
  containers: [{name: main, image: busybox:1.36, command: [sleep, "3600"]}]
EOF
    kd::test::create_pod nonroot
    kubectl label namespace "$NS" "pod-security.kubernetes.io/enforce=$level" >/dev/null 2>&1
    kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'nonroot;root;'
    case $level in
    privileged)
      kd::test::auto_case "$level" root ephemeral '--profile=auto chose "sysadmin".' '{"privileged":true}'
      kd::test::auto_case "$level" nonroot ephemeral '--profile=auto chose "sysadmin" with --run-as=root (the pod runs as non-root, and the profile'"'"'s capabilities need root).' '{"privileged":true,"runAsGroup":0,"runAsNonRoot":false,"runAsUser":0}'
      kd::test::auto_case "$level" root copy '--profile=auto chose "sysadmin".' '{"privileged":true}'
      kd::test::auto_case "$level" nonroot copy '--profile=auto chose "sysadmin" with --run-as=root (the pod runs as non-root, and the profile'"'"'s capabilities need root).' '{"privileged":true,"runAsGroup":0,"runAsNonRoot":false,"runAsUser":0}'
      kd::test::auto_case "$level" - node '--profile=auto chose "sysadmin".' '{"privileged":true}'
      ;;
    baseline)
      refused='refused by the server: "sysadmin", "netadmin" and "general" (violates PodSecurity "baseline:latest").'
      kd::test::auto_case "$level" root ephemeral "--profile=auto chose \"baseline\"; $refused" ''
      kd::test::auto_case "$level" nonroot ephemeral "--profile=auto chose \"baseline\" with --run-as=target (the target runs as non-root); $refused" '{"runAsNonRoot":true,"runAsUser":1000}'
      kd::test::auto_case "$level" root copy "--profile=auto chose \"baseline\"; $refused" ''
      kd::test::auto_case "$level" nonroot copy "--profile=auto chose \"baseline\" with --run-as=target (the target runs as non-root); $refused" '{"runAsNonRoot":true,"runAsUser":1000}'
      kd::test::auto_case "$level" - node "--profile=auto chose \"baseline\"; $refused" ''
      ;;
    restricted)
      refused='refused by the server: "sysadmin", "netadmin", "general" and "baseline" (violates PodSecurity "restricted:latest").'
      want_node='{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}'
      want_nonroot='{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}}'
      kd::test::auto_case "$level" nonroot ephemeral "--profile=auto chose \"restricted\" with --run-as=target (the target runs as non-root); $refused" "$want_nonroot"
      kd::test::auto_case "$level" nonroot copy "--profile=auto chose \"restricted\" with --run-as=target (the target runs as non-root); $refused" "$want_nonroot"
      kd::test::auto_case "$level" - node "--profile=auto chose \"restricted\"; $refused" "$want_node"
      # A root pod that predates the label: Pod Security judges the whole pod, so no
      # profile of the debug container can pass, and nothing is written.
      kd::test::debug root -c dbg-root --image=$DRY_RUN_IMAGE --profile=auto --attach=false
      kd::test::assert_failure
      kd::test::if_has_line_prefix "$DEBUG_ERR" 'error: --profile=auto: the server refuses every predefined profile: "sysadmin", "netadmin", "general", "baseline" and "restricted" (violates PodSecurity "restricted:latest"); "restricted" was refused with: adding debug container "dbg-root" to pod "root": pods "root" is forbidden: violates PodSecurity "restricted:latest": ' stderr
      kd::test::if_has_string "$DEBUG_ERR" 'container "main" must set securityContext.allowPrivilegeEscalation=false' stderr
      kd::test::get_object_assert pod/root '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
      kd::test::debug root -c dbg --copy-to=root-copy --image=$DRY_RUN_IMAGE --profile=auto --attach=false
      kd::test::assert_failure
      kd::test::object_absent pod/root-copy
      ;;
    esac
  done
}

DRY_RUN_TOPICS=(
  run_profile_auto
  run_check
  run_dry_run_server_pod_security
  run_dry_run_server_writes_nothing
  run_dry_run_client_no_write
  run_dry_run_offline_example
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${DRY_RUN_TOPICS[@]}"
fi
