#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of the debug command against the local cluster: one function per
# topic, each in a fresh namespace. hack/test-cmd.sh runs them all; to run them against a
# cluster that is already up (hack/local-up-cluster.sh):
#
#   test/cmd/debug.sh [TOPIC-REGEX]
#
# --attach=false everywhere except in test/cmd/attach.sh: the suite must not hang on a
# container that never starts.
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE=busybox:1.36
CUSTOM_DIR=$KD_ROOT/test/conformance/custom

# kd::test::custom NAME CONTENT: writes a custom profile to a scratch file, prints its path.
kd::test::custom() {
  local file=$KD_TEST_TMP/$NS-$1
  printf '%s\n' "$2" >"$file"
  echo "$file"
}

run_kep_custom_supersedes_profile() {
  kd::test::new_namespace
  kd::test::create_pod app

  ### A custom profile's value wins over the predefined profile's.
  # Pre-Condition: sysadmin alone makes the debug container privileged
  kd::test::debug app --image=$IMAGE -c plain --profile=sysadmin --attach=false
  kd::test::assert_success
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{.securityContext.privileged}};{{end}}' 'plain:true;'
  local custom
  custom=$(kd::test::custom privileged.yaml 'securityContext: {privileged: false}')
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --profile=sysadmin --custom="$custom" --attach=false
  # Post-Condition: privileged is false, as the custom profile says
  kd::test::assert_success
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{.securityContext.privileged}};{{end}}' 'plain:true;dbg:false;'

  ### Capabilities are an atomic list: the custom list replaces general's SYS_PTRACE.
  # Pre-Condition: general adds SYS_PTRACE (see the conformance case e-general)
  custom=$(kd::test::custom netadmin.json '{"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}')
  # Command
  kd::test::debug app --image=$IMAGE -c dbg2 --profile=general --custom="$custom" --attach=false
  # Post-Condition: only NET_ADMIN
  kd::test::assert_success
  kd::test::get_object_assert pod/app 'jsonpath={.spec.ephemeralContainers[?(@.name=="dbg2")].securityContext.capabilities.add}' '["NET_ADMIN"]'
}

run_kep_custom_supersedes_original_pod() {
  kd::test::new_namespace
  kd::test::create_pod app

  ### In copy mode with -c on an app container, the custom value wins over the pod's.
  # Pre-Condition: container main has MODE=prod
  kd::test::get_object_assert pod/app '{{range (index .spec.containers 0).env}}{{.name}}={{.value}};{{end}}' 'MODE=prod;'
  local custom
  custom=$(kd::test::custom mode.yaml $'env:\n- name: MODE\n  value: debug')
  # Command
  kd::test::debug app --copy-to=app-copy -c main --custom="$custom" --attach=false -- sh
  # Post-Condition: the copy's main has MODE=debug; the original is untouched
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy '{{range (index .spec.containers 0).env}}{{.name}}={{.value}};{{end}}' 'MODE=debug;'
  kd::test::get_object_assert pod/app-copy '{{(index .spec.containers 0).command}}' '[sh]'
  kd::test::get_object_assert pod/app '{{range (index .spec.containers 0).env}}{{.name}}={{.value}};{{end}}' 'MODE=prod;'
}

run_kep_custom_adds_field() {
  kd::test::new_namespace
  kd::test::create_pod app

  ### A field that neither the profile nor the pod sets is added.
  # Pre-Condition: no workingDir anywhere
  kd::test::get_object_assert pod/app 'jsonpath={.spec.containers[*].workingDir}' ''
  local custom
  custom=$(kd::test::custom workdir.yaml $'workingDir: /debug\nterminationMessagePolicy: FallbackToLogsOnError')
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --custom="$custom" --attach=false
  # Post-Condition: the ephemeral container has both
  kd::test::assert_success
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.workingDir}} {{.terminationMessagePolicy}}{{end}}' '/debug FallbackToLogsOnError'

  ### The same in copy mode with resources, which only copies may set.
  # Pre-Condition: the pod sets no resources
  kd::test::get_object_assert pod/app '{{range .spec.containers}}{{.resources}}{{end}}' 'map[]'
  custom=$(kd::test::custom resources.json '{"resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}}')
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --copy-to=app-copy --custom="$custom" --attach=false
  # Post-Condition: the debug container has them
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy 'jsonpath={.spec.containers[?(@.name=="dbg")].resources.limits}' '{"cpu":"500m","memory":"512Mi"}'
}

run_kep_custom_invalid_files() {
  kd::test::new_namespace
  kd::test::create_pod app

  ### A syntax error is reported, naming the file; nothing changes.
  # Pre-Condition: no ephemeral containers
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --custom="$CUSTOM_DIR/bad.json" --attach=false
  # Post-Condition: a JSON error that names the file and the line; the pod is unchanged
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" "bad.json" stderr
  kd::test::if_has_string "$DEBUG_ERR" "line 1" stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''

  ### A file that is not a container (here a whole Pod) is refused.
  # Pre-Condition: a Pod manifest
  local custom
  custom=$(kd::test::custom pod.yaml $'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers: []')
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --custom="$custom" --attach=false
  # Post-Condition: an error naming the file and a field a container does not have
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" "pod.yaml" stderr
  kd::test::if_has_string "$DEBUG_ERR" "apiVersion" stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''

  ### A missing file is refused.
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --custom="$KD_TEST_TMP/does-not-exist.json" --attach=false
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" "does-not-exist.json" stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
}

run_custom_json_and_yaml_all_modes() {
  kd::test::new_namespace
  kd::test::create_pod app
  kd::test::ensure_node_a
  local envs='{{range .env}}{{.name}}={{.value}};{{end}}'

  ### Ephemeral mode, JSON and YAML.
  # Pre-Condition: the pod's own env is MODE only
  kd::test::get_object_assert pod/app "{{range .spec.containers}}$envs{{end}}" 'MODE=prod;'
  # Command
  kd::test::debug app --image=$IMAGE -c dbg-json --custom="$CUSTOM_DIR/env.json" --attach=false
  kd::test::assert_success
  kd::test::debug app --image=$IMAGE -c dbg-yaml --custom="$CUSTOM_DIR/env.yaml" --attach=false
  kd::test::assert_success
  # Post-Condition: each debug container has its file's variables
  kd::test::get_object_assert pod/app "{{range .spec.ephemeralContainers}}{{.name}}:$envs{{end}}" \
    'dbg-json:ENV_VAR1=value1;ENV_VAR2=value2;dbg-yaml:ENV_VAR3=value3;ENV_VAR4=value4;'

  ### Copy mode, JSON and YAML.
  # Command, Post-Condition
  kd::test::debug app --image=$IMAGE -c dbg --copy-to=copy-json --custom="$CUSTOM_DIR/env.json" --attach=false
  kd::test::assert_success
  kd::test::get_object_assert pod/copy-json "{{range .spec.containers}}{{if eq .name \"dbg\"}}$envs{{end}}{{end}}" 'ENV_VAR1=value1;ENV_VAR2=value2;'
  kd::test::debug app --image=$IMAGE -c dbg --copy-to=copy-yaml --custom="$CUSTOM_DIR/env.yaml" --attach=false
  kd::test::assert_success
  kd::test::get_object_assert pod/copy-yaml "{{range .spec.containers}}{{if eq .name \"dbg\"}}$envs{{end}}{{end}}" 'ENV_VAR3=value3;ENV_VAR4=value4;'

  ### Node mode, JSON and YAML: each call creates one node-debugger pod.
  # Command, Post-Condition
  kd::test::debug node/node-a --image=$IMAGE -c dbg-json --custom="$CUSTOM_DIR/env.json" --attach=false
  kd::test::assert_success
  kd::test::debug node/node-a --image=$IMAGE -c dbg-yaml --custom="$CUSTOM_DIR/env.yaml" --attach=false
  kd::test::assert_success
  # Copies carry the label too; node debugging pods are the ones bound to a node.
  kd::test::get_object_assert pods "{{range .items}}{{if .spec.nodeName}}{{range .spec.containers}}{{.name}}:$envs{{end}}{{end}}{{end}}" \
    'dbg-json:ENV_VAR1=value1;ENV_VAR2=value2;dbg-yaml:ENV_VAR3=value3;ENV_VAR4=value4;' \
    -l app.kubernetes.io/managed-by=kubectl-debug --sort-by=.spec.containers[0].name
}

run_pod_security_restricted() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=restricted
  kd::test::create_pod app
  local names='{{range .spec.ephemeralContainers}}{{.name}};{{end}}'

  ### --profile=restricted is accepted in ephemeral and copy mode.
  # Pre-Condition: the namespace enforces restricted
  kd::test::get_object_assert "namespace/$NS" '{{index .metadata.labels "pod-security.kubernetes.io/enforce"}}' 'restricted'
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --profile=restricted --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app "$names" 'dbg;'
  kd::test::debug app --image=$IMAGE -c dbg --profile=restricted --copy-to=app-copy --attach=false
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy '{{range .spec.containers}}{{.name}};{{end}}' 'main;dbg;'

  ### general, netadmin and sysadmin are rejected, with the server's reason shown.
  local profile
  for profile in general netadmin sysadmin; do
    kd::test::debug app --image=$IMAGE -c "dbg-$profile" --profile="$profile" --attach=false
    kd::test::assert_failure
    kd::test::if_has_string "$DEBUG_ERR" 'violates PodSecurity "restricted:latest"' stderr
    kd::test::debug app --image=$IMAGE -c dbg --profile="$profile" --copy-to="copy-$profile" --attach=false
    kd::test::assert_failure
    kd::test::if_has_string "$DEBUG_ERR" 'violates PodSecurity "restricted:latest"' stderr
    kd::test::object_absent "pod/copy-$profile"
  done
  kd::test::get_object_assert pod/app "$names" 'dbg;'

  ### A custom profile cannot smuggle privileged: true past the admission.
  local custom
  # allowPrivilegeEscalation too, or API validation refuses it before Pod Security looks.
  custom=$(kd::test::custom privileged.yaml 'securityContext: {privileged: true, allowPrivilegeEscalation: true}')
  kd::test::debug app --image=$IMAGE -c dbg-custom --profile=restricted --custom="$custom" --attach=false
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'violates PodSecurity "restricted:latest"' stderr
  kd::test::if_has_string "$DEBUG_ERR" 'privileged' stderr
  kd::test::get_object_assert pod/app "$names" 'dbg;'
}

run_pod_security_baseline() {
  kd::test::new_namespace pod-security.kubernetes.io/enforce=baseline
  kd::test::create_pod app
  local names='{{range .spec.ephemeralContainers}}{{.name}};{{end}}'

  ### baseline is accepted, sysadmin is rejected.
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --profile=baseline --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app "$names" 'dbg;'
  # Command
  kd::test::debug app --image=$IMAGE -c dbg-sys --profile=sysadmin --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'violates PodSecurity "baseline:latest"' stderr
  kd::test::get_object_assert pod/app "$names" 'dbg;'
}

run_rbac_dev_user() {
  kd::test::new_namespace
  kd::test::create_pod app
  kubectl create rolebinding dev --clusterrole=debugger-dev --user=dev -n "$NS" >/dev/null

  ### dev may not add ephemeral containers: a clear forbidden error, nothing changes.
  # Pre-Condition
  local rv
  rv=$(kd::test::pod_field app '{.metadata.resourceVersion}')
  # Command
  kd::test::debug --context=dev app --image=$IMAGE -c dbg --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'forbidden' stderr
  kd::test::if_has_string "$DEBUG_ERR" 'pods/ephemeralcontainers' stderr
  kd::test::get_object_assert pod/app '{{.metadata.resourceVersion}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}' "$rv:"

  ### dev may still debug a copy.
  kd::test::debug --context=dev app --image=$IMAGE -c dbg --copy-to=app-copy --attach=false
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy '{{range .spec.containers}}{{.name}};{{end}}' 'main;dbg;'
  kd::test::get_object_assert pod/app '{{.metadata.resourceVersion}}' "$rv"
}

# The create and delete requests of user admin on pods in $NS, in the order the server
# completed them, as "VERB NAME CODE". Parsed with sed rather than jq (one dependency
# less): the audit Event's fields are always serialised in the same order.
kd::test::audited_pod_writes() {
  grep -F '"stage":"ResponseComplete"' "$KD_CLUSTER_DIR/audit.log" |
    grep -F "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"$NS\"," |
    grep -F '"user":{"username":"admin"' |
    sed -n -E 's/.*"verb":"(create|delete)".*"objectRef":\{"resource":"pods","namespace":"[^"]*","name":"([^"]*)".*"code":([0-9]+)\},"requestReceivedTimestamp".*/\1 \2 \3/p'
}

run_replace() {
  kd::test::new_namespace
  kd::test::create_pod app

  ### The original is deleted only after the copy was created.
  # Pre-Condition: only the pod's own create so far
  kd::test::assert_eq "$(kd::test::audited_pod_writes)" "create app 201" 'audited pod writes'
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --copy-to=app-copy --replace --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::object_absent pod/app
  kd::test::get_object_assert pod/app-copy '{{range .spec.containers}}{{.name}};{{end}}' 'main;dbg;'
  kd::test::assert_eq "$(kd::test::audited_pod_writes)" $'create app 201\ncreate app-copy 201\ndelete app 200' 'audited pod writes'

  ### When the copy's name is taken the command fails and the original stays.
  # Pre-Condition
  kd::test::create_pod app2
  kd::test::create_pod taken
  local uid
  uid=$(kd::test::pod_field app2 '{.metadata.uid}')
  # Command
  kd::test::debug app2 --image=$IMAGE -c dbg --copy-to=taken --replace --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'already exists' stderr
  kd::test::get_object_assert pod/app2 '{{.metadata.uid}}' "$uid"
  kd::test::get_object_assert pod/taken '{{range .spec.containers}}{{.name}};{{end}}' 'main;'
  kd::test::if_has_not_string "$(kd::test::audited_pod_writes)" 'delete app2' 'audited pod writes'
}

run_non_root_warning() {
  kd::test::new_namespace
  kubectl create -n "$NS" -f "$KD_ROOT/test/conformance/fixtures/nonroot.yaml" >/dev/null

  ### A pod-wide runAsUser with a profile that adds capabilities warns.
  # Pre-Condition
  kd::test::get_object_assert pod/nonroot '{{.spec.securityContext.runAsUser}}' '1000'
  # Command
  kd::test::debug nonroot --image=$IMAGE -c dbg --profile=netadmin --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'Warning: Non-root user is configured for the entire target Pod' stderr
  kd::test::get_object_assert pod/nonroot '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg;'

  ### Without added capabilities there is no warning.
  kd::test::debug nonroot --image=$IMAGE -c dbg2 --profile=restricted --attach=false
  kd::test::assert_success
  kd::test::if_has_not_string "$DEBUG_ERR" 'Non-root user' stderr
}

run_filename_targets() {
  kd::test::new_namespace
  kd::test::create_pod app
  local file=$KD_TEST_TMP/$NS-app.yaml
  kubectl get pod app -n "$NS" -o yaml >"$file"

  ### -f pod.yaml names the target.
  # Pre-Condition: the file holds the pod as the server has it
  kd::test::assert_eq "$(grep -c '^kind: Pod$' "$file")" 1 'pods in the file'
  # Command
  kd::test::debug -f "$file" --image=$IMAGE -c dbg --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg;'

  ### -f works in copy mode too.
  # Command
  kd::test::debug -f "$file" --image=$IMAGE -c dbg --copy-to=app-copy --attach=false
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy '{{range .spec.containers}}{{.name}};{{end}}' 'main;dbg;'
}

run_several_targets() {
  kd::test::new_namespace
  kd::test::create_pod one
  kd::test::create_pod two

  ### Several targets in one call are all debugged, in order.
  # Pre-Condition
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}}{{end}};{{end}}' 'one:;two:;'
  # Command
  kd::test::debug one pod/two --image=$IMAGE -c dbg --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}}{{end}};{{end}}' 'one:dbg;two:dbg;'
}

run_config_files_refused() {
  kd::test::new_namespace
  kd::test::create_pod app
  local big=$KD_TEST_TMP/$NS-big kuberc=$KD_TEST_TMP/$NS-kuberc
  truncate -s 9M "$big"

  ### A kubeconfig or kuberc that is not a regular file, or is too large to be one, is
  ### refused before anything reads it: one line naming the flag or variable and the
  ### path, nothing on stdout, nothing changed.
  # Pre-Condition
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --attach=false --kubeconfig="$KD_TEST_TMP"
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error: --kubeconfig $KD_TEST_TMP: is a directory" stderr
  kd::test::assert_eq "$DEBUG_OUT" '' stdout
  # Command
  KUBECONFIG=$KUBECONFIG:$big kd::test::debug app --image=$IMAGE -c dbg --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error: KUBECONFIG entry $big: larger than 8 MiB" stderr
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --attach=false --kuberc="$big"
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error: --kuberc $big: larger than 8 MiB" stderr
  kd::test::assert_eq "$DEBUG_OUT" '' stdout
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''

  ### A kuberc that does not parse: its error alone, no page of usage on stdout.
  printf 'x: [\n' >"$kuberc"
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --attach=false --kuberc="$kuberc"
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" "error occurred while applying preferences kuberc error kuberc: no valid preferences found in $kuberc, use --v=5 to see details" stderr
  kd::test::assert_eq "$DEBUG_OUT" '' stdout
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
}

run_missing_targets() {
  kd::test::new_namespace

  ### A missing pod.
  # Pre-Condition: an empty namespace
  kd::test::get_object_assert pods '{{len .items}}' '0'
  # Command
  kd::test::debug missing --image=$IMAGE --attach=false
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'pods "missing" not found' stderr

  ### A missing node: no pod is created.
  # Command
  kd::test::debug node/missing-node --image=$IMAGE --attach=false
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" 'nodes "missing-node" not found' stderr
  kd::test::get_object_assert pods '{{len .items}}' '0'
}

run_target_auto() {
  kd::test::new_namespace
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  nodeName: node-a
  containers:
  - {name: proxy, image: busybox:1.36, command: ["sleep", "3600"]}
  - {name: app, image: busybox:1.36, command: ["sleep", "3600"]}
EOF

  ### Two containers and no default-container annotation: refused, naming both.
  # Pre-Condition: no ephemeral containers
  kd::test::get_object_assert pod/two '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::test::debug two --image=$IMAGE -c dbg --target=auto --attach=false
  # Post-Condition: the error names both containers; the pod is unchanged
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: --target=auto: pod "two" has 2 containers (proxy, app) and no kubectl.kubernetes.io/default-container annotation: name one with --target' stderr
  kd::test::get_object_assert pod/two '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''

  ### With the annotation, the container it names is the target.
  # Pre-Condition
  kubectl annotate -n "$NS" pod/two kubectl.kubernetes.io/default-container=app >/dev/null
  # Command
  kd::test::debug two --image=$IMAGE -c dbg --target=auto --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_string "$DEBUG_OUT" '--target=auto chose container "app", the pod'"'"'s default container (annotation kubectl.kubernetes.io/default-container).' stdout
  kd::test::get_object_assert pod/two '{{range .spec.ephemeralContainers}}{{.name}}>{{.targetContainerName}};{{end}}' 'dbg>app;'
}

# kd::test::requests_since LINE: how many API requests of the user admin completed
# after audit line LINE, besides the version check of --match-server-version.
kd::test::requests_since() {
  kd::test::audited_since "$1" | grep -v -c -F '"requestURI":"/version?' || true
}

# kd::test::version_checks_since LINE: how many of those were that version check.
kd::test::version_checks_since() {
  kd::test::audited_since "$1" | grep -c -F '"requestURI":"/version?' || true
}

run_api_request_counts() {
  kd::test::new_namespace
  kd::test::create_pod app
  kd::test::create_pod app2
  kd::test::ensure_node_a
  local file=$KD_TEST_TMP/$NS-app2.yaml from
  kubectl get pod app2 -n "$NS" -o yaml >"$file"

  ### Lean by design: GET then PATCH or POST, even with an empty discovery cache.
  # Pre-Condition: every call gets a discovery cache of its own, empty
  # Command, Post-Condition: ephemeral
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$IMAGE -c dbg --attach=false --cache-dir="$KD_TEST_TMP/$NS-cache-1"
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::requests_since "$from")" 2 'API requests of an ephemeral debug'
  kd::test::assert_eq "$(kd::test::version_checks_since "$from")" 1 'version checks of --match-server-version'
  # copy
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$IMAGE -c dbg --copy-to=app-copy --attach=false --cache-dir="$KD_TEST_TMP/$NS-cache-2"
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::requests_since "$from")" 2 'API requests of a copy debug'
  # node
  from=$(kd::test::audit_lines)
  kd::test::debug node/node-a --image=$IMAGE --attach=false --cache-dir="$KD_TEST_TMP/$NS-cache-3"
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::requests_since "$from")" 2 'API requests of a node debug'
  # --replace: one more, the DELETE
  from=$(kd::test::audit_lines)
  kd::test::debug app --image=$IMAGE -c dbg --copy-to=app-copy-2 --replace --attach=false --cache-dir="$KD_TEST_TMP/$NS-cache-4"
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::requests_since "$from")" 3 'API requests of a copy debug with --replace'
  # -f: no GET
  from=$(kd::test::audit_lines)
  kd::test::debug -f "$file" --image=$IMAGE -c dbg --attach=false --cache-dir="$KD_TEST_TMP/$NS-cache-5"
  kd::test::assert_success
  kd::test::assert_eq "$(kd::test::requests_since "$from")" 1 'API requests of an ephemeral debug with -f'
}

run_completion_lists_pods() {
  kd::test::new_namespace
  kd::test::create_pod app
  kd::test::create_pod web

  ### __complete lists the namespace's pods and the kinds of target, writing nothing.
  # Pre-Condition
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;web;'
  local from
  from=$(kd::test::audit_lines)
  # Command
  kd::test::debug __complete ""
  # Post-Condition: the pods first, then the kinds, then cobra's directive line
  kd::test::assert_success
  kd::test::assert_eq "$(head -n 3 <<<"$DEBUG_OUT")" $'app\nweb\nnode/' 'completions'
  kd::test::assert_eq "$(kd::test::audited_since "$from" | grep -c -E '"verb":"(create|update|patch|delete)"' || true)" 0 'writes'
  # Command: -c lists the chosen pod's containers
  kd::test::debug __complete app -c ""
  # Post-Condition
  kd::test::assert_eq "$(head -n 1 <<<"$DEBUG_OUT")" 'main' 'container completions'
}

run_completion_cp_through_kubectl() {
  kd::test::new_namespace
  kd::test::create_pod app
  kd::test::create_pod web
  # kubectl finds the plugins and their completion programs on PATH.
  local plugins=$KD_ROOT/_output/bin out

  ### kubectl completes `kubectl debugger cp` through kubectl_complete-debugger-cp: the
  ### namespace's pods, ready for a path in them, then the containers a copy can target.
  # Pre-Condition
  kd::test::get_object_assert pods '{{range .items}}{{.metadata.name}};{{end}}' 'app;web;'
  # Command
  out=$(PATH=$plugins:$PATH "$KD_BIN/kubectl" __complete debugger cp -n "$NS" "" 2>/dev/null)
  # Post-Condition: cobra's directive 2 is "no space after the completion"
  kd::test::assert_eq "$out" $'app:\nweb:\n:2' 'cp completions'
  # Command
  out=$(PATH=$plugins:$PATH "$KD_BIN/kubectl" __complete debugger cp -n "$NS" app:/etc/hosts ./hosts -c "" 2>/dev/null)
  # Post-Condition: directive 4 is "no file completion"
  kd::test::assert_eq "$out" $'main\n:4' 'cp container completions'
}

run_pod_security_poisoned_pod() {
  kd::test::new_namespace
  kd::test::create_pod app
  local names='{{range .spec.ephemeralContainers}}{{.name}};{{end}}'

  ### A pod holding a privileged debug container from before the namespace enforced
  ### baseline refuses every new one: the error names the old one and suggests a copy.
  # Pre-Condition: sysadmin accepted while nothing is enforced, then baseline enforced
  kd::test::debug app --image=$IMAGE -c old --profile=sysadmin --attach=false
  kd::test::assert_success
  kubectl label namespace "$NS" pod-security.kubernetes.io/enforce=baseline >/dev/null 2>&1
  kd::test::get_object_assert pod/app "$names" 'old;'
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --profile=baseline --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'Error from server (Forbidden): adding debug container "dbg" to pod "app": pods "app" is forbidden: violates PodSecurity "baseline:latest": privileged (container "old" must not set securityContext.privileged=true); pod "app" already holds ephemeral containers that break this policy ("old"), which cannot be removed, so every new one is refused: debug a copy of the pod instead, with --copy-to' stderr
  kd::test::get_object_assert pod/app "$names" 'old;'

  ### The copy it suggests is admitted: it keeps no ephemeral container.
  # Command
  kd::test::debug app --image=$IMAGE -c dbg --profile=baseline --copy-to=app-copy --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy '{{range .spec.containers}}{{.name}};{{end}}|'"$names" 'main;dbg;|'
}

DEBUG_TOPICS=(
  run_pod_security_poisoned_pod
  run_completion_lists_pods
  run_completion_cp_through_kubectl
  run_kep_custom_supersedes_profile
  run_kep_custom_supersedes_original_pod
  run_kep_custom_adds_field
  run_kep_custom_invalid_files
  run_custom_json_and_yaml_all_modes
  run_pod_security_restricted
  run_pod_security_baseline
  run_rbac_dev_user
  run_replace
  run_non_root_warning
  run_filename_targets
  run_several_targets
  run_config_files_refused
  run_missing_targets
  run_api_request_counts
  run_target_auto
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${DEBUG_TOPICS[@]}"
fi
