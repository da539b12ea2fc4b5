package debug

import (
	"context"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// podWithDebugContainer is app holding debug container dbg, in state.
func podWithDebugContainer(stdin bool, state corev1.ContainerState) *corev1.Pod {
	pod := appPod()
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "dbg", Image: "busybox:1.36", Stdin: stdin, TTY: stdin,
	}}}
	pod.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: state}}
	return pod
}

// -c NAME without --image attaches to the debug container NAME, which a session whose
// terminal went away left running: nothing is written.
func TestReattach(t *testing.T) {
	client := fake.NewClientset(podWithDebugContainer(true, corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}))
	var attached []string
	h := newHarness(t, withTerminal(), withAttach(func(_ context.Context, pod *corev1.Pod, container string, _, _ io.Writer) error {
		attached = append(attached, pod.Name+"/"+container)
		return nil
	}))
	r := h.run(client, "app", "-c", "dbg", "-it")
	if r.err != nil {
		t.Fatalf("unexpected error: %v\nstderr: %s", r.err, r.stderr)
	}
	if diff := cmp.Diff([]string{"app/dbg"}, attached); diff != "" {
		t.Errorf("attached (-want +got):\n%s", diff)
	}
	wantOut := "Attaching again to debug container dbg.\n" +
		"Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach app -c dbg -n test -i -t' if it is still running\n"
	if diff := cmp.Diff(wantOut, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	for _, a := range actionsOf(client) {
		if a.Verb != "get" && a.Verb != "list" && a.Verb != "watch" {
			t.Errorf("unexpected write %+v", a)
		}
	}
}

func TestReattachRefused(t *testing.T) {
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	ended := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 130}}
	tests := []struct {
		name string
		pod  *corev1.Pod
		args []string
		want string
	}{
		{"no session", podWithDebugContainer(true, running), []string{"app", "-c", "dbg"},
			"-c dbg without --image attaches again to that running debug container: add -i (or --attach, or --logs); give --image to start a new one"},
		{"a command", podWithDebugContainer(true, running), []string{"app", "-c", "dbg", "-i", "--", "sh"},
			"-c dbg without --image attaches again to an existing debug container, which a command after -- cannot change: drop it, or give --image to start a new container"},
		{"--env", podWithDebugContainer(true, running), []string{"app", "-c", "dbg", "-i", "--env=A=1"},
			"-c dbg without --image attaches again to an existing debug container, which --env cannot change: drop it, or give --image to start a new container"},
		{"dry run", podWithDebugContainer(true, running), []string{"app", "-c", "dbg", "-i", "--dry-run=server"},
			"-c dbg without --image attaches again to an existing debug container, which --dry-run cannot change: drop it, or give --image to start a new container"},
		{"a regular container", podWithDebugContainer(true, running), []string{"app", "-c", "web", "-i"},
			`container "web" of pod "app" is not a debug container: without --image, -c names an ephemeral container to attach to again (kubectl attach attaches to the others)`},
		{"no such container", podWithDebugContainer(true, running), []string{"app", "-c", "nope", "-i"},
			`pod "app" has no debug container "nope": give --image to start one`},
		{"ended", podWithDebugContainer(true, ended), []string{"app", "-c", "dbg", "-i"},
			`debug container "dbg" of pod "app" has ended (exit code 130), and an ephemeral container cannot be restarted: give --image to start a new one`},
		{"no input", podWithDebugContainer(false, running), []string{"app", "-c", "dbg", "-i"},
			`debug container "dbg" of pod "app" was started without -i, so it takes no input: drop -i to follow its output`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewClientset(tc.pod)
			r := runCommand(t, client, "", tc.args...)
			if diff := cmp.Diff(tc.want, errString(r.err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			for _, a := range actionsOf(client) {
				if a.Verb != "get" {
					t.Errorf("unexpected call %+v", a)
				}
			}
		})
	}
}
