package debug

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// session is present's session part, what follows the writes of a run that kept them:
// the attach, --logs and --rm's cleanup, with all they depend on: the streams, the
// flags that shape a session, how to reach the cluster and how to attach. A test builds
// it on its own.
type session struct {
	console
	in io.Reader
	// attach and logs are --attach (-i implies it) and --logs.
	attach, logs bool
	// interactive is -i; tty is -t as Complete left it, and ttyUnusable says it was
	// dropped because the input is no terminal; pipedInput says the input is a script,
	// which closes the container's stdin when it ends.
	interactive, tty, ttyUnusable, pipedInput bool
	// remove is --rm.
	remove bool
	// pullProgress shows the image pull's progress while waiting: not with --quiet, and
	// only on a terminal, where a long pull would otherwise look like a hang.
	pullProgress bool
	// detachKeys leave a TTY session with the container running; nil disables them.
	detachKeys []byte
	// selector is -l, which chose the pods whose debug containers --logs follows.
	selector string
	// podRunningTimeout bounds the wait on an image that keeps failing to pull.
	podRunningTimeout time.Duration
	// limit bounds the deletes in flight.
	limit int
	// client returns the API client; streamClient the one for followed logs, which
	// --request-timeout does not cut.
	client, streamClient func() (kubernetes.Interface, error)
	// restConfig returns the client configuration the attach streams are opened with.
	restConfig func() (*rest.Config, error)
	// attachFunc attaches the terminal to a running container; what the container
	// shows goes to out and errOut.
	attachFunc func(ctx context.Context, pod *corev1.Pod, container string, out, errOut io.Writer) error
	// stop records when the run was stopped, which bounds the cleanup after it.
	stop *runStop
	// warnMu keeps warnings from concurrent waits whole.
	warnMu sync.Mutex
	// sessionStarted says the session's start was announced, which an attach tried
	// again must not repeat; stdinRead says the last attach read the session's input.
	sessionStarted bool
	stdinRead      atomic.Bool
}

// session returns the session part of a run whose signals are caught.
func (o *DebugOptions) session() *session {
	s := &session{
		console:           o.console(),
		in:                o.In,
		attach:            o.Attach,
		logs:              o.Logs,
		interactive:       o.Interactive,
		tty:               o.TTY,
		ttyUnusable:       o.ttyUnusable,
		pipedInput:        o.pipedInput,
		remove:            o.Remove,
		pullProgress:      !o.Quiet && o.isTerminal(o.ErrOut),
		detachKeys:        o.detachKeys,
		selector:          o.Selector,
		podRunningTimeout: o.PodRunningTimeout,
		limit:             o.concurrency(),
		client:            o.clientset,
		streamClient:      o.streamingClientset,
		restConfig:        o.restClientGetter.ToRESTConfig,
		attachFunc:        o.attachFunc,
		stop:              o.stop,
	}
	if s.attachFunc == nil {
		s.attachFunc = s.remoteAttach
	}
	return s
}

// follow is what follows a single target's write: with --logs its debug container's
// output, else with --attach a session attached to it.
func (s *session) follow(ctx context.Context, pod *corev1.Pod, container string) error {
	switch {
	case s.logs:
		results, err := s.streamLogs(ctx, []logTarget{{pod: pod, container: container}}, logListOptions(""))
		if err != nil {
			return err
		}
		return logFailures(results)
	case s.attach:
		return s.attachTo(ctx, pod, container)
	}
	return nil
}

// followLogs streams, with --logs, the output of the debug containers of the targets
// that were debugged, each line prefixed with its container; failed names those that
// failed or exited non-zero, and err says why the streaming itself stopped.
func (s *session) followLogs(ctx context.Context, outcomes []outcome, namespaced bool) (failed, err error) {
	if !s.logs {
		return nil, nil
	}
	var logs []logTarget
	colour := printers.AllowsColorOutput(s.out)
	for _, out := range outcomes {
		if out.err == nil && out.plan.container != "" {
			t := logTarget{pod: out.pod, container: out.plan.container, mode: out.plan.mode, namespaced: namespaced}
			t.prefix = logPrefix(t.label(), len(logs), colour)
			logs = append(logs, t)
		}
	}
	if len(logs) == 0 {
		return nil, nil
	}
	// One watch per namespace: node debugging pods carry the label that marks them;
	// the pods a selector chose still match it.
	selector := s.selector
	if logs[0].mode == ModeNode {
		selector = labels.SelectorFromSet(nodeDebugLabel).String()
	}
	results, err := s.streamLogs(ctx, logs, logListOptions(selector))
	if err != nil {
		return nil, err
	}
	return logFailures(results), nil
}
