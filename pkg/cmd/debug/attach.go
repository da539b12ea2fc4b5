package debug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	mobyterm "github.com/moby/term"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/kubectl/pkg/util/term"
	uexec "k8s.io/utils/exec"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
	"github.com/kubectl-debugger/kubectl-debugger/internal/streamexec"
)

// attachTo waits for the debug container to run, then attaches the terminal to it; when
// the container already ended or attaching fails, its logs are shown instead. The
// session ends with the container's exit status when it has one.
func (s *session) attachTo(ctx context.Context, pod *corev1.Pod, container string) error {
	running, started, err := s.waitForContainer(ctx, pod, container, true)
	if err != nil {
		return err
	}
	if started {
		// The kubelet said the container started, and its status will say so only
		// after its next relist: attach now, which is what makes a shell come up as
		// soon as the runtime can serve it. An attach that could not connect (the
		// container ended at once, or the runtime was not ready yet) changed nothing,
		// and the status decides what follows, as it would have without this.
		a := s.attachOnce(ctx, running, container)
		if ctx.Err() != nil || !a.unconnected() {
			return s.afterAttach(ctx, running, container, a)
		}
		if running, _, err = s.waitForContainer(ctx, running, container, false); err != nil {
			return err
		}
	}
	if status := podutil.Status(running, container); status != nil && status.State.Terminated != nil {
		if err := s.copyLogs(ctx, running, container, false, false, s.out); err != nil {
			return err
		}
		code := status.State.Terminated.ExitCode
		if code == 0 && !s.quiet {
			fmt.Fprintf(s.errOut, "Container %s exited with code 0 before it could be attached.\n", container)
		}
		return exitStatus(running, container, code, " before it could be attached")
	}
	return s.afterAttach(ctx, running, container, s.attachOnce(ctx, running, container))
}

// attachment is how one attach went.
type attachment struct {
	err error
	// out and errOut count what the container showed.
	out, errOut *countingWriter
	// stdinRead says the attach read the session's input.
	stdinRead bool
}

// unconnected says the attach failed without a session: no input read, nothing shown,
// not detached, so it can be tried again as if it had not happened.
func (a attachment) unconnected() bool {
	return a.err != nil && !errors.Is(a.err, errDetached) && !a.stdinRead && a.out.n+a.errOut.n == 0
}

// attachOnce attaches the terminal to container, once, saying first what kubectl attach
// says as a session starts.
func (s *session) attachOnce(ctx context.Context, pod *corev1.Pod, container string) attachment {
	if !s.sessionStarted {
		s.sessionStarted = true
		if c, _ := podutil.Find(pod, container); c != nil && c.TTY && s.interactive {
			s.in, s.out = consoleStreams(s.in, s.out)
		}
		s.printSessionStart(pod, container)
	}
	// The attach streams only what the container writes once it is connected: what it
	// showed tells whether the logs hold something the user has not seen.
	a := attachment{out: &countingWriter{w: s.out}, errOut: &countingWriter{w: s.errOut}}
	s.stdinRead.Store(false)
	a.err = s.attachFunc(ctx, pod, container, a.out, a.errOut)
	a.stdinRead = s.stdinRead.Load()
	return a
}

// afterAttach ends a session by how its attach went: with the container's exit status,
// the hint to resume it, or its logs when the attach failed before it showed anything.
func (s *session) afterAttach(ctx context.Context, running *corev1.Pod, container string, a attachment) error {
	if err := a.err; err != nil {
		if errors.Is(err, errDetached) {
			s.printDetachHint(running, container)
			return err
		}
		if ctx.Err() != nil {
			// Ctrl-C ended the session; there is nothing to fall back to.
			return fmt.Errorf("attaching to container %q of pod %q: %w", container, running.Name, ctx.Err())
		}
		if a.out.n+a.errOut.n > 0 {
			// The session broke off: replaying the logs would repeat what was shown.
			return fmt.Errorf("attaching to container %q of pod %q: %w", container, running.Name, err)
		}
		fmt.Fprintf(s.errOut, "warning: couldn't attach to pod/%s, falling back to streaming logs: %v\n", running.Name, err)
		// Only a container that reads no input ends by itself: one waiting for the
		// input nobody could send would be followed for ever. No session was held, so
		// there is none to resume.
		if err := s.copyLogs(ctx, running, container, !s.interactive, false, s.out); err != nil {
			return err
		}
		_, _, err := s.waitForExit(ctx, running, container, sessionExitGrace)
		return err
	}
	c, _ := podutil.Find(running, container)
	quiet := a.out.n+a.errOut.n == 0 && c != nil && !c.TTY
	grace := sessionExitGrace
	if quiet {
		grace = quietSessionExitGrace
	}
	exited, restarted, err := s.waitForExit(ctx, running, container, grace)
	if exited == nil && err == nil {
		s.printResumeHint(running, container)
		return nil
	}
	// A quick command can finish before the attach is connected: when the session
	// showed nothing, the logs hold all it wrote. A terminal session always shows
	// something (the terminal echoes), so this is for plain streams only. A container
	// the kubelet restarted since (a copy keeps its pod's restart policy) wrote it in
	// the logs of its previous run.
	if exited != nil && quiet {
		if err := s.copyLogs(ctx, running, container, false, restarted, s.out); err != nil {
			return err
		}
	}
	return err
}

// printSessionStart prints what kubectl attach prints as a session starts, unless
// --quiet: why there is no TTY when -t was asked for, what the container's logs keep,
// and how to get a prompt.
func (s *session) printSessionStart(pod *corev1.Pod, container string) {
	if s.quiet {
		return
	}
	if c, _ := podutil.Find(pod, container); s.tty && c != nil && !c.TTY {
		fmt.Fprintf(s.errOut, "Warning: Unable to use a TTY - container %s did not allocate one\n", container)
	} else if s.ttyUnusable {
		fmt.Fprintln(s.errOut, "Unable to use a TTY - input is not a terminal or the right kind of file")
	}
	fmt.Fprintln(s.errOut, "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.")
	fmt.Fprintln(s.errOut, "If you don't see a command prompt, try pressing enter.")
}

// printResumeHint says how to attach again to a container a terminal session left
// running, in kubectl attach's words, which it prints only after a session with a
// terminal: piped input closed the container's stdin when it ended, and a session
// without a terminal is the container's output, which kubectl logs shows.
func (s *session) printResumeHint(pod *corev1.Pod, container string) {
	c, kind := podutil.Find(pod, container)
	if !s.interactive || s.pipedInput || c == nil || !c.TTY {
		return
	}
	attach := fmt.Sprintf("'kubectl attach %s -c %s -n %s -i -t'", pod.Name, container, pod.Namespace)
	if kind == podutil.Ephemeral {
		s.notice("Session ended, the ephemeral container will not be restarted but may be reattached using " + attach + " if it is still running")
		return
	}
	s.notice("Session ended, resume using " + attach + " command")
}

// exitStatus is nil for code 0, else an error that carries code, so that the command
// exits with the session's status as a shell would (kubectl's error handling does the
// same for it).
func exitStatus(pod *corev1.Pod, container string, code int32, when string) error {
	if code == 0 {
		return nil
	}
	return uexec.CodeExitError{
		Err:  fmt.Errorf("container %s of pod %s exited with code %d%s", container, pod.Name, code, when),
		Code: int(code),
	}
}

// readWatcher records that its reader was read from: a stream reads its input only once
// it is connected.
type readWatcher struct {
	r    io.Reader
	read *atomic.Bool
}

func (r *readWatcher) Read(p []byte) (int, error) {
	r.read.Store(true)
	return r.r.Read(p)
}

// countingWriter counts what goes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// sessionExitGrace bounds the wait, after an attach ends, for the container to be
// reported terminated. An attach normally ends because the container's process exited
// (its output closed), and the kubelet reports that within a second or two; a container
// still running after this was left by a session that can be resumed.
var sessionExitGrace = 5 * time.Second

// quietSessionExitGrace is that bound after a session without a terminal that showed
// nothing: its command most likely ended before the attach was connected, and only the
// status gives its logs and exit code. A kubelet on a busy node can take longer than
// sessionExitGrace to report it, and giving up then would end with nothing shown and
// exit 0.
var quietSessionExitGrace = 30 * time.Second

// waitForExit waits, up to grace, for container to be reported terminated
// after its session ended, and returns how it ended, or nil if it still runs, with
// exitStatus's error for a non-zero code. A restart since pod was read counts: a copy
// keeps its pod's restart policy, and the kubelet may restart the shell before anyone
// sees it terminated. Ctrl-C during the wait is an error, not a session that ended.
func (s *session) waitForExit(ctx context.Context, pod *corev1.Pod, container string, grace time.Duration) (exited *corev1.ContainerStateTerminated, restarted bool, err error) {
	client, err := s.client()
	if err != nil {
		return nil, false, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	w := &exitWait{name: pod.Name, container: container}
	if status := podutil.Status(pod, container); status != nil {
		w.restarts = status.RestartCount
	}
	opts := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", pod.Name).String()}
	err = watchPods(waitCtx, client.CoreV1().Pods(pod.Namespace), opts, w)
	if ctx.Err() != nil {
		return nil, false, fmt.Errorf("waiting for container %q of pod %q to end: %w", container, pod.Name, ctx.Err())
	}
	if err != nil || w.terminated == nil {
		// Still running, gone, or not known in time: the session simply ended.
		return nil, false, nil
	}
	return w.terminated, w.restarted, exitStatus(pod, container, w.terminated.ExitCode, "")
}

// exitWait watches one pod until a container is reported terminated, or restarted after
// ending, or the pod is gone.
type exitWait struct {
	name, container string
	// restarts is the container's restart count when the session started.
	restarts   int32
	terminated *corev1.ContainerStateTerminated
	// restarted says terminated is the last state of a container running again.
	restarted bool
}

func (w *exitWait) listed(pods []corev1.Pod) bool {
	for i := range pods {
		if pods[i].Name == w.name {
			return w.changed(&pods[i], false)
		}
	}
	return true
}

func (w *exitWait) changed(pod *corev1.Pod, deleted bool) bool {
	if pod.Name != w.name {
		return false
	}
	if deleted {
		return true
	}
	s := podutil.Status(pod, w.container)
	switch {
	case s == nil:
		return false
	case s.State.Terminated != nil:
		w.terminated = s.State.Terminated
		return true
	case s.RestartCount > w.restarts && s.LastTerminationState.Terminated != nil:
		w.terminated, w.restarted = s.LastTerminationState.Terminated, true
		return true
	}
	return false
}

// containerWait waits for one pod's container to run or terminate, warning once per new
// reason the container gives for waiting, and gives up at once on a container that will
// never start.
type containerWait struct {
	name, container string
	// warn prints a waiting message; nil stays silent.
	warn        func(string)
	lastMessage string
	pod         *corev1.Pod
	// last is the pod as last seen.
	last *corev1.Pod
	gone bool
	// never is why the container will never start, once that is known.
	never *neverStartsError
	// pulling is told, on each report of the waiting container, whether its image is
	// failing to pull; lastPull is the last failure.
	pulling  func(failing bool)
	lastPull *corev1.ContainerStateWaiting
}

func (w *containerWait) listed(pods []corev1.Pod) bool {
	for i := range pods {
		if pods[i].Name == w.name {
			return w.changed(&pods[i], false)
		}
	}
	w.gone = true
	return true
}

func (w *containerWait) changed(pod *corev1.Pod, deleted bool) bool {
	if pod.Name != w.name {
		return false
	}
	if deleted {
		w.gone = true
		return true
	}
	w.last = pod
	s := podutil.Status(pod, w.container)
	if s != nil && (s.State.Running != nil || s.State.Terminated != nil) {
		w.pod = pod
		return true
	}
	if w.never = neverStarts(pod, w.container, s); w.never != nil {
		return true
	}
	if s == nil {
		return false
	}
	if m := s.State.Waiting; m != nil && m.Message != "" && m.Message != w.lastMessage && w.warn != nil {
		w.lastMessage = m.Message
		w.warn(m.Message)
	}
	failing := pullFailing(s)
	if failing {
		w.lastPull = s.State.Waiting.DeepCopy()
	}
	if w.pulling != nil {
		w.pulling(failing)
	}
	return false
}

// waitForContainer watches pod until container runs or has terminated, reporting why it
// waits, and returns the pod as last seen; it only ends early when ctx is cancelled
// (Ctrl-C), the pod is deleted, or the container can never start. With early, it also
// ends when the kubelet reports the container started, before the pod's status says so,
// and started says that it did.
func (s *session) waitForContainer(ctx context.Context, pod *corev1.Pod, container string, early bool) (last *corev1.Pod, started bool, err error) {
	client, err := s.client()
	if err != nil {
		return nil, false, err
	}
	w := &containerWait{name: pod.Name, container: container}
	if !s.quiet {
		// kubectl's warning printer, coloured on a terminal as kubectl debug's is.
		printer := printers.NewWarningPrinter(s.errOut, printers.WarningPrinterOptions{Color: printers.AllowsColorOutput(s.errOut)})
		w.warn = func(message string) { printer.Print(fmt.Sprintf("container %s: %s", container, message)) }
	}
	// A pull that keeps failing may still succeed, so it does not end the wait at once:
	// --pod-running-timeout after the first failure it does, unless the pull got
	// through meanwhile.
	pullCtx, stopPull := context.WithCancelCause(ctx)
	defer stopPull(nil)
	var pullDeadline *time.Timer
	w.pulling = func(failing bool) {
		switch {
		case failing && pullDeadline == nil:
			pullDeadline = time.AfterFunc(s.podRunningTimeout, func() { stopPull(errPullTimedOut) })
		case !failing && pullDeadline != nil:
			// The pull got through: the container is on its way.
			pullDeadline.Stop()
			pullDeadline = nil
		}
	}
	defer func() {
		if pullDeadline != nil {
			pullDeadline.Stop()
		}
	}()
	waitCtx, stopWait := context.WithCancelCause(pullCtx)
	defer stopWait(nil)
	if showPulls := s.pullProgress; showPulls || early {
		var onStart func()
		if early {
			onStart = func() { stopWait(errStarted) }
		}
		eventsCtx, stopEvents := context.WithCancel(ctx)
		defer stopEvents()
		// Best effort: a caller who may not watch events waits for the status alone.
		if events, err := watchContainerEvents(eventsCtx, client, pod); err == nil {
			// Stopped, and its last line printed, before the session may take the
			// terminal.
			done := make(chan struct{})
			defer func() {
				stopEvents()
				events.Stop()
				<-done
			}()
			go func() {
				defer close(done)
				s.followContainerEvents(eventsCtx, events, pod, container, showPulls, onStart)
			}()
		}
	}
	opts := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", pod.Name).String()}
	if err := watchPods(waitCtx, client.CoreV1().Pods(pod.Namespace), opts, w); err != nil {
		switch {
		case ctx.Err() != nil:
			// The cancellation explains the failure better than what it caused.
			err = ctx.Err()
		case errors.Is(context.Cause(pullCtx), errPullTimedOut):
			return nil, false, pullTimedOut(pod.Name, container, w.lastPull, s.podRunningTimeout)
		case errors.Is(context.Cause(waitCtx), errStarted):
			if w.last != nil {
				pod = w.last
			}
			return pod, true, nil
		}
		return nil, false, serverError(fmt.Sprintf("waiting for container %q of pod %q", container, pod.Name), err)
	}
	if w.gone {
		return nil, false, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, pod.Name)
	}
	if w.never != nil {
		return nil, false, w.never
	}
	return w.pod, false, nil
}

// errStarted ends a wait on the kubelet's word that the container started.
var errStarted = errors.New("the kubelet reported the container started")

// errPullTimedOut ends a wait on an image that kept failing to pull.
var errPullTimedOut = errors.New("the image pull kept failing")

// copyLogs copies the container's logs to w, following them while it runs; previous
// takes those of its run before the last restart.
func (s *session) copyLogs(ctx context.Context, pod *corev1.Pod, container string, follow, previous bool, w io.Writer) error {
	client, err := s.streamClient()
	if err != nil {
		return err
	}
	stream, err := client.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: container, Follow: follow, Previous: previous}).Stream(ctx)
	if err != nil {
		return serverError(fmt.Sprintf("reading the logs of container %q in pod %q", container, pod.Name), err)
	}
	defer stream.Close()
	if _, err := io.Copy(w, stream); err != nil {
		return fmt.Errorf("reading the logs of container %q in pod %q: %w", container, pod.Name, err)
	}
	return nil
}

// remoteAttach attaches the terminal to container with client-go's remote command
// streams: WebSocket first, SPDY for servers that lack it.
func (s *session) remoteAttach(ctx context.Context, pod *corev1.Pod, container string, out, errOut io.Writer) error {
	c, _ := podutil.Find(pod, container)
	if c == nil {
		return fmt.Errorf("container %q not found in pod %q", container, pod.Name)
	}
	tty := c.TTY
	config, err := s.restConfig()
	if err != nil {
		return err
	}
	client, err := s.client()
	if err != nil {
		return err
	}
	t := term.TTY{In: s.in, Out: s.out, Raw: tty && s.interactive}
	req := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("attach").
		VersionedParams(&corev1.PodAttachOptions{
			Container: container,
			Stdin:     s.interactive,
			Stdout:    true,
			Stderr:    !t.Raw,
			TTY:       t.Raw,
		}, scheme.ParameterCodec)

	exec, err := streamexec.New(config, req.URL())
	if err != nil {
		return err
	}

	streams := remotecommand.StreamOptions{Stdout: out, Tty: t.Raw}
	in, streamCtx, detached, stopStream := s.detachable(ctx, s.in, t.Raw)
	defer stopStream()
	if s.interactive {
		streams.Stdin = &readWatcher{r: in, read: &s.stdinRead}
	}
	if !t.Raw {
		streams.Stderr = errOut
	}
	if t.Raw {
		if size := t.GetSize(); size != nil {
			// One size that differs first makes the remote side redraw on re-attach.
			bigger := *size
			bigger.Width++
			bigger.Height++
			streams.TerminalSizeQueue = sizeQueue{t.MonitorSize(&bigger, size)}
		}
	}
	if t.Raw {
		restore, err := rawTerminal(ctx, s.in)
		if err != nil {
			return err
		}
		defer restore()
	}
	err = exec.StreamWithContext(withQuietStreamErrors(streamCtx), streams)
	switch {
	case detached():
		return errDetached
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	}
	return err
}

// rawTerminal puts the terminal of in, if it is one, in raw mode for a TTY session, and
// returns what restores it. The terminal comes back as soon as ctx ends, so what the
// command prints while it stops (the deletion of --rm's pods, what it could not delete)
// reads as lines. kubectl's terminal helper would restore it too, but from a signal
// handler of its own that ends the process, before any of that could happen.
func rawTerminal(ctx context.Context, in io.Reader) (func(), error) {
	fd, isTerminal := mobyterm.GetFdInfo(in)
	if !isTerminal {
		return func() {}, nil
	}
	state, err := mobyterm.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("setting the terminal to raw mode: %w", err)
	}
	var once sync.Once
	restore := func() { once.Do(func() { _ = mobyterm.RestoreTerminal(fd, state) }) }
	stopWatching := context.AfterFunc(ctx, restore)
	return func() {
		stopWatching()
		restore()
	}, nil
}

// clientOS is the operating system the command runs on; tests change it.
var clientOS = runtime.GOOS

// consoleStreams returns, for a terminal session on Windows, the console's own
// streams, as kubectl does: they switch the console to virtual terminal sequences, or
// translate them, without which arrow keys, colours and cursor moves come out wrong.
// Elsewhere, or when in is no terminal, in and out are kept.
func consoleStreams(in io.Reader, out io.Writer) (io.Reader, io.Writer) {
	if _, isTerminal := mobyterm.GetFdInfo(in); clientOS != "windows" || !isTerminal {
		return in, out
	}
	stdin, stdout, _ := mobyterm.StdStreams()
	return stdin, stdout
}

// sizeQueue adapts kubectl's terminal size queue to client-go's.
type sizeQueue struct {
	queue term.TerminalSizeQueue
}

// Next returns the next terminal size, or nil when the terminal is gone.
func (q sizeQueue) Next() *remotecommand.TerminalSize {
	size := q.queue.Next()
	if size == nil {
		return nil
	}
	return &remotecommand.TerminalSize{Width: size.Width, Height: size.Height}
}
