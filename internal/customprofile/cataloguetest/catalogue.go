// Package cataloguetest holds the catalogue of custom profiles the command must refuse,
// each with its exact message, for the tests of the profile package and of the command
// (which runs each one in every mode).
package cataloguetest

import "github.com/kubectl-debugger/kubectl-debugger/pkg/apis/debugprofile/v1alpha1"

// Input is a plain-form file, its content, and the exact error it gets.
type Input struct {
	File, Content, Want string
}

// Document is a profile document, named for the test, and the exact error it gets as
// p.yaml.
type Document struct {
	Name, Content, Want string
}

// Containers are plain-form documents refused with exactly these messages.
var Containers = []Input{
	{"empty.yaml", "", `--custom empty.yaml: the file is empty: a custom profile is a partial container spec such as {"env": [...]}`},
	{"comments.yaml", "# nothing here\n", `--custom comments.yaml: the document is null, but a custom profile must be an object: a partial container spec`},
	{"blank.json", "  \n\t\n", `--custom blank.json: the file is empty: a custom profile is a partial container spec such as {"env": [...]}`},
	{"empty-object.json", "{}", `--custom empty-object.json: the document is empty: a custom profile is a partial container spec such as {"env": [...]}`},
	{"bad.json", `{"env": [{"name": "A", "value": "b"}` + "\n", `--custom bad.json: invalid JSON at line 1, column 37: unexpected end of input`},
	{"comma.json", "{\n  \"env\": [],\n}\n", `--custom comma.json: invalid JSON at line 3, column 1: invalid character '}' looking for beginning of object key string`},
	{"two.json", `{"env": []} {"args": []}`, `--custom two.json: more than one JSON document: a custom profile is a single object`},
	{"dup.json", `{"stdin": true, "stdin": false}`, `--custom dup.json: duplicate field "stdin"`},
	{"list.json", `[{"name": "x"}]`, `--custom list.json: the document is a list, but a custom profile must be an object: a partial container spec`},
	{"string.yaml", "just a string\n", `--custom string.yaml: the document is a string, but a custom profile must be an object: a partial container spec`},
	{"bad.yaml", "env:\n- name: A\n  value: [\n", `--custom bad.yaml: invalid YAML: line 3: did not find expected node content`},
	{"indent.yaml", "stdin: true\n tty: true\n", `--custom indent.yaml: invalid YAML: line 2: mapping values are not allowed in this context`},
	{"dup.yaml", "stdin: true\nstdin: false\n", `--custom dup.yaml: invalid YAML: line 2: key "stdin" already set in map`},
	{"two.yaml", "stdin: true\n---\ntty: true\n", `--custom two.yaml: more than one YAML document (a second one starts at line 2): a custom profile is a single object`},
	{"second-bad.yaml", "---\nstdin: true\n---\ntty: [\n", `--custom second-bad.yaml: invalid YAML: line 4: did not find expected node content`},
	{"typo.yaml", "enviroment:\n- name: A\n  value: b\n", `--custom typo.yaml: unknown field "enviroment"`},
	{"deep.yaml", "env:\n- name: A\n  valu: b\n", `--custom deep.yaml: unknown field "env[0].valu"`},
	{"deeper.json", `{"securityContext": {"capabilities": {"ad": ["NET_ADMIN"]}}}`, `--custom deeper.json: unknown field "securityContext.capabilities.ad"`},
	{"type.json", `{"stdin": "yes"}`, `--custom type.json: field "stdin": expected true or false, got a string "yes"`},
	{"type-list.json", `{"env": {"name": "A"}}`, `--custom type-list.json: field "env": expected a list, got an object {"name":"A"}`},
	{"type-deep.yaml", "env:\n- name: A\n  value: 1\n", `--custom type-deep.yaml: field "env[0].value": expected a string, got a number 1`},
	{"type-caps.json", `{"securityContext": {"capabilities": {"add": "NET_ADMIN"}}}`, `--custom type-caps.json: field "securityContext.capabilities.add": expected a list, got a string "NET_ADMIN"`},
	{"int.json", `{"securityContext": {"runAsUser": 1.5}}`, `--custom int.json: field "securityContext.runAsUser": 1.5 is not a 64-bit integer`},
	{"quantity.json", `{"resources": {"limits": {"cpu": "lots"}}}`, `--custom quantity.json: field "resources.limits.cpu": invalid value "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
	{"image.yaml", "image: evil:latest\n", `--custom image.yaml: field "image" cannot be set by a custom profile: the image comes from --image`},
	{"command.json", `{"command": ["sh"]}`, `--custom command.json: field "command" cannot be set by a custom profile: the command comes from the arguments after --`},
	{"name.json", `{"name": "x"}`, `--custom name.json: field "name" cannot be set by a custom profile: the container name comes from -c/--container`},
	{"lifecycle.json", `{"lifecycle": {}}`, `--custom lifecycle.json: field "lifecycle" cannot be set by a custom profile: lifecycle hooks are not supported on debug containers`},
	{"devices.json", `{"volumeDevices": []}`, `--custom devices.json: field "volumeDevices" cannot be set by a custom profile: volume devices are not supported on debug containers`},
	{"patch.json", `{"env": [{"$patch": "remove", "name": "A"}]}`, `--custom patch.json: field "env[0].$patch": invalid $patch value "remove": must be replace or delete`},
	{"directive.json", `{"$bogus": 1}`, `--custom directive.json: field "$bogus": unknown patch directive "$bogus"`},
	{"retain.json", `{"securityContext": {"$retainKeys": ["nope"]}}`, `--custom retain.json: field "securityContext.$retainKeys": "nope" is not a field here`},
	{"order.json", `{"$setElementOrder/stdin": []}`, `--custom order.json: field "$setElementOrder/stdin": "stdin" is not a list field here`},
	{"order-type.yaml", "$setElementOrder/args: [{x: 1}]\n", `--custom order-type.yaml: field "$setElementOrder/args[0]": expected a string, got an object {"x":1}`},
	{"order-keyed.yaml", "$setElementOrder/env: [A]\n", `--custom order-keyed.yaml: field "$setElementOrder/env[0]": expected an object, got a string "A"`},
	{"order-null.yaml", "$setElementOrder/args: [null]\n", `--custom order-null.yaml: field "$setElementOrder/args[0]": null in an order or delete list`},
	{"delete-keyed.yaml", "$deleteFromPrimitiveList/env: [{name: A}]\n", `--custom delete-keyed.yaml: field "$deleteFromPrimitiveList/env": "env" is a list of objects; delete entries with $patch: delete`},
	{"bin.yaml", "\x00\x01\x02\xff\xfe", `--custom bin.yaml: the file is not text: a custom profile is a JSON or YAML document`},
	{"image.png", "\x89PNG\r\n\x1a\n\x00\x00", `--custom image.png: the file is not text: a custom profile is a JSON or YAML document`},
	{"tab.yaml", "env:\n\t- name: A\n", `--custom tab.yaml: invalid YAML: line 2: found character that cannot start any token`},
	{"selinux.json", `{"securityContext": {"seLinuxOptions": {"level": 5}}}`, `--custom selinux.json: field "securityContext.seLinuxOptions.level": expected a string, got a number 5`},
	{"env-no-name.yaml", "env: [{value: x}]\n", `--custom env-no-name.yaml: field "env[0].name": required: the entries of env are merged by name`},
	{"mount-no-path.yaml", "volumeMounts: [{name: data}]\n", `--custom mount-no-path.yaml: field "volumeMounts[0].mountPath": required: the entries of volumeMounts are merged by mountPath`},
	{"port-no-number.yaml", "ports: [{name: http}]\n", `--custom port-no-number.yaml: field "ports[0].containerPort": required: the entries of ports are merged by containerPort`},
	{"env-deep-no-name.json", `{"env": [{"name": "A"}, {"name": ""}]}`, `--custom env-deep-no-name.json: field "env[1].name": required: the entries of env are merged by name`},
	{"delete-no-name.yaml", "env: [{$patch: delete}]\n", `--custom delete-no-name.yaml: field "env[0].name": required: the entries of env are merged by name`},
	{"null-env.yaml", "env: [null]\n", `--custom null-env.yaml: field "env[0]": null in a list`},
	{"null-cap.yaml", "securityContext: {capabilities: {add: [NET_ADMIN, null]}}\n", `--custom null-cap.yaml: field "securityContext.capabilities.add[1]": null in a list`},
	{"order-missing.yaml", "env: [{name: A}, {name: B}]\n$setElementOrder/env: [{name: A}]\n", `--custom order-missing.yaml: field "$setElementOrder/env": name "B" (env[1]) is not in the order list`},
	{"order-no-key.yaml", "env: [{name: A}]\n$setElementOrder/env: [{value: A}]\n", `--custom order-no-key.yaml: field "$setElementOrder/env[0].name": required: an order list names each entry by name`},
	{"trailing.yaml", "{\"env\": []} trailing\n", `--custom trailing.yaml: invalid YAML: content after the end of the document that starts at line 1`},
	{"two-objects.yaml", "{\"env\": []}\n{\"stdin\": true}\n", `--custom two-objects.yaml: invalid YAML: content after the end of the document that starts at line 1`},
	{"port.yaml", "livenessProbe: {httpGet: {port: [80]}}\n", `--custom port.yaml: field "livenessProbe.httpGet.port": invalid value [80]: json: cannot unmarshal array into Go value of type int32`},
}

// DocHead starts every profile document.
const DocHead = "apiVersion: " + v1alpha1.APIVersion + "\nkind: " + v1alpha1.Kind + "\n"

// Documents are profile documents refused with exactly these messages, for a file
// called p.yaml.
var Documents = []Document{
	{"wrong kind", "apiVersion: v1\nkind: Pod\n", `--custom p.yaml: apiVersion "v1" and kind "Pod": a profile document has apiVersion ` + v1alpha1.APIVersion + ` and kind DebugProfile`},
	{"no section", DocHead, `--custom p.yaml: the profile document has neither a container nor a pod section: there is nothing to apply`},
	{"unknown section", DocHead + "spec: {}\n", `--custom p.yaml: unknown field "spec": a profile document has apiVersion, kind, container and pod`},
	{"container not an object", DocHead + "container: [1]\n", `--custom p.yaml: field "container": expected an object, got a list [1]`},
	{"container typo", DocHead + "container: {enviroment: []}\n", `--custom p.yaml: unknown field "container.enviroment"`},
	{"container type", DocHead + "container: {env: [{name: A, value: 1}]}\n", `--custom p.yaml: field "container.env[0].value": expected a string, got a number 1`},
	{"container image", DocHead + "container: {image: x}\n", `--custom p.yaml: field "container.image" cannot be set by a custom profile: the image comes from --image`},
	{"pod containers", DocHead + "pod: {spec: {containers: []}}\n", `--custom p.yaml: field "pod.spec.containers" cannot be set by a custom profile: containers come from the target pod; use the container section for the debug container`},
	{"pod init containers", DocHead + "pod: {spec: {initContainers: []}}\n", `--custom p.yaml: field "pod.spec.initContainers" cannot be set by a custom profile: init containers come from the target pod`},
	{"pod ephemeral containers", DocHead + "pod: {spec: {ephemeralContainers: []}}\n", `--custom p.yaml: field "pod.spec.ephemeralContainers" cannot be set by a custom profile: ephemeral containers cannot be created with a pod`},
	{"pod node name", DocHead + "pod: {spec: {nodeName: n}}\n", `--custom p.yaml: field "pod.spec.nodeName" cannot be set by a custom profile: the node comes from the target; use --same-node or debug the node itself`},
	{"pod name", DocHead + "pod: {metadata: {name: x}}\n", `--custom p.yaml: field "pod.metadata.name" cannot be set by a custom profile: the pod name comes from --copy-to or is generated`},
	{"pod namespace", DocHead + "pod: {metadata: {namespace: x}}\n", `--custom p.yaml: field "pod.metadata.namespace" cannot be set by a custom profile: the namespace comes from the target or -n/--namespace`},
	{"pod metadata typo", DocHead + "pod: {metadata: {label: {a: b}}}\n", `--custom p.yaml: unknown field "pod.metadata.label"`},
	{"pod spec typo", DocHead + "pod: {spec: {tolerations: [{keyy: a}]}}\n", `--custom p.yaml: unknown field "pod.spec.tolerations[0].keyy"`},
	{"pod spec type", DocHead + "pod: {spec: {hostPID: yes please}}\n", `--custom p.yaml: field "pod.spec.hostPID": expected true or false, got a string "yes please"`},
	{"replace whole container", `{"$patch": "replace", "env": []}`, `--custom p.yaml: field "$patch": a custom profile cannot replace or delete the whole container, nor fields the flags set`},
	{"retain keys at top", `{"$retainKeys": ["env"], "env": []}`, `--custom p.yaml: field "$retainKeys": a custom profile cannot replace or delete the whole container, nor fields the flags set`},
	{"delete from command", `{"$deleteFromPrimitiveList/command": ["sh"]}`, `--custom p.yaml: field "$deleteFromPrimitiveList/command": the command comes from the arguments after --`},
	{"null spec", DocHead + "pod: {spec: null}\n", `--custom p.yaml: field "pod.spec": expected an object, got null`},
	{"null metadata", DocHead + "pod: {metadata: null}\n", `--custom p.yaml: field "pod.metadata": expected an object, got null`},
	{"null labels", DocHead + "pod: {metadata: {labels: null}}\n", `--custom p.yaml: field "pod.metadata.labels": expected an object, got null`},
	{"replace labels", DocHead + "pod: {metadata: {labels: {$patch: replace, x: v}}}\n", `--custom p.yaml: field "pod.metadata.labels.$patch": a custom profile adds labels, it cannot remove any`},
	{"delete a label", DocHead + "pod: {metadata: {labels: {app.kubernetes.io/managed-by: null}}}\n", `--custom p.yaml: field "pod.metadata.labels.app.kubernetes.io/managed-by": a custom profile adds labels, it cannot remove any`},
	{"delete an annotation", DocHead + "pod: {metadata: {annotations: {a: null}}}\n", `--custom p.yaml: field "pod.metadata.annotations.a": a custom profile adds annotations, it cannot remove any`},
	{"toleration directive", DocHead + "pod: {spec: {tolerations: [{$patch: replace}, {key: gpu, operator: Exists}]}}\n", `--custom p.yaml: field "pod.spec.tolerations[0].$patch": tolerations are appended; directives do not apply to them`},
	{"toleration order", DocHead + "pod: {spec: {$setElementOrder/tolerations: [{operator: Exists}]}}\n", `--custom p.yaml: field "pod.spec.$setElementOrder/tolerations": tolerations are appended, never reordered`},
	{"volume without a name", DocHead + "pod: {spec: {volumes: [{emptyDir: {}}]}}\n", `--custom p.yaml: field "pod.spec.volumes[0].name": required: the entries of volumes are merged by name`},
	{"null toleration", DocHead + "pod: {spec: {tolerations: [null]}}\n", `--custom p.yaml: field "pod.spec.tolerations[0]": null in a list`},
	{"null volume", DocHead + "pod: {spec: {volumes: [{name: a, emptyDir: {}}, null]}}\n", `--custom p.yaml: field "pod.spec.volumes[1]": null in a list`},
	{"null tolerations", DocHead + "pod: {spec: {tolerations: null}}\n", `--custom p.yaml: field "pod.spec.tolerations": expected a list, got null`},
	{"container order", DocHead + "pod: {spec: {$setElementOrder/containers: [{name: x}]}}\n", `--custom p.yaml: field "pod.spec.$setElementOrder/containers": containers come from the target pod; use the container section for the debug container`},
	{"replace pod spec", DocHead + "pod: {spec: {$patch: replace}}\n", `--custom p.yaml: field "pod.spec.$patch": a custom profile cannot replace or delete the whole pod spec, nor fields the flags set`},
}
