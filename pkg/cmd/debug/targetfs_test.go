package debug

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

// distrolessPod is a pod like the real node's distroless fixture: one container, no
// shell, a non-root user and a read-only root filesystem.
func distrolessPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "test", Labels: map[string]string{"app": "distroless"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "main", Image: "pause:v1",
				SecurityContext: &corev1.SecurityContext{
					RunAsUser: ptr.To[int64](65532), RunAsGroup: ptr.To[int64](65532), RunAsNonRoot: ptr.To(true),
					ReadOnlyRootFilesystem: ptr.To(true),
				},
			}},
		},
	}
}

// targetFS is the command --target-fs gives the debug container.
func targetFS(target, id string, command ...string) []string {
	return append([]string{"sh", "-c", targetFSScript, "target-fs", target, id}, command...)
}

// --target-fs is a change of the debug container's command, planned like any other:
// the rest of the plan is what it would be without it.
func TestPlanTargetFS(t *testing.T) {
	targeting := func(name string) string {
		return `Targeting container "` + name + `". If you don't see processes from this container it may be because the container runtime doesn't support this feature.`
	}
	restricted := restrictedSC.DeepCopy()
	restricted.RunAsUser, restricted.RunAsGroup = ptr.To[int64](65532), ptr.To[int64](65532)
	tests := []struct {
		name string
		r    resolved
		args []string
		want *plan
	}{{
		name: "root that may chroot, with a command",
		r:    appTarget(),
		args: []string{"app", "--image=busybox:1.36", "-c", "dbg", "--target=web", "--target-fs", "--profile=general", "-i", "--attach=false", "--", "ls", "/"},
		want: &plan{
			target: "pod/app", mode: ModeEphemeral, source: appPod(), container: "dbg", profile: ProfileGeneral,
			ephemeral: &corev1.EphemeralContainer{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "dbg", Image: "busybox:1.36", Command: targetFS("web", "", "ls", "/"), Stdin: true,
					TerminationMessagePolicy: corev1.TerminationMessageReadFile, SecurityContext: generalSC.DeepCopy(),
				},
				TargetContainerName: "web",
			},
			targeting: targeting("web"),
		},
	}, {
		name: "the target's user, restricted, --target=auto, a shell",
		r:    resolved{name: "pod/distroless", pod: distrolessPod("distroless")},
		args: []string{"distroless", "--image=busybox:1.36", "-c", "dbg", "--target=auto", "--target-fs", "--profile=restricted", "--run-as=target", "-it", "--attach=false"},
		want: &plan{
			target: "pod/distroless", mode: ModeEphemeral, source: distrolessPod("distroless"), container: "dbg", profile: ProfileRestricted,
			ephemeral: &corev1.EphemeralContainer{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "dbg", Image: "busybox:1.36", Command: targetFS("main", ""), Stdin: true, TTY: true,
					TerminationMessagePolicy: corev1.TerminationMessageReadFile, SecurityContext: restricted,
				},
				TargetContainerName: "main",
			},
			notices:   []string{`--target=auto chose container "main", the pod's only container.`},
			targeting: targeting("main"),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planOf(t, tt.r, tt.args...)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(plan{})); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

// In a pod whose containers share one PID namespace, the target is told by its container
// ID, which differs from pod to pod: a fan-out gives each pod its own.
func TestTargetFSSharedPIDNamespace(t *testing.T) {
	shared := func(name, id string) *corev1.Pod {
		pod := distrolessPod(name)
		pod.Spec.ShareProcessNamespace = ptr.To(true)
		pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "main", ContainerID: "containerd://" + id}}
		return pod
	}
	client := fake.NewClientset(shared("a", "1111"), shared("b", "2222"), distrolessPod("c"))
	r := runCommand(t, client, "", "-l", "app=distroless", "--image=busybox:1.36", "-c", "dbg", "--target=main", "--target-fs", "-q", "--", "ls")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for name, id := range map[string]string{"a": "1111", "b": "2222", "c": ""} {
		pod, err := client.CoreV1().Pods("test").Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		if len(pod.Spec.EphemeralContainers) == 1 {
			got = pod.Spec.EphemeralContainers[0].Command
		}
		if diff := cmp.Diff(targetFS("main", id, "ls"), got); diff != "" {
			t.Errorf("pod %s: command (-want +got):\n%s", name, diff)
		}
	}
}

// The script is valid for the POSIX shells debug images carry (busybox's, dash), as far
// as this machine has them.
func TestTargetFSScriptParses(t *testing.T) {
	found := false
	for _, shell := range []string{"dash", "busybox", "sh"} {
		path, err := exec.LookPath(shell)
		if err != nil {
			continue
		}
		found = true
		args := []string{"-n", "-c", targetFSScript}
		if shell == "busybox" {
			args = append([]string{"sh"}, args...)
		}
		if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v: %s", shell, err, out)
		}
	}
	if !found {
		t.Skip("no POSIX shell here")
	}
}

// --dry-run=client -o shows the command --target-fs plans, and nothing is sent.
func TestTargetFSDryRun(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--target=web", "--target-fs", "--dry-run=client", "-o", "json", "--", "ls", "-l")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var pod corev1.Pod
	if err := json.Unmarshal([]byte(r.stdout), &pod); err != nil {
		t.Fatalf("stdout is not a pod: %v\n%s", err, r.stdout)
	}
	var got []string
	if n := len(pod.Spec.EphemeralContainers); n == 1 {
		got = pod.Spec.EphemeralContainers[0].Command
	}
	if diff := cmp.Diff(targetFS("web", "", "ls", "-l"), got); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
	assertActions(t, client, []action{{"get", "pods", "", "test", "app"}})
}
