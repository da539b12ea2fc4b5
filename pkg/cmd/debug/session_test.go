package debug

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	uexec "k8s.io/utils/exec"
)

// The session part built on its own, from its streams, a client and an attach: it waits
// for the debug container, attaches, ends with the container's exit status, and deletes
// the pod --rm owns.
func TestSessionAlone(t *testing.T) {
	pod := debugState("app-copy", running)
	pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "dbg", Image: "busybox:1.36", Stdin: true})
	client := fake.NewClientset(pod)
	var out, errOut bytes.Buffer
	s := &session{
		console:     console{out: &out, errOut: &errOut},
		in:          strings.NewReader("exit 3\n"),
		attach:      true,
		interactive: true,
		remove:      true,
		limit:       1,
		client:      func() (kubernetes.Interface, error) { return client, nil },
		attachFunc: func(_ context.Context, pod *corev1.Pod, container string, out, _ io.Writer) error {
			fmt.Fprintf(out, "attached to %s/%s\n", pod.Name, container)
			return reportStatus(client, pod, corev1.ContainerStatus{Name: container, State: exitedWith(3)}, false)
		},
	}
	ctx := context.Background()
	err := s.follow(ctx, pod, "dbg")
	removed := s.removable([]outcome{{target: "pod/app", plan: &plan{mode: ModeCopy}, pod: pod}})
	err = withCleanup(err, s.cleanUp(ctx, sender{client: client}, removed))

	if got, want := errString(err), "container dbg of pod app-copy exited with code 3"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if exit := (uexec.ExitError)(nil); !errors.As(err, &exit) || exit.ExitStatus() != 3 {
		t.Errorf("error %v does not carry exit status 3", err)
	}
	if diff := cmp.Diff("attached to app-copy/dbg\nDeleted pod test/app-copy.\n", out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sessionStart, errOut.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if n := deletesOf(client, "app-copy"); n != 1 {
		t.Errorf("app-copy was deleted %d times, want once", n)
	}
}
