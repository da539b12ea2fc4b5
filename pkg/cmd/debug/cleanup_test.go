package debug

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	uexec "k8s.io/utils/exec"

	"github.com/kubectl-debugger/kubectl-debugger/internal/sessions"
)

// debugState returns the debug pod called name with its container dbg in state.
func debugState(name string, state corev1.ContainerState) *corev1.Pod {
	pod := appPod()
	pod.Name = name
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: state}}
	return pod
}

var (
	running    = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	terminated = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}
)

// deletesOf counts the DELETE requests for pod name.
func deletesOf(client *fake.Clientset, name string) int {
	n := 0
	for _, a := range client.Actions() {
		if d, ok := a.(k8stesting.DeleteAction); ok && d.GetName() == name {
			n++
		}
	}
	return n
}

// nodePodRunning makes client's pod watch report the node debugging pod of node-a
// running, as the kubelet would once its container starts.
func nodePodRunning(client *fake.Clientset) {
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	pod := debugState("node-debugger-node-a-aaaaa", running)
	pod.Status.ContainerStatuses[0].Name = "debugger"
	go watcher.Modify(pod)
}

// However a session with --rm ends, the debug pod is deleted exactly once.
func TestRemoveAfterEverySessionEnd(t *testing.T) {
	tests := []struct {
		name string
		// events are sent on the pods watch, in order.
		events []func(w *watch.FakeWatcher)
		// watchErr makes the watch fail.
		watchErr error
		// attachErr is what the attach returns.
		attachErr error
		// cancel cancels the run once the copy exists (Ctrl-C, SIGTERM, SIGHUP).
		cancel  bool
		logs    bool
		wantErr string
	}{
		{name: "the shell exits", events: []func(*watch.FakeWatcher){func(w *watch.FakeWatcher) { w.Modify(debugState("app-copy", running)) }}},
		{name: "the attach fails", attachErr: errors.New("upgrade refused"),
			events: []func(*watch.FakeWatcher){func(w *watch.FakeWatcher) { w.Modify(debugState("app-copy", running)) }}},
		{name: "the container ended before the attach", events: []func(*watch.FakeWatcher){func(w *watch.FakeWatcher) { w.Modify(debugState("app-copy", terminated)) }}},
		{name: "the wait fails", watchErr: apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no watch for you")),
			wantErr: `waiting for container "dbg" of pod "app-copy": pods is forbidden: no watch for you`},
		{name: "Ctrl-C during the wait", cancel: true, wantErr: `waiting for container "dbg" of pod "app-copy": context canceled`},
		{name: "the pod is deleted during the wait", events: []func(*watch.FakeWatcher){func(w *watch.FakeWatcher) { w.Delete(debugState("app-copy", running)) }},
			wantErr: `pods "app-copy" not found`},
		{name: "--logs ends", logs: true, events: []func(*watch.FakeWatcher){
			func(w *watch.FakeWatcher) { w.Modify(debugState("app-copy", running)) },
			func(w *watch.FakeWatcher) { w.Modify(debugState("app-copy", terminated)) },
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(appPod())
			watcher := watch.NewFake()
			client.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) {
				if tt.watchErr != nil {
					return true, nil, tt.watchErr
				}
				return true, watcher, nil
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				client.PrependReactor("create", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
					cancel()
					return false, nil, nil
				})
			}
			go func() {
				for _, send := range tt.events {
					send(watcher)
				}
			}()
			args := []string{"app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--rm", "-q"}
			if tt.logs {
				args = append(args, "--logs")
			} else {
				args = append(args, "-i")
			}
			r := newHarness(t, withContext(ctx), withAttach(func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error { return tt.attachErr })).run(client, args...)
			if got := errString(r.err); got != tt.wantErr {
				t.Errorf("error = %q, want %q", got, tt.wantErr)
			}
			if n := deletesOf(client, "app-copy"); n != 1 {
				t.Errorf("%d deletes of the copy, want 1", n)
			}
			if n := deletesOf(client, "app"); n != 0 {
				t.Errorf("the original was deleted")
			}
			if _, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app-copy"); !apierrors.IsNotFound(err) {
				t.Errorf("the copy is still there: %v", err)
			}
		})
	}
}

// A node debugging pod is deleted the same way, and says so unless -q.
func TestRemoveNodePod(t *testing.T) {
	client := fake.NewClientset(nodeA())
	nodePodRunning(client)
	// The shell exits: the kubelet reports the container terminated.
	exit := func(_ context.Context, pod *corev1.Pod, _ string, _, _ io.Writer) error {
		return reportStatus(client, pod, corev1.ContainerStatus{Name: "debugger", State: terminated}, false)
	}
	r := newHarness(t, withAttach(exit)).run(client, "node/node-a", "--image=busybox:1.36", "--rm", "-i")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "Creating debugging pod node-debugger-node-a-aaaaa with container debugger on node node-a.\nDeleted pod test/node-debugger-node-a-aaaaa.\n"
	if r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	assertActions(t, client, []action{
		{"get", "nodes", "", "", "node-a"},
		{"create", "pods", "", "test", "node-debugger-node-a-aaaaa"},
		// The kubelet's events: its word that the container started comes before the
		// pod's status says so.
		{"watch", "events", "", "test", ""},
		{"list", "pods", "", "test", ""},
		{"watch", "pods", "", "test", ""},
		{"list", "pods", "", "test", ""},
		{"delete", "pods", "", "test", "node-debugger-node-a-aaaaa"},
	})
}

// A pod that cannot be deleted is tried twice, then named with the command that deletes it.
func TestRemoveFails(t *testing.T) {
	client := fake.NewClientset(appPod())
	client.PrependReactor("delete", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "app-copy", errors.New("no"))
	})
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go watcher.Modify(debugState("app-copy", running))
	r := newHarness(t, withAttach(func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error { return nil })).
		run(client, "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--rm", "-i", "-q")
	want := `pod test/app-copy was not deleted: pods "app-copy" is forbidden: no; delete it with: kubectl delete pod app-copy -n test`
	if got := errString(r.err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if n := deletesOf(client, "app-copy"); n != 2 {
		t.Errorf("%d delete attempts, want 2", n)
	}
}

func TestRemoveRefusedOrSkipped(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"app", "--image=busybox", "--copy-to=c", "--replace", "--rm", "-i"}, "--rm deletes the copy when the session ends, and --replace deletes the original: nothing would be left; drop one of them"},
		{[]string{"app", "--image=busybox", "--copy-to=c", "--rm"}, "--rm deletes the debug pod when the session ends, and without a session (-i/--stdin or --attach, or --logs) there is none: add one"},
		{[]string{"app", "--image=busybox", "--copy-to=c", "--rm", "-i", "--attach=false"}, "--rm deletes the debug pod when the session ends, and without a session (-i/--stdin or --attach, or --logs) there is none: add one"},
		{[]string{"app", "--set-image=*=busybox", "--copy-to=c", "--rm", "-i"}, "--rm deletes the debug pod when the session ends, and without a debug container (--image or -c/--container) there is no session"},
	}
	for _, tt := range tests {
		client := fake.NewClientset(appPod())
		r := runCommand(t, client, "", tt.args...)
		if got := errString(r.err); got != tt.want {
			t.Errorf("%v: error = %q, want %q", tt.args, got, tt.want)
		}
		assertActions(t, client, nil)
	}

	// A dry run creates nothing, so --rm has nothing to delete; it says so.
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "-c", "dbg", "--copy-to=app-copy", "--rm", "-i", "--dry-run=client", "-q")
	if r.err != nil || !strings.Contains(r.stderr, "Dry run: --rm would delete pod test/app-copy when the session ends.\n") {
		t.Errorf("err=%v stderr=%q", r.err, r.stderr)
	}
	assertActions(t, client, []action{{"get", "pods", "", "test", "app"}})
}

// A delete whose answer is lost (a timeout on the way back) is checked: a pod that is
// gone is not reported as left behind.
func TestRemoveChecksALostAnswer(t *testing.T) {
	client := fake.NewClientset(appPod())
	client.PrependReactor("delete", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		_ = client.Tracker().Delete(corev1.SchemeGroupVersion.WithResource("pods"), "test", a.(k8stesting.DeleteAction).GetName())
		return true, nil, errors.New("http2: response body closed")
	})
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go watcher.Modify(debugState("app-copy", running))
	r := newHarness(t, withAttach(func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error { return nil })).
		run(client, "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--rm", "-i")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := deletesOf(client, "app-copy"); n != 1 {
		t.Errorf("%d delete attempts, want 1", n)
	}
	if !strings.Contains(r.stdout, "Deleted pod test/app-copy.") {
		t.Errorf("stdout = %q", r.stdout)
	}
}

// Ctrl-C during the create: the copy may exist, and --rm deletes it by its planned name.
func TestRemoveAfterAnInterruptedCreate(t *testing.T) {
	client := fake.NewClientset(appPod())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		_ = client.Tracker().Create(corev1.SchemeGroupVersion.WithResource("pods"), a.(k8stesting.CreateAction).GetObject(), "test")
		cancel()
		return true, nil, context.Canceled
	})
	r := newHarness(t, withContext(ctx)).run(client, "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--rm", "-i", "-q")
	if !errors.Is(r.err, context.Canceled) {
		t.Errorf("error = %v, want the interrupt", r.err)
	}
	if n := deletesOf(client, "app-copy"); n != 1 {
		t.Errorf("%d deletes of the copy, want 1", n)
	}
	if _, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app-copy"); !apierrors.IsNotFound(err) {
		t.Errorf("the copy is left behind: %v", err)
	}
}

// --rm keeps the session's exit status as the error itself, not wrapped: kubectl's
// error handling takes the status only from an error that is one (a type switch).
func TestRemoveKeepsExitStatus(t *testing.T) {
	client := fake.NewClientset(nodeA())
	nodePodRunning(client)
	exit := func(_ context.Context, pod *corev1.Pod, _ string, _, _ io.Writer) error {
		return reportStatus(client, pod, corev1.ContainerStatus{Name: "debugger", State: exitedWith(3)}, false)
	}
	r := newHarness(t, withAttach(exit)).run(client, "node/node-a", "--image=busybox:1.36", "--rm", "-i", "-q")
	exitErr, ok := r.err.(uexec.ExitError)
	if !ok || exitErr.ExitStatus() != 3 {
		t.Errorf("error = %#v, want an exit error with status 3", r.err)
	}
	if n := deletesOf(client, "node-debugger-node-a-aaaaa"); n != 1 {
		t.Errorf("%d deletes of the node pod, want 1", n)
	}
}

// fakeRemote plays the debug container's side of --rm's stop: the exec that ends its
// processes, after which the kubelet reports it terminated.
type fakeRemote struct {
	client *fake.Clientset
	execs  []string
	// delay is how long each exec takes to be answered, as on a loaded node.
	delay time.Duration
}

func (f *fakeRemote) Exec(ctx context.Context, namespace, name, container string, _ []string) (string, error) {
	f.execs = append(f.execs, namespace+"/"+name+"/"+container)
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	obj, err := f.client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), namespace, name)
	if err != nil {
		return "", err
	}
	killed := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137}}
	return "", reportStatus(f.client, obj.(*corev1.Pod), corev1.ContainerStatus{Name: container, State: killed}, true)
}

func (f *fakeRemote) EndInput(context.Context, string, string, string, bool, string) error {
	return errors.New("the input was not expected to be ended")
}

// ephemeralDebugRunning returns a client whose pods watch reports the debug container
// dbg of pod app running, as the kubelet would once it starts.
func ephemeralDebugRunning() *fake.Clientset {
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	pod := appPod()
	pod.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: running}}
	go watcher.Modify(pod)
	return client
}

// --rm on an ephemeral container: once the session is over the container's processes
// are ended, through one exec, and the container is seen terminated; one that has
// ended by itself is left alone. It stays in the pod's spec either way.
func TestRemoveStopsAnEphemeralContainer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		exit      bool
		wantExecs []string
		wantOut   string
	}{
		{"still running", false, []string{"test/app/dbg"},
			"Stopped the debug container dbg of pod test/app (Terminated (exit 137)); it stays in the pod's spec, as ephemeral containers cannot be removed.\n"},
		{"exited", true, nil,
			"The debug container dbg of pod test/app has ended (Terminated (exit 0)); it stays in the pod's spec, as ephemeral containers cannot be removed.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := ephemeralDebugRunning()
			remote := &fakeRemote{client: client}
			h := newHarness(t, withAttach(func(_ context.Context, p *corev1.Pod, container string, _, _ io.Writer) error {
				state := running
				if tc.exit {
					state = terminated
				}
				obj, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app")
				if err != nil {
					return err
				}
				return reportStatus(client, obj.(*corev1.Pod), corev1.ContainerStatus{Name: container, State: state}, true)
			}), withOptions(func(o *DebugOptions) {
				o.remoteFunc = func() (sessions.Remote, error) { return remote, nil }
			}))
			r := h.run(client, "app", "--image=busybox:1.36", "-c", "dbg", "-i", "--rm")
			if r.err != nil {
				t.Fatalf("unexpected error: %v\nstderr: %s", r.err, r.stderr)
			}
			if diff := cmp.Diff(tc.wantExecs, remote.execs); diff != "" {
				t.Errorf("execs (-want +got):\n%s", diff)
			}
			if !strings.HasSuffix(r.stdout, tc.wantOut) {
				t.Errorf("stdout = %q, want it to end with %q", r.stdout, tc.wantOut)
			}
			if n := deletesOf(client, "app"); n != 0 {
				t.Errorf("%d deletes of the user's pod", n)
			}
		})
	}
}

// Ctrl-C during an ephemeral session with --rm: the exec that ends the container gets
// more time than the deletes of copies do, since its stream takes longer to set up; one
// answered after the deletes' budget still ends the container.
func TestRemoveStopsAnEphemeralContainerAfterCtrlC(t *testing.T) {
	client := ephemeralDebugRunning()
	remote := &fakeRemote{client: client, delay: interruptedCleanupBudget + 300*time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, withContext(ctx), withAttach(func(ctx context.Context, _ *corev1.Pod, container string, _, _ io.Writer) error {
		obj, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app")
		if err != nil {
			return err
		}
		if err := reportStatus(client, obj.(*corev1.Pod), corev1.ContainerStatus{Name: container, State: running}, true); err != nil {
			return err
		}
		cancel()
		return ctx.Err()
	}), withOptions(func(o *DebugOptions) {
		o.remoteFunc = func() (sessions.Remote, error) { return remote, nil }
	}))
	r := h.run(client, "app", "--image=busybox:1.36", "-c", "dbg", "-i", "--rm")
	if got, want := errString(r.err), `attaching to container "dbg" of pod "app": context canceled`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"test/app/dbg"}, remote.execs); diff != "" {
		t.Errorf("execs (-want +got):\n%s", diff)
	}
	want := "Stopped the debug container dbg of pod test/app; it stays in the pod's spec, as ephemeral containers cannot be removed.\n"
	if !strings.HasSuffix(r.stdout, want) {
		t.Errorf("stdout = %q, want it to end with %q", r.stdout, want)
	}
}
