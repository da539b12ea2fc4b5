package debug

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	uexec "k8s.io/utils/exec"
	"k8s.io/utils/ptr"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// Input that is not a terminal is a script: the debug container closes its stdin when
// the script ends (stdinOnce), in every mode; a terminal, or no session, keeps it open
// as kubectl does.
func TestPlanStdinOnce(t *testing.T) {
	modes := []struct {
		name string
		r    resolved
		args []string
	}{
		{"ephemeral", appTarget(), []string{"app"}},
		{"copy", appTarget(), []string{"app", "--copy-to=app-copy"}},
		{"copy editing a container", appTarget(), []string{"app", "--copy-to=app-copy", "-c", "web"}},
		{"node", nodeTarget(), []string{"node/node-a"}},
	}
	sessions := []struct {
		name     string
		args     []string
		terminal bool
		want     bool
		wantTTY  bool
	}{
		{"piped -i", []string{"-i"}, false, true, false},
		{"piped -it: a pipe cannot drive a TTY", []string{"-it"}, false, true, false},
		{"piped -i --attach=false", []string{"-i", "--attach=false"}, false, false, false},
		{"piped -it --attach=false keeps the TTY", []string{"-it", "--attach=false"}, false, false, true},
		{"piped -i, dry run: nothing is attached", []string{"-i", "--dry-run=client"}, false, false, false},
		{"terminal -it", []string{"-it"}, true, false, true},
		{"terminal -i", []string{"-i"}, true, false, false},
		{"no -i", []string{"--attach"}, false, false, false},
	}
	for _, mode := range modes {
		for _, session := range sessions {
			t.Run(mode.name+"/"+session.name, func(t *testing.T) {
				args := append(append([]string{"--image=busybox:1.36"}, mode.args...), session.args...)
				if !slices.Contains(args, "-c") {
					args = append(args, "-c", "dbg")
				}
				h := newHarness(t)
				h.terminal = session.terminal
				o, err := h.complete(nil, args...)
				if err != nil {
					t.Fatalf("%v: %v", args, err)
				}
				p, err := o.planner().planTarget(mode.r, nil)
				if err != nil {
					t.Fatal(err)
				}
				var c *corev1.Container
				switch {
				case p.ephemeral != nil:
					c = (*corev1.Container)(&p.ephemeral.EphemeralContainerCommon)
				default:
					for i := range p.pod.Spec.Containers {
						if p.pod.Spec.Containers[i].Name == p.container {
							c = &p.pod.Spec.Containers[i]
						}
					}
				}
				if c == nil {
					t.Fatalf("no debug container %q in the plan", p.container)
				}
				if c.StdinOnce != session.want || !c.Stdin && session.want {
					t.Errorf("stdin = %v, stdinOnce = %v; want stdinOnce %v", c.Stdin, c.StdinOnce, session.want)
				}
				if c.TTY != session.wantTTY {
					t.Errorf("tty = %v, want %v", c.TTY, session.wantTTY)
				}
				if want := slices.Contains(session.args, "-it") && !session.wantTTY; o.ttyUnusable != want {
					t.Errorf("ttyUnusable = %v, want %v", o.ttyUnusable, want)
				}
			})
		}
	}
}

// After a session the command waits for the container to be reported terminated and
// exits with its code, as a shell would; a container still running was left by a
// session that can be resumed, which the hint says. A session that showed nothing of a
// container that ended shows its logs: its output came before the attach was connected.
func TestSessionExitStatus(t *testing.T) {
	// kubectl attach's words, on standard output as kubectl prints them.
	hint := "Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach app -c dbg -n test -i -t' if it is still running\n"
	tests := []struct {
		name string
		// exit ends the container with this code during the attach; nil keeps it running.
		exit *int32
		// restarted reports the exit as a restart (a copy keeps its pod's restart
		// policy): running again, the exit as its last state.
		restarted bool
		// shown and shownErr are what the attach prints; attachErr makes it fail, and
		// cancel is Ctrl-C as it returns.
		shown, shownErr string
		attachErr       error
		cancel          bool
		tty             bool
		// piped: standard input is not a terminal.
		piped      bool
		wantErr    string
		wantCode   int
		wantOut    string
		wantStderr string
	}{
		{name: "exit 3", exit: ptr.To[int32](3), shown: "out\n", wantOut: "out\n", wantErr: "container dbg of pod app exited with code 3", wantCode: 3},
		{name: "exit 0", exit: ptr.To[int32](0), shown: "out\n", wantOut: "out\n"},
		{name: "still running", tty: true, shown: "out\n", wantOut: "out\n" + hint},
		{name: "still running without a terminal: no resume hint", shown: "out\n", wantOut: "out\n"},
		{name: "nothing shown, exited: the logs", exit: ptr.To[int32](0), wantOut: "fake logs"},
		{name: "nothing shown, exit 2: the logs and the code", exit: ptr.To[int32](2), wantOut: "fake logs",
			wantErr: "container dbg of pod app exited with code 2", wantCode: 2},
		{name: "nothing shown on a terminal: no logs", exit: ptr.To[int32](0), tty: true},
		{name: "nothing shown, still running: no logs", tty: true, wantOut: hint},
		{name: "attach fails: the logs and the code", exit: ptr.To[int32](5), attachErr: errors.New("upgrade refused"), wantOut: "fake logs",
			wantErr: "container dbg of pod app exited with code 5", wantCode: 5,
			wantStderr: "warning: couldn't attach to pod/app, falling back to streaming logs: upgrade refused\n"},
		{name: "only stderr shown: no logs", exit: ptr.To[int32](1), shownErr: "sh: nope: not found\n",
			wantErr: "container dbg of pod app exited with code 1", wantCode: 1, wantStderr: "sh: nope: not found\n"},
		{name: "broken off after output: no logs", shown: "partial\n", attachErr: errors.New("connection reset"), wantOut: "partial\n",
			wantErr: `attaching to container "dbg" of pod "app": connection reset`},
		{name: "restarted after exit 6", exit: ptr.To[int32](6), restarted: true, shown: "out\n", wantOut: "out\n",
			wantErr: "container dbg of pod app exited with code 6", wantCode: 6},
		{name: "piped, still running: no resume hint", piped: true, shown: "out\n", wantOut: "out\n"},
		{name: "Ctrl-C while waiting for the exit", cancel: true, shown: "out\n", wantOut: "out\n",
			wantErr: `waiting for container "dbg" of pod "app" to end: context canceled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := clientWithRunningDebugContainer(tt.tty)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			attach := func(_ context.Context, pod *corev1.Pod, _ string, out, errOut io.Writer) error {
				if _, err := io.WriteString(out, tt.shown); err != nil {
					return err
				}
				if _, err := io.WriteString(errOut, tt.shownErr); err != nil {
					return err
				}
				if tt.exit != nil {
					status := corev1.ContainerStatus{Name: "dbg", State: exitedWith(*tt.exit)}
					if tt.restarted {
						status = corev1.ContainerStatus{Name: "dbg", State: running, LastTerminationState: exitedWith(*tt.exit), RestartCount: 1}
					}
					if err := reportStatus(client, pod, status, true); err != nil {
						return err
					}
				}
				if tt.cancel {
					cancel()
				}
				return tt.attachErr
			}
			args := []string{"app", "--image=busybox:1.36", "-c", "dbg", "-i"}
			if tt.tty {
				args = append(args, "-t")
			}
			opts := []harnessOption{withAttach(attach), withContext(ctx)}
			if !tt.piped {
				opts = append(opts, withTerminal())
			}
			h := newHarness(t, opts...)
			r := h.run(client, args...)
			if got := errString(r.err); got != tt.wantErr {
				t.Errorf("error = %q, want %q", got, tt.wantErr)
			}
			var exit uexec.ExitError
			code := 0
			if errors.As(r.err, &exit) {
				code = exit.ExitStatus()
			}
			if code != tt.wantCode {
				t.Errorf("exit status = %d, want %d", code, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantOut, r.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sessionStart+tt.wantStderr, r.stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

// A session without a terminal that showed nothing waits longer for its container's end:
// a quick command can end before the attach is connected, and a kubelet on a busy node
// may report it only after the usual grace. Giving up then showed nothing and exited 0;
// the logs and the exit code are what the command printed and returned.
func TestQuietSessionWaitsLongerForTheExit(t *testing.T) {
	defer func(usual, quiet time.Duration) {
		sessionExitGrace, quietSessionExitGrace = usual, quiet
	}(sessionExitGrace, quietSessionExitGrace)
	sessionExitGrace, quietSessionExitGrace = time.Millisecond, time.Minute

	client := fake.NewClientset(appPod())
	// Each watch of pods gets a watcher of its own: the first, the wait for the container
	// to run, sees it running; the second, the wait for its end, sees it exit with 4 well
	// after the usual grace.
	watchers := make(chan *watch.FakeWatcher, 8)
	client.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) {
		w := watch.NewFake()
		watchers <- w
		return true, w, nil
	})
	pod := appPod()
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg"}}}
	go func() {
		p := pod.DeepCopy()
		p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: running}}
		(<-watchers).Modify(p)
		w := <-watchers
		time.Sleep(50 * time.Millisecond)
		p = pod.DeepCopy()
		p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: exitedWith(4)}}
		w.Modify(p)
	}()
	showsNothing := func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error { return nil }
	r := newHarness(t, withAttach(showsNothing), withTerminal()).run(client, "app", "--image=busybox:1.36", "-c", "dbg", "-i")

	if got, want := errString(r.err), "container dbg of pod app exited with code 4"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	var exit uexec.ExitError
	if !errors.As(r.err, &exit) || exit.ExitStatus() != 4 {
		t.Errorf("exit status of %v: want 4", r.err)
	}
	if diff := cmp.Diff("fake logs", r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

// A quick command whose container the kubelet restarted before the session saw it end
// (a copy keeps its pod's restart policy) wrote its output in the logs of its previous
// run: those are shown, with that run's exit code, not the new run's logs.
func TestQuietSessionOfARestartedContainerShowsThePreviousRun(t *testing.T) {
	client := clientWithRunningDebugContainer(false)
	client.PrependReactor("get", "pods", func(action k8stesting.Action) (bool, runtime.Object, error) {
		logs, ok := action.(k8stesting.GenericAction)
		if !ok || logs.GetSubresource() != "log" {
			return false, nil, nil
		}
		if opts, _ := logs.GetValue().(*corev1.PodLogOptions); opts != nil && opts.Previous {
			return true, &runtime.Unknown{Raw: []byte("the run that ended\n")}, nil
		}
		return true, &runtime.Unknown{Raw: []byte("the run after the restart\n")}, nil
	})
	restartedAfterExit := func(_ context.Context, pod *corev1.Pod, _ string, _, _ io.Writer) error {
		return reportStatus(client, pod, corev1.ContainerStatus{Name: "dbg", State: running, LastTerminationState: exitedWith(7), RestartCount: 1}, true)
	}
	r := newHarness(t, withAttach(restartedAfterExit), withTerminal()).run(client, "app", "--image=busybox:1.36", "-c", "dbg", "-i")

	if got, want := errString(r.err), "container dbg of pod app exited with code 7"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if diff := cmp.Diff("the run that ended\n", r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

// clientWithRunningDebugContainer holds pod app, whose watch then reports its
// ephemeral container dbg running, with a TTY or not.
func clientWithRunningDebugContainer(tty bool) *fake.Clientset {
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go func() {
		p := appPod()
		p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", TTY: tty}}}
		p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: running}}
		watcher.Modify(p)
	}()
	return client
}

// sessionStart is what kubectl attach prints on standard error as a session starts.
const sessionStart = "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\n" +
	"If you don't see a command prompt, try pressing enter.\n"

// A session starts with kubectl attach's lines, with or without -i, unless --quiet; a
// -t that cannot be honoured is said first, in kubectl attach's words.
func TestSessionStartMessages(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// piped: standard input is not a terminal.
		piped bool
		// noTTY: the container runs without a TTY whatever -t said.
		noTTY bool
		want  string
	}{
		{name: "-i", args: []string{"-i"}, want: sessionStart},
		{name: "--attach without -i", args: []string{"--attach"}, want: sessionStart},
		{name: "-it from a pipe", args: []string{"-it"}, piped: true,
			want: "Unable to use a TTY - input is not a terminal or the right kind of file\n" + sessionStart},
		{name: "-it, a container without a TTY", args: []string{"-it"}, noTTY: true,
			want: "Warning: Unable to use a TTY - container dbg did not allocate one\n" + sessionStart},
		{name: "-q", args: []string{"-i", "-q"}},
		{name: "-it -q from a pipe", args: []string{"-it", "-q"}, piped: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := clientWithRunningDebugContainer(!tt.piped && !tt.noTTY && slices.Contains(tt.args, "-it"))
			attach := func(_ context.Context, pod *corev1.Pod, _ string, _, _ io.Writer) error {
				return reportStatus(client, pod, corev1.ContainerStatus{Name: "dbg", State: exitedWith(0)}, true)
			}
			opts := []harnessOption{withAttach(attach)}
			if !tt.piped {
				opts = append(opts, withTerminal())
			}
			r := newHarness(t, opts...).run(client, append([]string{"app", "--image=busybox:1.36", "-c", "dbg"}, tt.args...)...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if diff := cmp.Diff(tt.want, r.stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

// A container that ended before the attach shows its logs, and its code is the
// command's.
func TestAttachAfterExit(t *testing.T) {
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go func() {
		p := appPod()
		p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg"}}}
		p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: exitedWith(7)}}
		watcher.Modify(p)
	}()
	r := newHarness(t).run(client, "app", "--image=busybox:1.36", "-c", "dbg", "-i")
	if got, want := errString(r.err), "container dbg of pod app exited with code 7 before it could be attached"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	var exit uexec.ExitError
	if !errors.As(r.err, &exit) || exit.ExitStatus() != 7 {
		t.Errorf("error %v does not carry exit status 7", r.err)
	}
	if r.stdout != "fake logs" {
		t.Errorf("stdout = %q, want the logs", r.stdout)
	}
}

// The kubelet's Started event starts the attach before the pod's status says the
// container runs; an attach that could not connect leaves the decision to the status,
// as if it had not been tried, and the session's start is said once.
func TestAttachOnStartedEvent(t *testing.T) {
	const dbg = "spec.ephemeralContainers{dbg}"
	tests := []struct {
		name string
		// events are the kubelet's; runningAfter reports the container running in the
		// pod's status after them.
		events       []*corev1.Event
		runningAfter bool
		// attaches answers each attach: a status to report and the attach's error.
		attaches []attachAnswer
		// wantEarly is, per attach, whether the status did not yet say running. An
		// attach that showed nothing of a container that ended leaves its logs to show.
		wantEarly  []bool
		wantOut    string
		wantStderr string
		wantErr    string
	}{
		{name: "attached at Started", events: []*corev1.Event{podEvent("1", "app", dbg, "Started", "Started container dbg")},
			attaches:  []attachAnswer{{status: exitedWith(0)}},
			wantEarly: []bool{true}, wantOut: "fake logs", wantStderr: sessionStart},
		{name: "could not connect, ended at once: the logs", events: []*corev1.Event{podEvent("1", "app", dbg, "Started", "Started container dbg")},
			attaches:  []attachAnswer{{status: exitedWith(0), err: errors.New("container not running")}},
			wantEarly: []bool{true}, wantOut: "fake logs",
			wantStderr: sessionStart + "Container dbg exited with code 0 before it could be attached.\n"},
		{name: "could not connect, then running: attached again", events: []*corev1.Event{podEvent("1", "app", dbg, "Started", "Started container dbg")},
			attaches:  []attachAnswer{{status: running, err: errors.New("container not running")}, {status: exitedWith(3)}},
			wantEarly: []bool{true, false}, wantOut: "fake logs", wantStderr: sessionStart, wantErr: "container dbg of pod app exited with code 3"},
		{name: "another container started: the status decides",
			events:       []*corev1.Event{podEvent("1", "app", "spec.containers{web}", "Started", "Started container web")},
			runningAfter: true,
			attaches:     []attachAnswer{{status: exitedWith(0)}},
			wantEarly:    []bool{false}, wantOut: "fake logs", wantStderr: sessionStart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(appPod())
			pods, events := watch.NewFake(), watch.NewFake()
			client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(pods, nil))
			client.PrependWatchReactor("events", k8stesting.DefaultWatchReactor(events, nil))
			go func() {
				for _, e := range tt.events {
					events.Add(e)
				}
				if tt.runningAfter {
					// Sent once the events before it were handled.
					events.Add(podEvent("sync", "app", "spec.containers{web}", "Killing", ""))
					p := appPod()
					p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg"}}}
					p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: running}}
					pods.Modify(p)
				}
			}()
			var early []bool
			attach := func(_ context.Context, pod *corev1.Pod, _ string, _, _ io.Writer) error {
				early = append(early, podutil.Status(pod, "dbg") == nil)
				if len(early) > len(tt.attaches) {
					return errors.New("attached too often")
				}
				answer := tt.attaches[len(early)-1]
				if err := reportStatus(client, pod, corev1.ContainerStatus{Name: "dbg", State: answer.status}, true); err != nil {
					return err
				}
				return answer.err
			}
			r := newHarness(t, withAttach(attach)).run(client, "app", "--image=busybox:1.36", "-c", "dbg", "-i")
			if got := errString(r.err); got != tt.wantErr {
				t.Errorf("error = %q, want %q", got, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantEarly, early); diff != "" {
				t.Errorf("attaches before the status said running (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantOut, r.stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStderr, r.stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

// attachAnswer is how a fake attach answers: the container's state it reports, and the
// attach's error.
type attachAnswer struct {
	status corev1.ContainerState
	err    error
}

// Only an attach that failed before anything of a session happened may be tried again.
func TestAttachmentUnconnected(t *testing.T) {
	shown := func(n int64) *countingWriter { return &countingWriter{n: n} }
	failed := errors.New("container not running")
	tests := []struct {
		name string
		a    attachment
		want bool
	}{
		{name: "failed before the stream", a: attachment{err: failed, out: shown(0), errOut: shown(0)}, want: true},
		{name: "succeeded", a: attachment{out: shown(0), errOut: shown(0)}},
		{name: "input read", a: attachment{err: failed, out: shown(0), errOut: shown(0), stdinRead: true}},
		{name: "output shown", a: attachment{err: failed, out: shown(3), errOut: shown(0)}},
		{name: "errors shown", a: attachment{err: failed, out: shown(0), errOut: shown(1)}},
		{name: "detached", a: attachment{err: errDetached, out: shown(0), errOut: shown(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.unconnected(); got != tt.want {
				t.Errorf("unconnected() = %v, want %v", got, tt.want)
			}
		})
	}
}
