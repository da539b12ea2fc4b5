package podutil

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func pod() *corev1.Pod {
	return &corev1.Pod{
		Spec: corev1.PodSpec{
			InitContainers:      []corev1.Container{{Name: "init"}},
			Containers:          []corev1.Container{{Name: "web"}, {Name: "sidecar"}},
			EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg"}, TargetContainerName: "web"}},
		},
		Status: corev1.PodStatus{
			ContainerStatuses:          []corev1.ContainerStatus{{Name: "web", RestartCount: 1}},
			EphemeralContainerStatuses: []corev1.ContainerStatus{{Name: "dbg", RestartCount: 2}},
		},
	}
}

func TestContainersInOrder(t *testing.T) {
	type seen struct {
		Kind Kind
		Name string
	}
	var got []seen
	for kind, c := range Containers(pod()) {
		got = append(got, seen{kind, c.Name})
	}
	want := []seen{{Init, "init"}, {Regular, "web"}, {Regular, "sidecar"}, {Ephemeral, "dbg"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}
}

// An ephemeral container found as a Container is the pod's own: edits stick, and its
// target stays.
func TestFindEditsInPlace(t *testing.T) {
	p := pod()
	c, kind := Find(p, "dbg")
	if c == nil || kind != Ephemeral {
		t.Fatalf("Find(dbg) = %v, %v", c, kind)
	}
	c.Image = "busybox"
	if got := p.Spec.EphemeralContainers[0]; got.Image != "busybox" || got.TargetContainerName != "web" {
		t.Errorf("ephemeral container = %+v", got)
	}
	for _, name := range []string{"", "nope"} {
		if c, kind := Find(p, name); c != nil || kind != 0 {
			t.Errorf("Find(%q) = %v, %v, want nothing", name, c, kind)
		}
	}
}

func TestFindInSpecSkipsEphemeral(t *testing.T) {
	p := pod()
	if c := FindInSpec(p, "init"); c == nil || c.Name != "init" {
		t.Errorf("FindInSpec(init) = %v", c)
	}
	if c := FindInSpec(p, "dbg"); c != nil {
		t.Errorf("FindInSpec(dbg) = %v, want nil: ephemeral containers are not in the spec a pod is created with", c)
	}
}

func TestNamesAndStatus(t *testing.T) {
	if diff := cmp.Diff(map[string]bool{"init": true, "web": true, "sidecar": true, "dbg": true}, Names(pod())); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if s := Status(pod(), "dbg"); s == nil || s.RestartCount != 2 {
		t.Errorf("Status(dbg) = %v", s)
	}
	if s := Status(pod(), "sidecar"); s != nil {
		t.Errorf("Status(sidecar) = %v, want nil", s)
	}
}
