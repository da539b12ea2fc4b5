package debug

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// logTarget is one debug container whose output --logs streams.
type logTarget struct {
	pod       *corev1.Pod
	container string
	// mode is how the pod was debugged: node debugging pods are found by their label.
	mode Mode
	// prefix starts each line of its output; empty for a single target.
	prefix string
	// namespaced names the pod's namespace too: the targets span namespaces.
	namespaced bool
}

// label names the container in prefixes and messages: pod/NAME/CONTAINER, or
// pod/NAMESPACE/NAME/CONTAINER when the targets span namespaces. kubectl logs --prefix
// never names the namespace, so a pod name alone can mean two pods there.
func (t logTarget) label() string {
	if t.namespaced {
		return "pod/" + t.pod.Namespace + "/" + t.pod.Name + "/" + t.container
	}
	return "pod/" + t.pod.Name + "/" + t.container
}

// logResult is how one streamed container ended.
type logResult struct {
	target   logTarget
	exitCode int32
	err      error
}

// streamLogs waits for each target's container to start, streams its output to s.out
// line by line, and returns how each ended once all have exited. The waits share one
// watch per namespace, however many targets there are.
func (s *session) streamLogs(ctx context.Context, targets []logTarget, opts func(namespace string, names []string) metav1.ListOptions) ([]logResult, error) {
	client, err := s.client()
	if err != nil {
		return nil, err
	}
	out := &lineWriter{w: s.out}
	byNamespace := map[string][]int{}
	for i, t := range targets {
		byNamespace[t.pod.Namespace] = append(byNamespace[t.pod.Namespace], i)
	}
	results := make([]logResult, len(targets))
	var g errgroup.Group
	for _, ns := range slices.Sorted(maps.Keys(byNamespace)) {
		indexes := byNamespace[ns]
		waits := &logWaits{byName: map[string]*logWait{}, warn: s.logWarning}
		names := make([]string, 0, len(indexes))
		for _, i := range indexes {
			w := &logWait{target: targets[i], result: &results[i], started: make(chan *corev1.Pod, 1), ended: make(chan struct{})}
			results[i].target = targets[i]
			waits.byName[targets[i].pod.Name] = w
			names = append(names, targets[i].pod.Name)
		}
		g.Go(func() error {
			waits.abandon(s.watchLogWaits(ctx, client.CoreV1().Pods(ns), opts(ns, names), waits))
			return nil
		})
		for _, w := range waits.byName {
			g.Go(func() error {
				w.stream(ctx, s, out)
				return nil
			})
		}
	}
	_ = g.Wait()
	return results, ctx.Err()
}

// logListOptions selects the pods to watch in a namespace: one pod by name, else the
// label selector that chose them, if any.
func logListOptions(selector string) func(string, []string) metav1.ListOptions {
	return func(_ string, names []string) metav1.ListOptions {
		if len(names) == 1 {
			return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", names[0]).String()}
		}
		return metav1.ListOptions{LabelSelector: selector}
	}
}

// logWait follows one container through start (streaming begins) and end.
type logWait struct {
	target  logTarget
	result  *logResult
	started chan *corev1.Pod
	ended   chan struct{}
	// state is 0 waiting, 1 started, 2 ended; only the watch goroutine touches it.
	state int
	// lastMessage is the last reason for waiting reported, so each is said once.
	lastMessage string
	// pullFailedAt is when the container's image first failed to pull; lastPull is
	// the last failure.
	pullFailedAt time.Time
	lastPull     *corev1.ContainerStateWaiting
}

// logWaits dispatches one namespace's pod events to the waits by pod name.
type logWaits struct {
	byName map[string]*logWait
	// warn reports why a container is still waiting to start.
	warn func(pod, container, message string)
	// pullTimeout bounds the wait on an image that keeps failing to pull, from its
	// first failure; pullFailing is called with the time of a container's first one.
	pullTimeout time.Duration
	pullFailing func(at time.Time)
}

// watchLogWaits runs the namespace's watch for waits until every container has ended,
// giving up on an image that has kept failing to pull for --pod-running-timeout: its
// deadline stops the watch, the waits past it end, and the watch starts again for the
// others.
func (s *session) watchLogWaits(ctx context.Context, pods corev1client.PodInterface, opts metav1.ListOptions, waits *logWaits) error {
	waits.pullTimeout = s.podRunningTimeout
	for {
		watchCtx, stop := context.WithCancelCause(ctx)
		var timers []*time.Timer
		waits.pullFailing = func(at time.Time) {
			timers = append(timers, time.AfterFunc(time.Until(at.Add(waits.pullTimeout)), func() { stop(errPullTimedOut) }))
		}
		// Pulls that failed before the watch started again keep their deadlines.
		for _, w := range waits.byName {
			if w.state == 0 && w.lastPull != nil {
				waits.pullFailing(w.pullFailedAt)
			}
		}
		err := watchPods(watchCtx, pods, opts, waits)
		for _, t := range timers {
			t.Stop()
		}
		timedOut := ctx.Err() == nil && errors.Is(context.Cause(watchCtx), errPullTimedOut)
		stop(nil)
		if !timedOut {
			return err
		}
		if waits.expirePulls(time.Now()) {
			return nil
		}
	}
}

// expirePulls ends the waits on images that have kept failing to pull for the timeout
// as of now, and tells whether every wait has ended.
func (ws *logWaits) expirePulls(now time.Time) bool {
	for _, w := range ws.byName {
		if w.state == 0 && w.lastPull != nil && now.Sub(w.pullFailedAt) >= ws.pullTimeout {
			w.finish(0, pullTimedOut(w.target.pod.Name, w.target.container, w.lastPull, ws.pullTimeout))
		}
	}
	return ws.done()
}

func (ws *logWaits) listed(pods []corev1.Pod) bool {
	seen := make(map[string]bool, len(ws.byName))
	for i := range pods {
		if _, wanted := ws.byName[pods[i].Name]; wanted {
			seen[pods[i].Name] = true
			ws.changed(&pods[i], false)
		}
	}
	for name, w := range ws.byName {
		if !seen[name] {
			w.finish(0, fmt.Errorf("pod %q was deleted", name))
		}
	}
	return ws.done()
}

func (ws *logWaits) changed(pod *corev1.Pod, deleted bool) bool {
	w, wanted := ws.byName[pod.Name]
	if !wanted {
		return false
	}
	if deleted {
		w.finish(0, fmt.Errorf("pod %q was deleted", pod.Name))
		return ws.done()
	}
	s := podutil.Status(pod, w.target.container)
	if w.state == 0 && (s == nil || (s.State.Running == nil && s.State.Terminated == nil)) {
		if never := neverStarts(pod, w.target.container, s); never != nil {
			w.finish(0, never)
			return ws.done()
		}
	}
	if s == nil {
		return false
	}
	if waiting := s.State.Waiting; waiting != nil && waiting.Message != "" && waiting.Message != w.lastMessage && ws.warn != nil {
		w.lastMessage = waiting.Message
		ws.warn(pod.Name, w.target.container, waiting.Message)
	}
	switch {
	case w.state != 0:
	case pullFailing(s):
		w.lastPull = s.State.Waiting.DeepCopy()
		if w.pullFailedAt.IsZero() {
			w.pullFailedAt = time.Now()
			if ws.pullFailing != nil {
				ws.pullFailing(w.pullFailedAt)
			}
		}
	case w.lastPull != nil:
		// The pull got through: the container is on its way, with no deadline.
		w.lastPull, w.pullFailedAt = nil, time.Time{}
	}
	if (s.State.Running != nil || s.State.Terminated != nil) && w.state == 0 {
		w.state = 1
		w.started <- pod
	}
	if t := s.State.Terminated; t != nil {
		w.finish(t.ExitCode, nil)
	}
	return ws.done()
}

func (ws *logWaits) done() bool {
	for _, w := range ws.byName {
		if w.state != 2 {
			return false
		}
	}
	return true
}

// abandon ends every wait still open when the watch stops for good.
func (ws *logWaits) abandon(err error) {
	if err == nil {
		err = fmt.Errorf("stopped watching")
	}
	for _, w := range ws.byName {
		w.finish(0, fmt.Errorf("waiting for container %q: %w", w.target.container, err))
	}
}

// finish records how the container ended, once.
func (w *logWait) finish(code int32, err error) {
	if w.state == 2 {
		return
	}
	if w.state == 0 {
		close(w.started)
	}
	w.state = 2
	w.result.exitCode, w.result.err = code, err
	close(w.ended)
}

// stream copies the container's output once it starts, then waits for its end.
func (w *logWait) stream(ctx context.Context, s *session, out *lineWriter) {
	pod, ok := <-w.started
	if ok {
		status := podutil.Status(pod, w.target.container)
		follow := status == nil || status.State.Terminated == nil
		dst := out.prefixed(w.target.prefix)
		if err := s.copyLogs(ctx, pod, w.target.container, follow, false, dst); err != nil {
			dst.Close()
			<-w.ended
			if w.result.err == nil {
				w.result.err = err
			}
			return
		}
		dst.Close()
	}
	<-w.ended
}

// logWarning says why a container --logs waits for has not started (an image that
// cannot be pulled, a pod that cannot be scheduled), as the attach's wait does.
func (s *session) logWarning(pod, container, message string) {
	if s.quiet {
		return
	}
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	fmt.Fprintf(s.errOut, "Warning: pod/%s container %s: %s\n", pod, container, message)
}

// maxPartialLine bounds a line kept until its end: output without newlines (a progress
// bar, a binary) is written in pieces of this size rather than held whole.
const maxPartialLine = 64 << 10

// lineWriter writes whole lines from many streams to one writer, so lines of different
// containers never interleave mid-line.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// prefixed returns a writer that prefixes each line written to it.
func (l *lineWriter) prefixed(prefix string) *prefixWriter {
	return &prefixWriter{out: l, prefix: prefix}
}

func (l *lineWriter) writeLine(prefix string, line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, prefix)
	l.w.Write(line)
}

// prefixWriter buffers a partial line until its end.
type prefixWriter struct {
	out     *lineWriter
	prefix  string
	partial []byte
}

func (p *prefixWriter) Write(data []byte) (int, error) {
	n := len(data)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			p.partial = append(p.partial, data...)
			if len(p.partial) >= maxPartialLine {
				p.out.writeLine(p.prefix, append(p.partial, '\n'))
				p.partial = nil
			}
			break
		}
		line := append(p.partial, data[:i+1]...)
		p.partial = nil
		p.out.writeLine(p.prefix, line)
		data = data[i+1:]
	}
	return n, nil
}

// Close writes what is left of a last line without a newline.
func (p *prefixWriter) Close() {
	if len(p.partial) > 0 {
		p.out.writeLine(p.prefix, append(p.partial, '\n'))
		p.partial = nil
	}
}

// logPrefix is the prefix of the lines of the container label names, as kubectl logs
// --prefix writes it, coloured on a terminal so that neighbouring containers stand apart.
func logPrefix(label string, index int, colour bool) string {
	prefix := "[" + label + "]"
	if colour {
		codes := []int{31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96}
		prefix = fmt.Sprintf("\033[%dm%s\033[0m", codes[index%len(codes)], prefix)
	}
	return prefix + " "
}

// logFailures is the error for the streamed containers that failed or exited non-zero.
func logFailures(results []logResult) error {
	var failed []string
	for _, r := range results {
		switch {
		case r.err != nil:
			failed = append(failed, fmt.Sprintf("%s: %v", r.target.label(), r.err))
		case r.exitCode != 0:
			failed = append(failed, fmt.Sprintf("%s exited with code %d", r.target.label(), r.exitCode))
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(results) == 1:
		return errors.New(failed[0])
	}
	return fmt.Errorf("%d of %d debug containers failed: %s", len(failed), len(results), listSome(failed, 5))
}
