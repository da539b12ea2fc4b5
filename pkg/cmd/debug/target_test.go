package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		arg  string
		want target
	}{
		{"app", target{kind: kindPod, resource: "pods", name: "app", namespace: "ns"}},
		{"pod/app", target{kind: kindPod, resource: "pod", name: "app", namespace: "ns"}},
		{"pods/app", target{kind: kindPod, resource: "pods", name: "app", namespace: "ns"}},
		{"po/app", target{kind: kindPod, resource: "po", name: "app", namespace: "ns"}},
		{"pod.v1/app", target{kind: kindPod, resource: "pod.v1", name: "app", namespace: "ns"}},
		{"Pods/app", target{kind: kindPod, resource: "Pods", name: "app", namespace: "ns"}},
		{"node/n1", target{kind: kindNode, resource: "node", name: "n1"}},
		{"nodes/n1", target{kind: kindNode, resource: "nodes", name: "n1"}},
		{"no/n1", target{kind: kindNode, resource: "no", name: "n1"}},
		{"deployment/web", target{kind: kindWorkload, resource: "deployment", name: "web", namespace: "ns", workload: workloadKinds[0]}},
		{"deploy.apps/web", target{kind: kindWorkload, resource: "deploy.apps", name: "web", namespace: "ns", workload: workloadKinds[0]}},
		{"deployments.v1.apps/web", target{kind: kindWorkload, resource: "deployments.v1.apps", name: "web", namespace: "ns", workload: workloadKinds[0]}},
		{"svc/web", target{kind: kindWorkload, resource: "svc", name: "web", namespace: "ns", workload: workloadKinds[6]}},
		{"deployments.batch/web", target{kind: kindUnknown, resource: "deployments.batch", name: "web", namespace: "ns"}},
		{"configmap/web", target{kind: kindUnknown, resource: "configmap", name: "web", namespace: "ns"}},
		{"pods.v1.apps/x", target{kind: kindUnknown, resource: "pods.v1.apps", name: "x", namespace: "ns"}},
	}
	for _, tt := range tests {
		got, err := parseTarget(tt.arg, "ns")
		if err != nil {
			t.Errorf("parseTarget(%q): %v", tt.arg, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(target{}), cmp.Comparer(func(a, b *workloadKind) bool { return a == b })); diff != "" {
			t.Errorf("parseTarget(%q) (-want +got):\n%s", tt.arg, diff)
		}
	}
}

func TestDecodeTargets(t *testing.T) {
	manifest := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
- apiVersion: v1
  kind: Pod
  metadata: {name: b, namespace: other}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
`
	got, err := decodeTargets("m.yaml", []byte(manifest), "ns", false)
	if err != nil {
		t.Fatal(err)
	}
	want := []target{
		{kind: kindPod, name: "a", namespace: "ns", object: &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "ns"}}},
		{kind: kindPod, name: "b", namespace: "other", object: &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "other"}}},
		{kind: kindNode, name: "n1", object: &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: "n1"}}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(target{})); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}

	got, err = decodeTargets("d.yaml", []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n"), "ns", false)
	if err != nil {
		t.Fatal(err)
	}
	want = []target{{kind: kindWorkload, resource: "deployments", name: "web", namespace: "prod", workload: workloadKinds[0]}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(target{}), cmp.Comparer(func(a, b *workloadKind) bool { return a == b })); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// -f files are read as strictly as --custom files: every document, every item, every
// field, with the place of the mistake named.
func TestDecodeTargetsStrictly(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
	tests := []struct{ file, content, want string }{
		{"typo.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containres: []}\n", `pod "a": unknown field "spec.containres"`},
		{"dup.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a, name: b}\n", `invalid YAML: line 3: key "name" already set in map`},
		{"dup.json", `{"apiVersion": "v1", "kind": "Pod", "kind": "Pod", "metadata": {"name": "a"}}`, `duplicate field "kind"`},
		{"trailing.yaml", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}} {"x": 1}` + "\n", "invalid YAML: content after the end of the document that starts at line 1"},
		{"trailing.json", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}} [`, "invalid JSON at line 1, column 65: unexpected end of input"},
		{"type.yaml", pod + "spec: {hostPID: yes please}\n", `pod "a": field "spec.hostPID": expected true or false, got a string "yes please"`},
		{"item.yaml", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b, labelz: {}}\n",
			`items[1] (pod "b"): unknown field "metadata.labelz"`},
		{"second.yaml", pod + "---\napiVersion: v1\nkind: Node\nmetadata: {name: n1, uid: 5}\n", `document 2 (line 4): node "n1": field "metadata.uid": expected a string, got a number 5`},
		{"second.json", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}` + "\n\n  " + `{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": 5}}`,
			`document 2 (line 3): node "n1": field "metadata.uid": expected a string, got a number 5`},
		{"kind.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "v1 ConfigMap is not supported: only pods, nodes and workloads (deployment, replicaset, statefulset, daemonset, job, replicationcontroller, service) can be debugged"},
		{"nokind.yaml", "metadata: {name: c}\n", `an object needs both apiVersion and kind (found apiVersion null, kind null)`},
		{"scalar.yaml", "just words\n", "expected an object (a pod, a node, a workload or a list), got a string"},
		{"directive.yaml", pod + "spec: {$patch: replace}\n", `pod "a": unknown field "spec.$patch"`},
		{"noname.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {}\n", "pod: a pod without metadata.name"},
		{"badname.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a_b}\n", `pod "a_b": invalid metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		{"deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\n", "deployment: a deployment without metadata.name"},
		{"status.yaml", pod + "status: {phase: Running, futureField: 1}\n", ""},
	}
	for _, tt := range tests {
		_, err := decodeTargets(tt.file, []byte(tt.content), "ns", false)
		if got := errString(err); got != tt.want {
			t.Errorf("%s:\n got: %s\nwant: %s", tt.file, got, tt.want)
		}
	}
}

// Names and namespaces in -f files are checked as the server checks them, when the
// files are read: the error names the file and the field, and nothing is asked of the
// cluster.
func TestFileNamesAndNamespacesChecked(t *testing.T) {
	const (
		subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
		label     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	)
	tests := []struct{ name, content, want string }{
		{"pod namespace", "apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: a/b}\n",
			`pod "app": invalid metadata.namespace "a/b": ` + label},
		{"node name", "apiVersion: v1\nkind: Node\nmetadata: {name: Node_A/x}\n",
			`node "Node_A/x": invalid metadata.name: ` + subdomain},
		{"node name in a list", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: node-a}}\n- {apiVersion: v1, kind: Node, metadata: {name: ..}}\n",
			`items[1] (node ".."): invalid metadata.name: ` + subdomain},
		{"workload name", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Web_X}\n",
			`deployment "Web_X": invalid metadata.name: ` + subdomain},
		{"workload namespace", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: web, namespace: Prod}\n",
			`job "web": invalid metadata.namespace "Prod": ` + label},
		{"service name with a dot", "apiVersion: v1\nkind: Service\nmetadata: {name: web.x}\n",
			`service "web.x": invalid metadata.name: must not contain dots`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "objects.yaml", tt.content)
			client := fake.NewClientset()
			// Without -n, objects in other namespaces are allowed: nothing but the
			// check stops one before the preview.
			r := newHarness(t, withKubeconfigNamespace("test")).run(client, "-f", file, "--image=busybox:1.36", "--dry-run=client")
			if got, want := errString(r.err), "-f "+file+": "+tt.want; got != want {
				t.Errorf("error:\n got: %s\nwant: %s", got, want)
			}
			assertActions(t, client, nil)
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

// What the server accepts passes: a service name may start with a digit where the
// server relaxes service names, and the server says whether it does.
func TestFileNamesAccepted(t *testing.T) {
	content := "apiVersion: v1\nkind: List\nitems:\n" +
		"- {apiVersion: v1, kind: Service, metadata: {name: 1web, namespace: test}}\n" +
		"- {apiVersion: apps/v1, kind: Deployment, metadata: {name: web.v2, namespace: test}}\n" +
		"- {apiVersion: v1, kind: Pod, metadata: {name: app.v2, namespace: test}}\n"
	o, err := newHarness(t).complete(nil, "-f", writeFile(t, "ok.yaml", content), "--image=busybox:1.36")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range o.targets {
		got = append(got, tg.namespace+"/"+tg.describe())
	}
	if diff := cmp.Diff([]string{"test/service/1web", "test/deployment/web.v2", "test/pod/app.v2"}, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// A type the server does not have is reported with the mapper's error itself, which
// kubectl prints as "the server doesn't have a resource type ..."; nothing is sent.
func TestUnknownType(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := newHarness(t, withMapper(meta.NewDefaultRESTMapper(nil))).run(client, "foo/bar", "--image=busybox:1.36")
	unknown, ok := r.err.(*meta.NoResourceMatchError)
	if !ok {
		t.Fatalf("error %T %v, want the REST mapper's no-match error itself", r.err, r.err)
	}
	if want := (schema.GroupVersionResource{Resource: "foo"}); unknown.PartialResource != want {
		t.Errorf("resource = %v, want %v", unknown.PartialResource, want)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API calls were made: %v", client.Actions())
	}
}
