// Command kubectl-debugger-cp is `kubectl debugger cp`: installed beside kubectl-debugger,
// kubectl finds it for `kubectl debugger cp ...`. It copies files in and out of a
// container through a debug container, so the container needs no tar.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// pluginIdentity is the plugin's names for what the debug command owns outside the API,
// as kubectl-debugger passes them: the debug containers the copies add are the plugin's.
var pluginIdentity = debugcmd.Identity{
	ProfilesEnv:      "KUBECTL_DEBUGGER_PROFILES",
	ProfilesDir:      filepath.Join(".kube", "debug-profiles"),
	TargetAnnotation: "kubectl-debugger/target",
}

func main() {
	os.Exit(run(os.Args[1:], genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}

// run runs the command with args and returns the process's exit code: 0, 1 on an
// error, or the shell's code for the signal that stopped it (Ctrl-C, SIGTERM, SIGHUP).
func run(args []string, streams genericiooptions.IOStreams) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)
	var received atomic.Value
	go func() {
		sig := <-signals
		received.Store(sig)
		cancel()
	}()

	configFlags := genericclioptions.NewConfigFlags(true).WithWarningPrinter(streams)
	cmd := newCmd(configFlags, streams)
	// kubectl runs it as "kubectl debugger cp": cobra shows that name in usage and errors.
	cmd.Use = "kubectl-debugger-cp " + cmd.Use[len("cp "):]
	cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl debugger cp"}
	configFlags.AddFlags(cmd.PersistentFlags())
	cmd.SetArgs(args)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(ctx)
	if sig, ok := received.Load().(syscall.Signal); ok {
		fmt.Fprintln(streams.ErrOut, "error: interrupted")
		return 128 + int(sig)
	}
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
		return 1
	}
	return 0
}
