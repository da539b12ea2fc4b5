package debug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
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
	"github.com/kubectl-debugger/kubectl-debugger/internal/remotecmd"
)

// attach waits for the debug container to run, then attaches the terminal to it; when the
// container already ended or attaching fails, its logs are shown instead. The session
// ends with the container's exit status when it has one.
func (o *DebugOptions) attach(ctx context.Context, pod *corev1.Pod, container string) error {
	running, err := o.waitForContainer(ctx, pod.Namespace, pod.Name, container)
	if err != nil {
		return err
	}
	if status := podutil.Status(running, container); status != nil && status.State.Terminated != nil {
		if err := o.copyLogs(ctx, running, container, false, o.Out); err != nil {
			return err
		}
		code := status.State.Terminated.ExitCode
		if code == 0 && !o.Quiet {
			fmt.Fprintf(o.ErrOut, "Container %s exited with code 0 before it could be attached.\n", container)
		}
		return exitStatus(running, container, code, " before it could be attached")
	}
	if c, _ := podutil.Find(running, container); c != nil && c.TTY && o.Interactive {
		o.In, o.Out = consoleStreams(o.In, o.Out)
	}
	o.printSessionStart(running, container)
	// The attach streams only what the container writes once it is connected: what it
	// showed tells whether the logs hold something the user has not seen.
	out, errOut := &countingWriter{w: o.Out}, &countingWriter{w: o.ErrOut}
	if err := o.attachFunc(ctx, running, container, out, errOut); err != nil {
		if errors.Is(err, errDetached) {
			o.printDetachHint(running, container)
			return err
		}
		if ctx.Err() != nil {
			// Ctrl-C ended the session; there is nothing to fall back to.
			return fmt.Errorf("attaching to container %q of pod %q: %w", container, running.Name, ctx.Err())
		}
		if out.n+errOut.n > 0 {
			// The session broke off: replaying the logs would repeat what was shown.
			return fmt.Errorf("attaching to container %q of pod %q: %w", container, running.Name, err)
		}
		fmt.Fprintf(o.ErrOut, "warning: couldn't attach to pod/%s, falling back to streaming logs: %v\n", running.Name, err)
		// Only a container that reads no input ends by itself: one waiting for the
		// input nobody could send would be followed for ever. No session was held, so
		// there is none to resume.
		if err := o.copyLogs(ctx, running, container, !o.Interactive, o.Out); err != nil {
			return err
		}
		_, err := o.waitForExit(ctx, running, container)
		return err
	}
	exited, err := o.waitForExit(ctx, running, container)
	if exited == nil && err == nil {
		o.printResumeHint(running, container)
		return nil
	}
	// A quick command can finish before the attach is connected: when the session
	// showed nothing, the logs hold all it wrote. A terminal session always shows
	// something (the terminal echoes), so this is for plain streams only.
	if c, _ := podutil.Find(running, container); exited != nil && out.n+errOut.n == 0 && c != nil && !c.TTY {
		if err := o.copyLogs(ctx, running, container, false, o.Out); err != nil {
			return err
		}
	}
	return err
}

// printSessionStart prints what kubectl attach prints as a session starts, unless
// --quiet: why there is no TTY when -t was asked for, what the container's logs keep,
// and how to get a prompt.
func (o *DebugOptions) printSessionStart(pod *corev1.Pod, container string) {
	if o.Quiet {
		return
	}
	if c, _ := podutil.Find(pod, container); o.TTY && c != nil && !c.TTY {
		fmt.Fprintf(o.ErrOut, "Warning: Unable to use a TTY - container %s did not allocate one\n", container)
	} else if o.ttyUnusable {
		fmt.Fprintln(o.ErrOut, "Unable to use a TTY - input is not a terminal or the right kind of file")
	}
	fmt.Fprintln(o.ErrOut, "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.")
	fmt.Fprintln(o.ErrOut, "If you don't see a command prompt, try pressing enter.")
}

// printResumeHint says how to attach again to a container a terminal session left
// running, in kubectl attach's words, which it prints only after a session with a
// terminal: piped input closed the container's stdin when it ended, and a session
// without a terminal is the container's output, which kubectl logs shows.
func (o *DebugOptions) printResumeHint(pod *corev1.Pod, container string) {
	c, kind := podutil.Find(pod, container)
	if !o.Interactive || o.pipedInput || c == nil || !c.TTY {
		return
	}
	attach := fmt.Sprintf("'kubectl attach %s -c %s -n %s -i -t'", pod.Name, container, pod.Namespace)
	if kind == podutil.Ephemeral {
		o.notice("Session ended, the ephemeral container will not be restarted but may be reattached using " + attach + " if it is still running")
		return
	}
	o.notice("Session ended, resume using " + attach + " command")
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

// waitForExit waits, up to sessionExitGrace, for container to be reported terminated
// after its session ended, and returns how it ended, or nil if it still runs, with
// exitStatus's error for a non-zero code. A restart since pod was read counts: a copy
// keeps its pod's restart policy, and the kubelet may restart the shell before anyone
// sees it terminated. Ctrl-C during the wait is an error, not a session that ended.
func (o *DebugOptions) waitForExit(ctx context.Context, pod *corev1.Pod, container string) (*corev1.ContainerStateTerminated, error) {
	client, err := o.clientset()
	if err != nil {
		return nil, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, sessionExitGrace)
	defer cancel()
	w := &exitWait{name: pod.Name, container: container}
	if s := podutil.Status(pod, container); s != nil {
		w.restarts = s.RestartCount
	}
	opts := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", pod.Name).String()}
	err = watchPods(waitCtx, client.CoreV1().Pods(pod.Namespace), opts, w)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("waiting for container %q of pod %q to end: %w", container, pod.Name, ctx.Err())
	}
	if err != nil || w.terminated == nil {
		// Still running, gone, or not known in time: the session simply ended.
		return nil, nil
	}
	return w.terminated, exitStatus(pod, container, w.terminated.ExitCode, "")
}

// exitWait watches one pod until a container is reported terminated, or restarted after
// ending, or the pod is gone.
type exitWait struct {
	name, container string
	// restarts is the container's restart count when the session started.
	restarts   int32
	terminated *corev1.ContainerStateTerminated
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
		w.terminated = s.LastTerminationState.Terminated
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
	gone        bool
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
// waits; it only ends early when ctx is cancelled (Ctrl-C) or the pod is deleted.
func (o *DebugOptions) waitForContainer(ctx context.Context, namespace, name, container string) (*corev1.Pod, error) {
	client, err := o.clientset()
	if err != nil {
		return nil, err
	}
	w := &containerWait{name: name, container: container}
	if !o.Quiet {
		// kubectl's warning printer, coloured on a terminal as kubectl debug's is.
		printer := printers.NewWarningPrinter(o.ErrOut, printers.WarningPrinterOptions{Color: printers.AllowsColorOutput(o.ErrOut)})
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
			pullDeadline = time.AfterFunc(o.PodRunningTimeout, func() { stopPull(errPullTimedOut) })
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
	opts := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()}
	if err := watchPods(pullCtx, client.CoreV1().Pods(namespace), opts, w); err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(pullCtx), errPullTimedOut) {
			return nil, pullTimedOut(name, container, w.lastPull, o.PodRunningTimeout)
		}
		// The cancellation explains the failure better than what it caused.
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, serverError(fmt.Sprintf("waiting for container %q of pod %q", container, name), err)
	}
	if w.gone {
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name)
	}
	if w.never != nil {
		return nil, w.never
	}
	return w.pod, nil
}

// errPullTimedOut ends a wait on an image that kept failing to pull.
var errPullTimedOut = errors.New("the image pull kept failing")

// copyLogs copies the container's logs to w, following them while it runs.
func (o *DebugOptions) copyLogs(ctx context.Context, pod *corev1.Pod, container string, follow bool, w io.Writer) error {
	client, err := o.streamingClientset()
	if err != nil {
		return err
	}
	stream, err := client.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: container, Follow: follow}).Stream(ctx)
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
func (o *DebugOptions) remoteAttach(ctx context.Context, pod *corev1.Pod, container string, out, errOut io.Writer) error {
	c, _ := podutil.Find(pod, container)
	if c == nil {
		return fmt.Errorf("container %q not found in pod %q", container, pod.Name)
	}
	tty := c.TTY
	config, err := o.restClientGetter.ToRESTConfig()
	if err != nil {
		return err
	}
	client, err := o.clientset()
	if err != nil {
		return err
	}
	t := term.TTY{In: o.In, Out: o.Out, Raw: tty && o.Interactive}
	req := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("attach").
		VersionedParams(&corev1.PodAttachOptions{
			Container: container,
			Stdin:     o.Interactive,
			Stdout:    true,
			Stderr:    !t.Raw,
			TTY:       t.Raw,
		}, scheme.ParameterCodec)

	exec, err := remotecmd.NewExecutor(config, req.URL())
	if err != nil {
		return err
	}

	streams := remotecommand.StreamOptions{Stdout: out, Tty: t.Raw}
	in, streamCtx, detached, stopStream := o.detachable(ctx, o.In, t.Raw)
	defer stopStream()
	if o.Interactive {
		streams.Stdin = in
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
		restore, err := rawTerminal(ctx, o.In)
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
