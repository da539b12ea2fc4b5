// Command kubectlcall is the integration suite's kubectl. It hands its arguments and its
// standard streams to the resident kubectl listening on $KD_KUBECTL_SOCKET
// (hack/kubectlresident), which runs them with kubectl's own code, and exits with the
// status the command ended with. When nothing answers there, or the server refuses the
// command, it becomes the reference kubectl ($KD_KUBECTL) with the same arguments: the
// caller sees the same output and status either way, and an assertion costs a
// connection rather than a kubectl start-up.
package main

import (
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/kubectl-debugger/kubectl-debugger/hack/kubectlresident/wire"
)

func main() {
	kubectl := os.Getenv("KD_KUBECTL")
	if kubectl == "" {
		fmt.Fprintln(os.Stderr, "kubectlcall: KD_KUBECTL names no kubectl")
		os.Exit(2)
	}
	if socket := os.Getenv("KD_KUBECTL_SOCKET"); socket != "" {
		if code, ran := call(socket, os.Args[1:]); ran {
			os.Exit(code)
		}
	}
	err := syscall.Exec(kubectl, append([]string{kubectl}, os.Args[1:]...), os.Environ())
	fmt.Fprintf(os.Stderr, "kubectlcall: running %s: %v\n", kubectl, err)
	os.Exit(2)
}

// call asks the resident kubectl to run args; ran is false when it did not, and nothing
// was written. A server that goes away after it started the command leaves the status
// unknown: that ends the call with status 2.
func call(socket string, args []string) (code int, ran bool) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		return 0, false
	}
	defer conn.Close()
	dir, err := os.Getwd()
	if err != nil {
		return 0, false
	}
	req := wire.Request{Args: args, Dir: dir, Env: wire.RelevantEnv(os.Environ())}
	if err := wire.Send(conn, req, [3]*os.File{os.Stdin, os.Stdout, os.Stderr}); err != nil {
		return 0, false
	}
	ran, code, err = wire.ReadReply(conn)
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "kubectlcall: the resident kubectl went away during the command: %v\n", err)
		return 2, true
	case !ran:
		return 0, false
	}
	return code, true
}
