//go:build linux

// Command pause is the sandbox ("pause") image's only program on the local real node
// (hack/build-node.sh): it holds the pod's namespaces open, reaps the zombies that land on
// it as PID 1 of a shared PID namespace, and exits on SIGINT or SIGTERM. It also holds the
// node's own mount namespace open (hack/node/ns.sh). Static (CGO_ENABLED=0), so the image
// needs no libc.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: pause (takes no arguments)")
		os.Exit(2)
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		reap()
	}
}

// reap collects every exited child: SIGCHLD may stand for several exits.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
	}
}
