package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// podWith is a running pod called name in namespace test, labelled app=auto, with
// containers of the given names.
func podWith(name string, annotations map[string]string, containers ...string) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "test", Labels: map[string]string{"app": "auto"}, Annotations: annotations},
		Spec:       corev1.PodSpec{NodeName: "node-a"},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, c := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c, Image: "app:1"})
	}
	return pod
}

func TestTargetAuto(t *testing.T) {
	tests := []struct {
		name       string
		pod        *corev1.Pod
		wantTarget string
		wantNotice string
		wantErr    string
	}{
		{"the only container", podWith("one", nil, "main"),
			"main", `--target=auto chose container "main", the pod's only container.`, ""},
		{"the default container", podWith("two", map[string]string{"kubectl.kubernetes.io/default-container": "app"}, "proxy", "app"),
			"app", `--target=auto chose container "app", the pod's default container (annotation kubectl.kubernetes.io/default-container).`, ""},
		{"a container called auto", podWith("literal", nil, "proxy", "auto"), "auto", "", ""},
		{"several and no annotation", podWith("two", nil, "proxy", "app"), "", "",
			`--target=auto: pod "two" has 2 containers (proxy, app) and no kubectl.kubernetes.io/default-container annotation: name one with --target`},
		{"an annotation naming no container", podWith("two", map[string]string{"kubectl.kubernetes.io/default-container": "gone"}, "proxy", "app"), "", "",
			`--target=auto: pod "two" names "gone" as its default container (annotation kubectl.kubernetes.io/default-container), but has no container of that name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := newHarness(t).complete(nil, tt.pod.Name, "--image=busybox:1.36", "-c", "dbg", "--target=auto")
			if err != nil {
				t.Fatal(err)
			}
			p, err := o.planner().planTarget(resolved{name: "pod/" + tt.pod.Name, pod: tt.pod}, nil)
			if got := errString(err); got != tt.wantErr {
				t.Fatalf("error:\n got: %s\nwant: %s", got, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := p.ephemeral.TargetContainerName; got != tt.wantTarget {
				t.Errorf("targetContainerName = %q, want %q", got, tt.wantTarget)
			}
			var want []string
			if tt.wantNotice != "" {
				want = append(want, tt.wantNotice)
			}
			if diff := cmp.Diff(want, p.notices); diff != "" {
				t.Errorf("notices (-want +got):\n%s", diff)
			}
			targeting := `Targeting container "` + tt.wantTarget + `". If you don't see processes from this container it may be because the container runtime doesn't support this feature.`
			if p.targeting != targeting {
				t.Errorf("targeting notice = %q, want %q", p.targeting, targeting)
			}
		})
	}
}

// Over a selector each pod gets its own target, although the pods share what the
// profiles make of one input; a pod whose target cannot be chosen stops the run before
// any write.
func TestTargetAutoPerPod(t *testing.T) {
	client := fake.NewClientset(podWith("a", nil, "alpha"), podWith("b", nil, "beta"))
	r := runCommand(t, client, "", "-l", "app=auto", "--image=busybox:1.36", "-c", "dbg", "--target=auto", "-q")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for name, want := range map[string]string{"a": "alpha", "b": "beta"} {
		pod, err := client.CoreV1().Pods("test").Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pod.Spec.EphemeralContainers) != 1 || pod.Spec.EphemeralContainers[0].TargetContainerName != want {
			t.Errorf("pod %s: ephemeral containers %+v, want one targeting %q", name, pod.Spec.EphemeralContainers, want)
		}
	}

	client = fake.NewClientset(podWith("a", nil, "alpha"), podWith("c", nil, "proxy", "app"))
	r = runCommand(t, client, "", "-l", "app=auto", "--image=busybox:1.36", "-c", "dbg", "--target=auto")
	if got, want := errString(r.err), "1 of 2 targets cannot be debugged, so nothing was sent (--keep-going sends the others)"; got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
	assertActions(t, client, []action{{"list", "pods", "", "test", ""}})
}
