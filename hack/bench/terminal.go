package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// typedAhead is what the person types the moment the command starts, before any prompt:
// a command whose answer the shell computes, so that neither the terminal's echo nor the
// container's echo of the line contains answer.
const (
	typedAhead = "echo $((6*7))ok\r"
	answer     = "42ok"
	exitLine   = "exit\r"
)

// terminalSize is the size of the pseudo-terminal each command runs in.
var terminalSize = pty.Winsize{Rows: 40, Cols: 132}

// sessionTimes are what one terminal session took.
type sessionTimes struct {
	// answered is the time from the command's start to the read that completed answer.
	answered time.Duration
	// transcript is all the terminal showed, for the error messages.
	transcript string
}

// timeToAnswer runs argv as a person at a terminal does: in a pseudo-terminal of its
// own (its controlling terminal, the leader of a new session), with typedAhead typed
// the moment it starts. It returns the time from the start to the moment the terminal
// showed answer, then types exitLine and waits for the command to end, which must end
// with status 0. A command that shows no answer within timeout, or does not end within
// exitTimeout of the exit line, is killed (its whole process group) and is an error.
func timeToAnswer(argv, env []string, timeout, exitTimeout time.Duration) (sessionTimes, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var out transcript
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &terminalSize)
	if err != nil {
		return sessionTimes{}, fmt.Errorf("starting %s in a pseudo-terminal: %w", argv[0], err)
	}
	// Closed only once the command has ended: closing it first would hang the
	// command's terminal up.
	defer tty.Close()
	// Until the command reads its terminal, the terminal's line discipline keeps what
	// is typed, as it would keep a person's keystrokes.
	if _, err := tty.Write([]byte(typedAhead)); err != nil {
		return sessionTimes{}, errors.Join(fmt.Errorf("typing into the terminal: %w", err), kill(cmd))
	}
	found := make(chan time.Duration, 1)
	go func() {
		m := newMatcher(answer)
		buf := make([]byte, 32<<10)
		for {
			n, err := tty.Read(buf)
			if n > 0 {
				at := time.Since(start)
				out.write(buf[:n])
				if m.feed(buf[:n]) {
					found <- at
				}
			}
			// EIO once the command and all it started have closed the terminal.
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var times sessionTimes
	select {
	case times.answered = <-found:
	case err := <-exited:
		return sessionTimes{transcript: out.String()}, fmt.Errorf("ended before the shell answered (%v); the terminal showed:\n%s", err, out.String())
	case <-time.After(timeout):
		err := kill(cmd)
		<-exited
		return sessionTimes{transcript: out.String()}, errors.Join(fmt.Errorf("no answer after %s; the terminal showed:\n%s", timeout, out.String()), err)
	}
	if _, err := tty.Write([]byte(exitLine)); err != nil {
		err = errors.Join(fmt.Errorf("typing the exit line: %w", err), kill(cmd))
		<-exited
		return times, err
	}
	select {
	case err := <-exited:
		times.transcript = out.String()
		if err != nil {
			return times, fmt.Errorf("after the exit line: %w; the terminal showed:\n%s", err, times.transcript)
		}
		return times, nil
	case <-time.After(exitTimeout):
		err := kill(cmd)
		<-exited
		times.transcript = out.String()
		return times, errors.Join(fmt.Errorf("still running %s after the exit line; the terminal showed:\n%s", exitTimeout, times.transcript), err)
	}
}

// kill ends the command's process group: it leads a session of its own, so the group
// is the command and what it started in its terminal.
func kill(cmd *exec.Cmd) error {
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing process group %d: %w", cmd.Process.Pid, err)
	}
	return nil
}

// transcript collects what the terminal shows, written by the reader and read by the
// caller.
type transcript struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *transcript) write(p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
}

func (t *transcript) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// matcher finds a string in a stream read in chunks of any size, also when a chunk
// boundary splits it.
type matcher struct {
	want []byte
	// tail is the end of what was fed, shorter than want: the start of a match that
	// the next chunk may complete.
	tail []byte
	done bool
}

func newMatcher(want string) *matcher { return &matcher{want: []byte(want)} }

// feed reports whether the stream fed so far holds want, true only on the chunk that
// completes the first match.
func (m *matcher) feed(p []byte) bool {
	if m.done {
		return false
	}
	window := append(m.tail, p...)
	if bytes.Contains(window, m.want) {
		m.done = true
		m.tail = nil
		return true
	}
	keep := min(len(window), len(m.want)-1)
	m.tail = append(m.tail[:0:0], window[len(window)-keep:]...)
	return false
}

// commandEnv is the environment of the measured commands: this process's, with the
// cluster's kubeconfig.
func commandEnv(kubeconfig string) []string {
	return append(os.Environ(), "KUBECONFIG="+kubeconfig)
}
