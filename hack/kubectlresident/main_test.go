package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-debugger/kubectl-debugger/hack/kubectlresident/wire"
)

func TestMain(m *testing.M) {
	logger = log.New(io.Discard, "", 0)
	os.Exit(m.Run())
}

// streams returns a caller's three streams, files of a temporary directory, stdin
// holding in.
func streams(t *testing.T, in string) [3]*os.File {
	t.Helper()
	dir := t.TempDir()
	var s [3]*os.File
	for i, name := range []string{"in", "out", "err"} {
		path := filepath.Join(dir, name)
		if i == 0 {
			if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		s[i] = f
	}
	return s
}

func content(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// server starts serve on a socket of a temporary directory; it stops with the test.
func server(t *testing.T, planner func(wire.Request) (command, error), runner func(command, genericiooptions.IOStreams) int) string {
	t.Helper()
	socket := filepath.Join(t.TempDir(), "s")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(l, planner, runner) }()
	t.Cleanup(func() {
		l.Close()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return socket
}

// ask sends args with s as its streams and returns the reply.
func ask(t *testing.T, socket string, args []string, s [3]*os.File) (ran bool, code int) {
	t.Helper()
	ran, code, err := send(socket, args, s)
	if err != nil {
		t.Fatal(err)
	}
	return ran, code
}

// send is ask for goroutines other than the test's.
func send(socket string, args []string, s [3]*os.File) (ran bool, code int, err error) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		return false, 0, err
	}
	defer conn.Close()
	if err := wire.Send(conn, wire.Request{Args: args, Env: map[string]string{}}, s); err != nil {
		return false, 0, err
	}
	return wire.ReadReply(conn)
}

func TestServeRunsACommandOnTheCallersStreams(t *testing.T) {
	socket := server(t,
		func(req wire.Request) (command, error) {
			return command{args: append([]string{"--planned"}, req.Args...)}, nil
		},
		func(c command, s genericiooptions.IOStreams) int {
			in, _ := io.ReadAll(s.In)
			fmt.Fprintf(s.Out, "ran %q with %q on stdin\n", c.args, in)
			fmt.Fprintln(s.ErrOut, "a warning")
			return 3
		})
	s := streams(t, "manifest")
	ran, code := ask(t, socket, []string{"get", "pods"}, s)
	if !ran || code != 3 {
		t.Errorf("reply: ran %v, status %d; want ran, status 3", ran, code)
	}
	if got, want := content(t, s[1]), "ran [\"--planned\" \"get\" \"pods\"] with \"manifest\" on stdin\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := content(t, s[2]), "a warning\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

func TestServeRefusesWhatItWouldNotRunExactly(t *testing.T) {
	ranAnything := false
	socket := server(t,
		func(wire.Request) (command, error) { return command{}, errors.New("not here") },
		func(command, genericiooptions.IOStreams) int { ranAnything = true; return 0 })
	s := streams(t, "")
	ran, _ := ask(t, socket, []string{"attach", "pod/a"}, s)
	if ran || ranAnything {
		t.Errorf("ran %v, runner called %v: want a refusal and nothing run", ran, ranAnything)
	}
	if out, errOut := content(t, s[1]), content(t, s[2]); out != "" || errOut != "" {
		t.Errorf("a refusal wrote %q and %q: the caller's own kubectl writes next", out, errOut)
	}
}

func TestServeAnswersCommandsAtOnce(t *testing.T) {
	// The first command blocks until the second has run: served one after the other,
	// neither would end.
	second := make(chan struct{})
	socket := server(t,
		func(req wire.Request) (command, error) { return command{args: req.Args}, nil },
		func(c command, s genericiooptions.IOStreams) int {
			if c.args[0] == "wait" {
				<-second
				return 0
			}
			close(second)
			return 0
		})
	first := streams(t, "")
	done := make(chan error)
	go func() {
		ran, _, err := send(socket, []string{"wait"}, first)
		if err == nil && !ran {
			err = errors.New("the first command was not run")
		}
		done <- err
	}()
	if ran, _ := ask(t, socket, []string{"get"}, streams(t, "")); !ran {
		t.Error("the second command was not run")
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}
