package strictdoc

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// CheckObject accepts and refuses the containers that sigs.k8s.io/yaml's strict
// decoding into the Go type accepts and refuses. It walks the decoded document instead
// of decoding into the type for what decoding cannot do, the deliberate differences,
// checked here with what CheckObject says instead:
//   - every error names the field's whole path with list indexes;
//   - a null entry in a list, and a keyed list entry without its merge key, are
//     refused, where decoding takes a zero value;
//   - with Check (a patch), strategic merge directives are known fields.
func TestCheckObjectMatchesLibrary(t *testing.T) {
	container := reflect.TypeFor[corev1.Container]()
	same := []string{
		"name: dbg\nimage: busybox\nstdin: true\n",
		"name: dbg\nimgae: busybox\n",
		"name: dbg\nstdin: yes please\n",
		"name: dbg\nresources: {limits: {cpu: 100m, memory: 1Gi}}\n",
		"name: dbg\nresources: {limits: {cpu: lots}}\n",
		"name: dbg\nports: [{containerPort: 80, protocol: TCP}]\n",
		"name: dbg\nports: [{containerPort: 99999999999}]\n",
		"name: dbg\nports: [{containerPort: 80.5}]\n",
		"name: dbg\nlivenessProbe: {httpGet: {port: http}}\n",
		"name: dbg\nlivenessProbe: {httpGet: {port: 8080}}\n",
		"name: dbg\nlivenessProbe: {httpGet: {port: [1]}}\n",
		"name: dbg\nenv: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]\n",
		"name: dbg\nenv: [{name: A, valeu: x}]\n",
		"name: dbg\nsecurityContext: {capabilities: {add: [NET_ADMIN]}, runAsUser: 0}\n",
		"name: dbg\nsecurityContext: {runAsUser: \"0\"}\n",
		"name: dbg\ncommand: sh\n",
		"[1, 2]\n",
	}
	for _, data := range same {
		docs, err := Decode("c.yaml", []byte(data))
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		ours := CheckObject(docs[0].Value, container, "")
		theirs := yaml.UnmarshalStrict([]byte(data), &corev1.Container{})
		if (ours == nil) != (theirs == nil) {
			t.Errorf("%q: CheckObject %v, library %v", data, ours, theirs)
		}
	}

	deliberate := []struct {
		data, want string
		patch      bool
	}{
		{data: "name: dbg\nenv: [{name: A, valeu: x}]\n", want: `unknown field "env[0].valeu"`},
		{data: "name: dbg\nenv: [null]\n", want: `field "env[0]": null in a list`},
		{data: "name: dbg\nenv: [{value: x}]\n", patch: true, want: `field "env[0].name": required: the entries of env are merged by name`},
		{data: "name: dbg\nenv: [{name: A, $patch: delete}]\n", patch: true},
	}
	for _, tt := range deliberate {
		docs, err := Decode("c.yaml", []byte(tt.data))
		if err != nil {
			t.Fatalf("%q: %v", tt.data, err)
		}
		check := CheckObject
		if tt.patch {
			check = Check
		}
		if got := errorString(check(docs[0].Value, container, "")); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.data, got, tt.want)
		}
	}
}
