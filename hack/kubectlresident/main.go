// Command kubectlresident keeps the reference kubectl resident for the integration
// suite. It listens on a Unix socket and runs each caller's command (hack/kubectlcall)
// in-process with kubectl's own code, on the caller's standard streams, with its
// arguments and, where they matter, its environment: a suite's assertion then costs a
// connection instead of a kubectl start-up, about 0.1 s of CPU each and the suite's
// largest cost on a 2-core machine.
//
//	kubectlresident -socket PATH
//
// Only callers of the server's own user are served; the socket belongs in a private
// directory. Commands the server cannot run exactly as a kubectl process would (see
// plan) are refused, and the caller runs kubectl itself. What is not per command in a
// process is shared by the commands that run at once: kubectl's klog lines (only with -v,
// or about a server that cannot be reached) go to the server's standard error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-debugger/kubectl-debugger/hack/kubectlresident/wire"
)

// logger writes to the server's standard error; the standard logger is kubectl's once
// a command has run (it sends it to klog).
var logger = log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds)

func main() {
	socket := flag.String("socket", "", "the Unix socket to listen on")
	flag.Parse()
	if *socket == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: kubectlresident -socket PATH")
		os.Exit(2)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: *socket, Net: "unix"})
	if err != nil {
		logger.Fatal(err)
	}
	if err := os.Chmod(*socket, 0o600); err != nil {
		logger.Fatal(err)
	}
	own := wire.RelevantEnv(os.Environ())
	if err := serve(l, func(req wire.Request) (command, error) { return plan(req, own) }, run); err != nil {
		logger.Fatal(err)
	}
}

// serve answers the connections of l until it is closed: each one request, planned by
// plan and run by runner.
func serve(l *net.UnixListener, planner func(wire.Request) (command, error), runner func(command, genericiooptions.IOStreams) int) error {
	for {
		conn, err := l.AcceptUnix()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		go func() {
			defer conn.Close()
			if err := answer(conn, planner, runner); err != nil {
				logger.Printf("request: %v", err)
			}
		}()
	}
}

// answer runs the one request of conn, or refuses it.
func answer(conn *net.UnixConn, planner func(wire.Request) (command, error), runner func(command, genericiooptions.IOStreams) int) error {
	if err := sameUser(conn); err != nil {
		return err
	}
	req, streams, err := wire.Receive(conn)
	if err != nil {
		return err
	}
	defer wire.CloseStreams(streams)
	c, err := planner(req)
	if err != nil {
		logger.Printf("refused %s: %v", strings.Join(req.Args, " "), err)
		return wire.ReplyRefused(conn)
	}
	start := time.Now()
	code := runner(c, genericiooptions.IOStreams{In: streams[0], Out: streams[1], ErrOut: streams[2]})
	logger.Printf("ran %s: exit %d in %v", strings.Join(c.args, " "), code, time.Since(start).Round(time.Millisecond))
	return wire.ReplyRan(conn, code)
}

// sameUser checks that the peer runs as the server's user.
func sameUser(conn *net.UnixConn) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return credErr
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("refused a caller of user %d", cred.Uid)
	}
	return nil
}
