package debug

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	uexec "k8s.io/utils/exec"
)

// A stop signal during a session ends it, deletes what --rm owns, and exits with the
// shell's code for the signal, as an exit error itself, since kubectl's error handling
// takes the code only from one (a type switch).
func TestSignalEndsSessionAndRemoves(t *testing.T) {
	tests := []struct {
		sig  os.Signal
		code int
	}{
		{os.Interrupt, 130},
		{syscall.SIGTERM, 143},
		{syscall.SIGHUP, 129},
	}
	for _, tt := range tests {
		t.Run(tt.sig.String(), func(t *testing.T) {
			client := fake.NewClientset(nodeA())
			nodePodRunning(client)
			signals := make(chan os.Signal, 1)
			// The session lasts until the signal ends it, as a shell nobody leaves does.
			attach := func(ctx context.Context, _ *corev1.Pod, _ string, _, _ io.Writer) error {
				signals <- tt.sig
				<-ctx.Done()
				return ctx.Err()
			}
			r := newHarness(t, withAttach(attach), withSignals(signals)).run(client, "node/node-a", "--image=busybox:1.36", "--rm", "-it")
			exit, ok := r.err.(uexec.ExitError)
			if !ok {
				t.Fatalf("error = %#v, want an exit error", r.err)
			}
			if exit.ExitStatus() != tt.code {
				t.Errorf("exit status %d, want %d", exit.ExitStatus(), tt.code)
			}
			if want := `attaching to container "debugger" of pod "node-debugger-node-a-aaaaa": interrupted`; exit.Error() != want {
				t.Errorf("error = %q, want %q", exit.Error(), want)
			}
			want := "Creating debugging pod node-debugger-node-a-aaaaa with container debugger on node node-a.\nDeleted pod test/node-debugger-node-a-aaaaa.\n"
			if r.stdout != want {
				t.Errorf("stdout = %q, want %q", r.stdout, want)
			}
			if n := deletesOf(client, "node-debugger-node-a-aaaaa"); n != 1 {
				t.Errorf("%d deletes of the node pod, want 1", n)
			}
		})
	}
}

// poolNodes returns n nodes labelled pool=fake, named n000, n001...
func poolNodes(n int) []runtime.Object {
	nodes := make([]runtime.Object, n)
	for i := range nodes {
		nodes[i] = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("n%03d", i), Labels: map[string]string{"pool": "fake"}}}
	}
	return nodes
}

// Ctrl-C while --logs follows 150 node pods with --rm, one write at a time: every pod is
// deleted, and said to be.
func TestSignalDuringFanOutRemovesEveryPod(t *testing.T) {
	client := fake.NewClientset(poolNodes(150)...)
	signals := make(chan os.Signal, 1)
	// The signal comes once every pod exists, as the logs' wait lists them.
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		signals <- os.Interrupt
		return false, nil, nil
	})
	r := newHarness(t, withSignals(signals)).run(client, "node", "-l", "pool=fake", "--image=busybox:1.36", "--logs", "--rm", "--max-concurrency=1")
	exit, ok := r.err.(uexec.ExitError)
	if !ok || exit.ExitStatus() != 130 {
		t.Fatalf("error = %#v, want an exit error with status 130", r.err)
	}
	if want := "streaming the debug containers' output: interrupted"; exit.Error() != want {
		t.Errorf("error = %q, want %q", exit.Error(), want)
	}
	pods, err := client.CoreV1().Pods("test").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 0 {
		t.Errorf("%d pods left, want none", len(pods.Items))
	}
	for i := range 150 {
		name := fmt.Sprintf("node-debugger-n%03d-aaaaa", i)
		if i > 0 {
			name = fmt.Sprintf("node-debugger-n%03d-%s", i, map[bool]string{true: "bbbbb", false: "ccccc"}[i == 1])
		}
		if !strings.Contains(r.stdout, "Deleted pod test/"+name+".\n") {
			t.Fatalf("stdout does not say %s was deleted:\n%s", name, r.stdout)
		}
	}
}

// The same with a server that stopped answering: the command does not wait for it. It
// names every pod it created, with the command that deletes it.
func TestSignalWithStalledServerNamesEveryPod(t *testing.T) {
	client := fake.NewClientset(poolNodes(150)...)
	signals := make(chan os.Signal, 1)
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		signals <- os.Interrupt
		return false, nil, nil
	})
	stalled := make(chan struct{})
	defer close(stalled)
	client.PrependReactor("delete", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		<-stalled
		return true, nil, context.Canceled
	})
	r := newHarness(t, withSignals(signals)).run(client, "node", "-l", "pool=fake", "--image=busybox:1.36", "--logs", "--rm", "--max-concurrency=1")
	exit, ok := r.err.(uexec.ExitError)
	if !ok || exit.ExitStatus() != 130 {
		t.Fatalf("error = %#v, want an exit error with status 130", r.err)
	}
	lines := strings.Split(exit.Error(), "\n")
	want := []string{"streaming the debug containers' output: interrupted"}
	for i := range 150 {
		suffix := "ccccc"
		switch i {
		case 0:
			suffix = "aaaaa"
		case 1:
			suffix = "bbbbb"
		}
		name := fmt.Sprintf("node-debugger-n%03d-%s", i, suffix)
		want = append(want, fmt.Sprintf("pod test/%s was not deleted: interrupted before the server answered; delete it with: kubectl delete pod %s -n test", name, name))
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("error lines (-want +got):\n%s", diff)
	}
	if strings.Contains(r.stdout, "Deleted pod") {
		t.Errorf("stdout claims a deletion:\n%s", r.stdout)
	}
}

// A create cut short by the signal may have been applied: --rm deletes its pod by the
// name planned, beside those created; what was never sent is not deleted.
func TestSignalDuringFanOutCreates(t *testing.T) {
	client := fake.NewClientset(poolNodes(3)...)
	signals := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	creates := 0
	client.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		creates++
		if creates < 2 {
			return false, nil, nil
		}
		// The second create reaches the server as the signal arrives.
		_ = client.Tracker().Create(corev1.SchemeGroupVersion.WithResource("pods"), a.(k8stesting.CreateAction).GetObject(), "test")
		cancel()
		return true, nil, context.Canceled
	})
	r := newHarness(t, withSignals(signals), withContext(ctx)).run(client, "node", "-l", "pool=fake", "--image=busybox:1.36", "--logs", "--rm", "--max-concurrency=1", "-q")
	if got, want := errString(r.err), "interrupted: 1 of 3 targets were debugged: context canceled"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	// The third target is never sent; the deletes run concurrently.
	assertActionsUnordered(t, client, []action{
		{"list", "nodes", "", "", ""},
		{"create", "pods", "", "test", "node-debugger-n000-aaaaa"},
		{"create", "pods", "", "test", "node-debugger-n001-bbbbb"},
		{"delete", "pods", "", "test", "node-debugger-n000-aaaaa"},
		{"delete", "pods", "", "test", "node-debugger-n001-bbbbb"},
	})
	if _, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "node-debugger-n001-bbbbb"); !apierrors.IsNotFound(err) {
		t.Errorf("the pod whose create was cut short is left: %v", err)
	}
}
