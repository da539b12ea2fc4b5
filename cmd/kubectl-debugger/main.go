// Command kubectl-debugger is `kubectl debug` as a kubectl plugin (`kubectl debugger ...`)
// or standalone: it takes exactly the arguments that come after `kubectl debug`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// pluginName is how users call the plugin through kubectl.
const pluginName = "kubectl debugger"

func main() {
	// A debug call lives for tens of milliseconds and allocates a few MiB: collecting
	// garbage would only steal one of the two cores it may have. The heap stays far
	// below what the binary itself maps, so peak memory barely moves. A fan-out over
	// thousands of pods holds far more; the soft limit brings the collector back before
	// it grows to many times what is live.
	debug.SetGCPercent(800)
	debug.SetMemoryLimit(48 << 20)
	os.Exit(run())
}

func run() int {
	// Ctrl-C while waiting for the container cancels the wait; inside a raw terminal
	// session it goes to the container instead.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	configFlags := genericclioptions.NewConfigFlags(true).WithDeprecatedPasswordFlag().WithDiscoveryBurst(300).WithDiscoveryQPS(50.0)
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}

	cmd := debugcmd.NewCmdDebug(configFlags, streams)
	// As a plugin the command is "kubectl debugger": cobra shows the display name in
	// usage and errors, and the examples, written for kubectl's "kubectl debug", get
	// the plugin's name.
	cmd.Use = "kubectl-debugger " + strings.TrimPrefix(cmd.Use, "debug ")
	cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: pluginName}
	cmd.Example = strings.ReplaceAll(cmd.Example, "kubectl debug ", pluginName+" ")
	cmd.SilenceErrors = true
	configFlags.AddFlags(cmd.PersistentFlags())
	// -v=6 and up show the API requests, as in kubectl.
	logFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(logFlags)
	cmd.PersistentFlags().AddGoFlag(logFlags.Lookup("v"))
	cmd.PersistentFlags().Lookup("v").Shorthand = "v"

	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, formatError(err))
		var usage *debugcmd.UsageError
		if errors.As(err, &usage) {
			fmt.Fprintln(os.Stderr, usage.Hint())
		}
		return 1
	}
	return 0
}

// formatError prints API errors the way kubectl does, so users recognise the server's
// reason (Forbidden, NotFound, a Pod Security refusal...).
func formatError(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Reason != "" {
		if msg := err.Error(); msg == status.Status().Message {
			return fmt.Sprintf("Error from server (%s): %s", status.Status().Reason, msg)
		}
	}
	return "error: " + err.Error()
}
