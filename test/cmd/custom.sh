#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../..
# Integration tests of custom profiles beyond upstream's partial container: DebugProfile
# documents with a pod section, layered and named profiles, standard input,
# --share-volumes, and the privilege warning. Profile files live in test/cmd/testdata.
#
#   test/cmd/custom.sh [TOPIC-REGEX]
set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CUSTOM_IMAGE=busybox:1.36
TESTDATA=$KD_ROOT/test/cmd/testdata

# kd::test::debug_with_stdin FILE ARGS...: kd::test::debug, with FILE on standard input
# instead of /dev/null.
kd::test::debug_with_stdin() {
  KD_TEST_STDIN=$1 kd::test::debug "${@:2}"
}

# kd::test::create_pod_with_volumes NAME: a pod whose container main mounts an emptyDir
# at /data and one file of a ConfigMap through a subPath, and whose container sidecar
# mounts /cache. No service account token, whose volume name is random.
kd::test::create_pod_with_volumes() {
  kubectl create -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  nodeName: node-a
  automountServiceAccountToken: false
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: config, mountPath: /etc/app/app.conf, subPath: app.conf}
  - name: sidecar
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: cache, mountPath: /cache}
  volumes:
  - {name: data, emptyDir: {}}
  - {name: cache, emptyDir: {}}
  - {name: config, configMap: {name: app-config}}
EOF
}

run_custom_node_pull_secret_toleration() {
  kd::test::new_namespace
  kd::test::ensure_node_a

  ### A node debugger gets a pull secret and one more toleration, and still tolerates
  ### every taint.
  # Pre-Condition: no pods yet
  kd::test::get_object_assert pods '{{len .items}}' '0'
  # Command
  kd::test::debug node/node-a --image=$CUSTOM_IMAGE -c dbg --custom="$TESTDATA/node-pull-secret.yaml" --attach=false
  # Post-Condition: operator Exists first, the profile's toleration after it
  kd::test::assert_success
  kd::test::get_object_assert pods '{{range .items}}{{.spec.nodeName}}:{{range .spec.imagePullSecrets}}{{.name}}{{end}};{{end}}' 'node-a:registry-cred;'
  kd::test::get_object_assert pods 'jsonpath={range .items[*].spec.tolerations[*]}{.operator}/{.key}={.value}:{.effect};{end}' \
    'Exists/=:;Equal/dedicated=debug:NoSchedule;'
  kd::test::get_object_assert pods '{{range .items}}{{range .spec.containers}}{{.name}} {{.image}};{{end}}{{end}}' "dbg $CUSTOM_IMAGE;"
}

run_custom_copy_pod_section() {
  kd::test::new_namespace
  kd::test::create_pod app

  ### A copy gets extra labels, a nodeSelector and a volume its debug container mounts.
  # Pre-Condition: the pod has only its own label, no nodeSelector, no volume "scratch"
  kd::test::get_object_assert pod/app 'jsonpath={.metadata.labels}' '{"app":"app"}'
  kd::test::get_object_assert pod/app '{{.spec.nodeSelector}}' '<no value>'
  kd::test::get_object_assert pod/app 'jsonpath={.spec.volumes[?(@.name=="scratch")].name}' ''
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --copy-to=app-copy --custom="$TESTDATA/copy-scratch.yaml" --attach=false
  # Post-Condition: the general profile drops the copied labels; the profile's are
  # added (a detached copy carries no debugging mark, as in kubectl)
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy 'jsonpath={.metadata.labels}' \
    '{"debug.example.com/incident":"inc-42","team":"sre"}'
  kd::test::get_object_assert pod/app-copy 'jsonpath={.spec.nodeSelector}' '{"disk":"ssd"}'
  kd::test::get_object_assert pod/app-copy 'jsonpath={.spec.volumes[?(@.name=="scratch")].emptyDir}' '{}'
  kd::test::get_object_assert pod/app-copy 'jsonpath={.spec.containers[?(@.name=="dbg")].volumeMounts[?(@.name=="scratch")].mountPath}' '/scratch'
  # the app container does not get the mount, and the original is untouched
  kd::test::get_object_assert pod/app-copy 'jsonpath={.spec.containers[?(@.name=="main")].volumeMounts[?(@.name=="scratch")].mountPath}' ''
  kd::test::get_object_assert pod/app 'jsonpath={.metadata.labels}' '{"app":"app"}'
}

run_custom_kep_story2_netadmin_hostpath() {
  kd::test::new_namespace
  kd::test::ensure_node_a

  ### KEP-4292 story 2: netadmin on a node, with a hostPath volume mounted.
  # Pre-Condition: no pods yet
  kd::test::get_object_assert pods '{{len .items}}' '0'
  # Command
  kd::test::debug node/node-a --image=$CUSTOM_IMAGE -c dbg --profile=netadmin --custom="$TESTDATA/netns-hostpath.yaml" --attach=false
  # Post-Condition: the profile's capabilities and host network, plus the volume and mount
  kd::test::assert_success
  kd::test::get_object_assert pods 'jsonpath={.items[0].spec.containers[?(@.name=="dbg")].securityContext.capabilities.add}' '["NET_ADMIN","NET_RAW"]'
  kd::test::get_object_assert pods '{{range .items}}{{.spec.hostNetwork}} {{.spec.hostPID}};{{end}}' 'true true;'
  kd::test::get_object_assert pods 'jsonpath={.items[0].spec.volumes[?(@.name=="netns")].hostPath}' '{"path":"/run/netns","type":"Directory"}'
  kd::test::get_object_assert pods 'jsonpath={.items[0].spec.containers[?(@.name=="dbg")].volumeMounts[?(@.name=="netns")]}' \
    '{"mountPath":"/run/netns","name":"netns","readOnly":true}'
  # a hostPath volume is more than netadmin grants on its own, so the user is told
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'Warning: --custom makes the debug pod more privileged than --profile=netadmin: volume "netns": hostPath /run/netns' stderr
}

run_custom_layered_files() {
  kd::test::new_namespace
  kd::test::create_pod app
  local envs='{{range .env}}{{.name}}={{.value}};{{end}}'

  ### Files apply in the order given: the later one wins for the same name, and both
  ### contribute the names only they set.
  # Pre-Condition: no ephemeral containers
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command: the team's profile, then a personal one
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --custom="$TESTDATA/team-sre.yaml" --custom="$TESTDATA/personal.json" --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app "{{range .spec.ephemeralContainers}}{{.name}}:$envs{{end}}" 'dbg:TEAM=sre;LOG_LEVEL=debug;EDITOR=vi;'

  ### The other way round the team's value wins.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg2 --custom="$TESTDATA/personal.json" --custom="$TESTDATA/team-sre.yaml" --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app 'jsonpath={.spec.ephemeralContainers[?(@.name=="dbg2")].env[?(@.name=="LOG_LEVEL")].value}' 'info'
  kd::test::get_object_assert pod/app 'jsonpath={.spec.ephemeralContainers[?(@.name=="dbg2")].env[*].name}' 'TEAM LOG_LEVEL EDITOR'
}

run_custom_named_profile() {
  kd::test::new_namespace
  kd::test::create_pod app
  local profiles=$KD_TEST_TMP/$NS-profiles
  mkdir -p "$profiles"
  cp "$TESTDATA/team-sre.yaml" "$profiles/sre.yaml"

  ### A bare name is looked up in $KUBECTL_DEBUGGER_PROFILES.
  # Pre-Condition: no file called sre where the command runs
  kd::test::assert_eq "$([[ -e sre ]] && echo exists || echo absent)" absent './sre'
  # Command
  KUBECTL_DEBUGGER_PROFILES=$profiles kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --custom=sre --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{range .env}}{{.name}}={{.value}};{{end}}{{end}}' 'dbg:TEAM=sre;LOG_LEVEL=info;'

  ### A name found nowhere is refused, listing every path tried; nothing changes.
  # Command
  KUBECTL_DEBUGGER_PROFILES=$profiles kd::test::debug app --image=$CUSTOM_IMAGE -c dbg2 --custom=nope --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" "--custom nope: no such file, and no named profile \"nope\": tried nope, $profiles/nope.yaml, $profiles/nope.yml, $profiles/nope.json" stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg;'

  ### A named profile that is there but is no file says what it is instead; a FIFO is
  ### never opened, so nothing waits for a writer. Nothing changes.
  mkdir "$profiles/folder.yaml"
  mkfifo "$profiles/pipe.yml"
  # Command
  KUBECTL_DEBUGGER_PROFILES=$profiles kd::test::debug app --image=$CUSTOM_IMAGE -c dbg2 --custom=folder --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_ERR" "error: --custom folder: $profiles/folder.yaml is a directory" stderr
  # Command
  KUBECTL_DEBUGGER_PROFILES=$profiles kd::test::debug app --image=$CUSTOM_IMAGE -c dbg2 --custom=pipe --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_line_prefix "$DEBUG_ERR" "error: --custom pipe: $profiles/pipe.yml is not a regular file" stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg;'
}

run_custom_stdin() {
  kd::test::new_namespace
  kd::test::create_pod app
  kd::test::ensure_node_a

  ### --custom=- reads the profile from standard input.
  # Pre-Condition: no ephemeral containers
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::test::debug_with_stdin "$TESTDATA/team-sre.yaml" app --image=$CUSTOM_IMAGE -c dbg --custom=- --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{range .env}}{{.name}}={{.value}};{{end}}{{end}}' 'dbg:TEAM=sre;LOG_LEVEL=info;'

  ### A profile document on standard input works too, here for a node.
  # Command
  kd::test::debug_with_stdin "$TESTDATA/node-pull-secret.yaml" node/node-a --image=$CUSTOM_IMAGE -c dbg --custom=- --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pods '{{range .items}}{{range .spec.imagePullSecrets}}{{.name}};{{end}}{{end}}' \
    'registry-cred;' -l app.kubernetes.io/managed-by=kubectl-debug

  ### Refused with -i, which gives standard input to the debug container; nothing changes.
  # Command
  kd::test::debug_with_stdin "$TESTDATA/team-sre.yaml" app --image=$CUSTOM_IMAGE -c dbg2 --custom=- -i --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" '--custom=- reads standard input, which -i/--stdin gives to the debug container' stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg;'
}

run_custom_share_volumes_ephemeral() {
  kd::test::new_namespace
  kd::test::create_pod_with_volumes app
  local mounts='{{range .volumeMounts}}{{.name}}:{{.mountPath}};{{end}}'

  ### The --target container's mounts, except the subPath one the API forbids on an
  ### ephemeral container, which is left out with a warning.
  # Pre-Condition: main mounts data and a subPath of config
  kd::test::get_object_assert pod/app "{{range .spec.containers}}{{if eq .name \"main\"}}$mounts{{end}}{{end}}" 'data:/data;config:/etc/app/app.conf;'
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --target=main --share-volumes --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app "{{range .spec.ephemeralContainers}}{{.name}}:$mounts{{end}}" 'dbg:data:/data;'
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'Warning: --share-volumes: leaving out volume "config" at /etc/app/app.conf: ephemeral containers cannot mount a subPath' stderr

  ### A named container's mounts.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg2 --share-volumes=sidecar --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app "{{range .spec.ephemeralContainers}}{{.name}}:$mounts{{end}}" 'dbg:data:/data;dbg2:cache:/cache;'
  kd::test::if_has_not_string "$DEBUG_ERR" 'Warning' stderr

  ### With two containers and neither a name nor --target it asks which; nothing changes.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg3 --share-volumes --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" '--share-volumes: pod "app" has 2 containers; name the one whose volumes to share, e.g. --share-volumes=main' stderr
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' 'dbg;dbg2;'
}

run_custom_share_volumes_bare_before_target() {
  kd::test::new_namespace
  kd::test::create_pod_with_volumes app
  kd::test::create_pod sidecar
  local debugged='{{range .items}}{{.metadata.name}}:{{range .spec.ephemeralContainers}}{{.name}}{{end}};{{end}}'

  ### A word after a bare --share-volumes is refused, not debugged as one more target:
  ### here the user means app's container sidecar, and pod sidecar stays as it is.
  # Pre-Condition: app has a container sidecar, and a pod is called sidecar too
  kd::test::get_object_assert pod/app '{{range .spec.containers}}{{.name}};{{end}}' 'main;sidecar;'
  kd::test::get_object_assert pods "$debugged" 'app:;sidecar:;'
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --target=main --share-volumes sidecar --attach=false
  # Post-Condition: the error and the hint, nothing on stdout, neither pod changed
  kd::test::assert_failure
  kd::test::assert_eq "$DEBUG_ERR" 'error: --share-volumes takes a container only as --share-volumes=NAME, so "sidecar" after it would be a target to debug: write --share-volumes=sidecar, or name the targets before --share-volumes'$'\n'"See 'kubectl debugger -h' for help and examples." stderr
  kd::test::assert_eq "$DEBUG_OUT" '' stdout
  kd::test::get_object_assert pods "$debugged" 'app:;sidecar:;'

  ### Completion after the bare flag offers the flag with each container, no pod.
  # Command
  kd::test::debug __complete app --share-volumes ""
  # Post-Condition
  kd::test::assert_success
  kd::test::assert_eq "$DEBUG_OUT" $'--share-volumes=main\n--share-volumes=sidecar\n:4' 'completions'

  ### As the message says: the container after "=", and only app is debugged.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --target=main --share-volumes=sidecar --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pods "$debugged" 'app:dbg;sidecar:;'
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{range .volumeMounts}}{{.name}}:{{.mountPath}};{{end}}{{end}}' 'cache:/cache;'
}

run_custom_share_volumes_copy() {
  kd::test::new_namespace
  kd::test::create_pod_with_volumes app

  ### In a copy the debug container gets every mount, the subPath one included.
  # Pre-Condition: in jsonpath, since a go-template prints a missing subPath as <no value>
  kd::test::get_object_assert pod/app 'jsonpath={range .spec.containers[?(@.name=="main")].volumeMounts[*]}{.name}:{.mountPath}:{.subPath};{end}' \
    'data:/data:;config:/etc/app/app.conf:app.conf;'
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --copy-to=app-copy --share-volumes=main --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy 'jsonpath={range .spec.containers[?(@.name=="dbg")].volumeMounts[*]}{.name}:{.mountPath}:{.subPath};{end}' \
    'data:/data:;config:/etc/app/app.conf:app.conf;'
  kd::test::if_has_not_string "$DEBUG_ERR" 'Warning' stderr

  ### A custom profile adds to the shared mounts.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --copy-to=app-copy-2 --share-volumes=sidecar --custom="$TESTDATA/copy-scratch.yaml" --attach=false
  # Post-Condition: the profile's mount first, as a strategic merge puts the entries of
  # the patch before those it does not mention
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy-2 'jsonpath={.spec.containers[?(@.name=="dbg")].volumeMounts[*].mountPath}' '/scratch /cache'

  ### A custom profile overrides a shared mount by its mount path.
  local readonly=$KD_TEST_TMP/$NS-readonly.yaml
  printf '%s\n' 'volumeMounts: [{name: data, mountPath: /data, readOnly: true}]' >"$readonly"
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --copy-to=app-copy-3 --share-volumes=main --custom="$readonly" --attach=false
  # Post-Condition: /data read-only, the other mount as shared
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy-3 'jsonpath={range .spec.containers[?(@.name=="dbg")].volumeMounts[*]}{.mountPath}:{.readOnly};{end}' \
    '/data:true;/etc/app/app.conf:;'
}

run_custom_ephemeral_pod_refusal() {
  kd::test::new_namespace
  kd::test::create_pod app

  ### A pod section cannot apply to an ephemeral container: refused before any write,
  ### pointing to --copy-to.
  # Pre-Condition
  local rv
  rv=$(kd::test::pod_field app '{.metadata.resourceVersion}')
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --custom="$TESTDATA/pod-labels.yaml" --attach=false
  # Post-Condition
  kd::test::assert_failure
  kd::test::if_has_string "$DEBUG_ERR" "--custom $TESTDATA/pod-labels.yaml: field \"pod\": an ephemeral container cannot change its pod; use --copy-to to debug a copy with these pod settings" stderr
  kd::test::get_object_assert pod/app '{{.metadata.resourceVersion}}:{{range .spec.ephemeralContainers}}{{.name}};{{end}}' "$rv:"

  ### The same file with --copy-to, as the message says, works.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --copy-to=app-copy --custom="$TESTDATA/pod-labels.yaml" --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::get_object_assert pod/app-copy 'jsonpath={.metadata.labels}' '{"team":"sre"}'
}

run_custom_privilege_warning() {
  kd::test::new_namespace
  kd::test::create_pod app
  local warning='Warning: --custom makes the debug pod more privileged than --profile=baseline: securityContext.privileged: true; securityContext.capabilities.add: SYS_ADMIN'

  ### A custom file that raises privileges over the profile: one warning naming each field.
  # Pre-Condition: no ephemeral containers
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}};{{end}}' ''
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --profile=baseline --custom="$TESTDATA/privileged.yaml" --attach=false
  # Post-Condition: a warning, not a refusal
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_ERR" "$warning" stderr
  kd::test::assert_eq "$(grep -c '^Warning: --custom' <<<"$DEBUG_ERR")" 1 'privilege warnings'
  kd::test::get_object_assert pod/app '{{range .spec.ephemeralContainers}}{{.name}}:{{.securityContext.privileged}};{{end}}' 'dbg:true;'

  ### -q hides notices, not this warning.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg2 --profile=baseline --custom="$TESTDATA/privileged.yaml" -q --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_ERR" "$warning" stderr

  ### The same in copy mode.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --copy-to=app-copy --profile=baseline --custom="$TESTDATA/privileged.yaml" --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_ERR" "$warning" stderr

  ### A pod section that grants a host port, a root group, a sysctl, another service
  ### account and its token: each named in the one warning, and the copy has them.
  kubectl create serviceaccount admin -n "$NS" >/dev/null
  local grants=$KD_TEST_TMP/$NS-grants.yaml
  cat >"$grants" <<'PROFILE'
apiVersion: debugger.kubectl-debugger.github.io/v1alpha1
kind: DebugProfile
container:
  ports: [{containerPort: 8080, hostPort: 8080}]
pod:
  spec:
    serviceAccountName: admin
    automountServiceAccountToken: true
    securityContext:
      fsGroup: 0
      sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]
PROFILE
  # Pre-Condition: app runs as the namespace's default service account
  kd::test::get_object_assert pod/app '{{.spec.serviceAccountName}}' 'default'
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg --copy-to=app-grants --profile=baseline --custom="$grants" --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_line_prefix "$DEBUG_ERR" 'Warning: --custom makes the debug pod more privileged than --profile=baseline: ports[0].hostPort: 8080; spec.securityContext.fsGroup: 0; spec.securityContext.sysctls: net.ipv4.ip_unprivileged_port_start=0; automountServiceAccountToken: true; serviceAccountName: admin' stderr
  kd::test::get_object_assert pod/app-grants '{{.spec.serviceAccountName}} {{.spec.automountServiceAccountToken}} {{.spec.securityContext.fsGroup}}' 'admin true 0'

  ### A custom file that grants nothing more: no warning.
  # Command
  kd::test::debug app --image=$CUSTOM_IMAGE -c dbg3 --profile=baseline --custom="$TESTDATA/team-sre.yaml" --attach=false
  # Post-Condition
  kd::test::assert_success
  kd::test::if_has_not_string "$DEBUG_ERR" 'more privileged' stderr
}

CUSTOM_TOPICS=(
  run_custom_node_pull_secret_toleration
  run_custom_copy_pod_section
  run_custom_kep_story2_netadmin_hostpath
  run_custom_layered_files
  run_custom_named_profile
  run_custom_stdin
  run_custom_share_volumes_ephemeral
  run_custom_share_volumes_bare_before_target
  run_custom_share_volumes_copy
  run_custom_ephemeral_pod_refusal
  run_custom_privilege_warning
)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  kd::test::standalone "${1:-}" "${CUSTOM_TOPICS[@]}"
fi
