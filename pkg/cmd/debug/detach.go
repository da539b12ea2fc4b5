package debug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	mobyterm "github.com/moby/term"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// defaultDetachKeys is kubectl attach's (and docker's) key sequence for leaving a session.
const defaultDetachKeys = "ctrl-p,ctrl-q"

// errDetached ends a TTY session the user left with the detach keys: the container
// keeps running, and so does its pod, even under --rm.
var errDetached = errors.New("detached")

// parseDetachKeys turns --detach-keys into the bytes the terminal sends for them; nil
// when detaching is disabled.
func parseDetachKeys(keys string) ([]byte, error) {
	if keys == "" {
		return nil, nil
	}
	codes, err := mobyterm.ToBytes(keys)
	if err != nil {
		return nil, fmt.Errorf("invalid --detach-keys %q: give keys separated by commas, each one character or ctrl-a to ctrl-z, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_ or DEL", briefText(keys))
	}
	return codes, nil
}

// detachingReader is a session's input that watches for the detach keys: when they come,
// the keys are not sent, the input ends, and detach is called.
type detachingReader struct {
	keys   io.Reader
	detach func()
}

// newDetachingReader wraps in with the detach keys, calling detach when they are typed.
func newDetachingReader(in io.Reader, keys []byte, detach func()) *detachingReader {
	return &detachingReader{keys: mobyterm.NewEscapeProxy(in, keys), detach: detach}
}

func (r *detachingReader) Read(p []byte) (int, error) {
	n, err := r.keys.Read(p)
	if errors.Is(err, mobyterm.EscapeError{}) {
		r.detach()
		return n, io.EOF
	}
	return n, err
}

// detachable returns in, wrapped so that the detach keys end the stream that reads it
// (by cancelling its context), and whether that happened; in as it is when the session
// is not a TTY one or detaching is disabled.
func (s *session) detachable(ctx context.Context, in io.Reader, tty bool) (io.Reader, context.Context, func() bool, context.CancelFunc) {
	streamCtx, cancel := context.WithCancel(ctx)
	var detached atomic.Bool
	if !tty || !s.interactive || len(s.detachKeys) == 0 {
		return in, streamCtx, detached.Load, cancel
	}
	reader := newDetachingReader(in, s.detachKeys, func() {
		detached.Store(true)
		cancel()
	})
	return reader, streamCtx, detached.Load, cancel
}

// printDetachHint says, as kubectl attach does, how to come back to a session the user
// left; with --rm, that the pod was kept and how to delete it.
func (s *session) printDetachHint(pod *corev1.Pod, container string) {
	s.printResumeHint(pod, container)
	if !s.remove {
		return
	}
	if _, kind := podutil.Find(pod, container); kind == podutil.Ephemeral {
		fmt.Fprintf(s.errOut, "Debug container %s of pod %s/%s keeps running, as the session was left, not ended (--rm)\n", container, pod.Namespace, pod.Name)
		return
	}
	fmt.Fprintf(s.errOut, "Pod %s/%s was kept, as the session was left, not ended (--rm); delete it with: kubectl delete pod %s -n %s\n", pod.Namespace, pod.Name, pod.Name, pod.Namespace)
}
