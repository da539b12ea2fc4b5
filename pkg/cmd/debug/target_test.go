package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	got, err := decodeTargets([]byte(manifest), "ns", false)
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

	_, err = decodeTargets([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"), "ns", false)
	if got, want := errString(err), "apps/v1 Deployment is not supported: only pods and nodes can be debugged"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}
