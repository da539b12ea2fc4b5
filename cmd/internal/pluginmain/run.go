// Package pluginmain is what every plugin binary of the project shares around its
// command: kubectl's global flags, kuberc, --match-server-version, the garbage
// collector's settings, signals, and errors and exit codes as kubectl reports them.
package pluginmain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/rest"
	uexec "k8s.io/utils/exec"

	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// Plugin is one plugin binary: how to build its command.
type Plugin struct {
	// KubectlCommand is the kubectl command whose kuberc defaults apply to the plugin's
	// flags ("debug" for the debug command).
	KubectlCommand string
	// New returns the plugin's command, reading the cluster through getter. The global
	// flags are added to it afterwards.
	New func(getter genericclioptions.RESTClientGetter, streams genericiooptions.IOStreams) *cobra.Command
	// CompletionTimeout bounds a shell completion (__complete) as a whole; zero is 5 s.
	CompletionTimeout time.Duration
}

// defaultCompletionTimeout keeps a shell waiting on a <TAB> from hanging, whatever the
// flags make it read first.
const defaultCompletionTimeout = 5 * time.Second

// stopGrace is how long the command has, after the first Ctrl-C, SIGTERM or SIGHUP, to
// stop by itself before the process is ended anyway, or at once on a second signal.
// Every step the command blocks on ends at the signal, and the cleanup after it
// (restoring the terminal, deleting what --rm owns, naming what it could not) is
// bounded to well under a second, so this only catches a step that fails to stop: it is
// a backstop, not the budget, and must not cut that cleanup short on a loaded machine.
const stopGrace = 3 * time.Second

// Main runs the plugin with the process's arguments and streams and exits with its code.
func (p Plugin) Main() {
	tuneGC()
	os.Exit(p.Run(os.Args[1:], genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}

// NewGetter returns the kubeconfig getter of the plugin's commands over flags: it refuses
// kubeconfig files that cannot be read safely and, with matchServerVersion, checks the
// server's version before the first request; ctx ends that check.
func NewGetter(ctx context.Context, flags *genericclioptions.ConfigFlags, matchServerVersion bool) *MatchVersionGetter {
	return &MatchVersionGetter{RESTClientGetter: flags, kubeconfig: flags.KubeConfig, match: matchServerVersion, ctx: ctx}
}

// Command returns the plugin's command with kubectl's global flags, and what applies
// them once they are parsed; args are the command's arguments, which kuberc reads.
func (p Plugin) Command(ctx context.Context, streams genericiooptions.IOStreams, args []string) (*cobra.Command, *GlobalFlags) {
	configFlags := genericclioptions.NewConfigFlags(true).WithDeprecatedPasswordFlag().WithDiscoveryBurst(300).WithDiscoveryQPS(50.0).WithWarningPrinter(streams)
	getter := NewGetter(ctx, configFlags, false)
	cmd := p.New(getter, streams)
	cmd.SilenceErrors = true
	return cmd, addGlobalFlags(cmd, configFlags, getter, args, p.KubectlCommand)
}

// Run runs the command with args and returns the process's exit code.
func (p Plugin) Run(args []string, streams genericiooptions.IOStreams) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	received := watchSignals(cancel)

	cmd, globals := p.Command(ctx, streams, args)
	getter := globals.getter
	warnings := rest.NewWarningWriter(streams.ErrOut, rest.WarningWriterOptions{Deduplicate: true, Color: printers.AllowsColorOutput(streams.ErrOut)})
	rest.SetDefaultWarningHandler(warnings)
	completionTimeout := p.CompletionTimeout
	if completionTimeout == 0 {
		completionTimeout = defaultCompletionTimeout
	}
	stopCompletion := context.CancelFunc(func() {})
	defer func() { stopCompletion() }()
	cmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		// A kubeconfig or kuberc at fault is no misuse of the command: its error says
		// what is wrong, and a page of usage would bury it.
		cmd.SilenceUsage = true
		// cmd is the command cobra runs: its completion command, whatever flags come
		// before it, gets the deadline, which the completion and the getter share.
		if name := cmd.Name(); name == cobra.ShellCompRequestCmd || name == cobra.ShellCompNoDescRequestCmd {
			var bounded context.Context
			bounded, stopCompletion = context.WithTimeout(cmd.Context(), completionTimeout)
			cmd.SetContext(bounded)
			getter.ctx = bounded
		}
		return globals.apply(cmd)
	}
	cmd.SetArgs(args)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)

	err := cmd.ExecuteContext(ctx)
	if err == nil && globals.warningsAsErrors {
		switch n := warnings.WarningCount(); n {
		case 0:
		case 1:
			err = errors.New("1 warning received")
		default:
			err = fmt.Errorf("%d warnings received", n)
		}
	}
	sig, _ := received.Load().(os.Signal)
	if err != nil {
		msg := formatError(err)
		var prefs preferencesError
		if errors.As(err, &prefs) {
			// kubectl's own words, as kubectl prints them.
			msg = prefs.Error()
		}
		if sig != nil {
			// The user stopped it: what was cut short is no fault of the call.
			msg = strings.ReplaceAll(msg, context.Canceled.Error(), "interrupted")
		}
		fmt.Fprintln(streams.ErrOut, msg)
		var usage *debugcmd.UsageError
		if errors.As(err, &usage) && sig == nil {
			fmt.Fprintln(streams.ErrOut, usage.Hint())
		}
	}
	if sig != nil {
		return signalExitCode(sig)
	}
	// A session's container exited non-zero: its code is the command's, as kubectl's
	// error handling does for exit errors.
	var exit uexec.ExitError
	if errors.As(err, &exit) {
		// A process's status is one byte; a code that is a multiple of 256 (Windows
		// containers report larger ones) must not read as success.
		if code := exit.ExitStatus() & 0xff; code != 0 {
			return code
		}
		return 1
	}
	if err != nil {
		return 1
	}
	return 0
}

// watchSignals cancels the command's context at the first SIGINT, SIGTERM or SIGHUP,
// and ends the process if it has not stopped within stopGrace, or at once on a second
// SIGINT or SIGTERM, with the shell's code for the first one. It returns where the first signal
// is recorded.
func watchSignals(cancel context.CancelFunc) *atomic.Value {
	var received atomic.Value
	signals := make(chan os.Signal, 2)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		// What the process was started ignoring (nohup's SIGHUP) stays ignored.
		if !signal.Ignored(sig) {
			signal.Notify(signals, sig)
		}
	}
	go func() {
		sig := <-signals
		received.Store(sig)
		cancel()
		backstop := time.After(stopGrace)
		for {
			select {
			case again := <-signals:
				// A terminal that closes may send SIGHUP twice: only a person insists.
				if again == syscall.SIGHUP {
					continue
				}
			case <-backstop:
			}
			os.Exit(signalExitCode(sig))
		}
	}()
	return &received
}

// signalExitCode is the exit code a shell reports for a process ended by sig.
func signalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// SetVersion makes --version print binary's version and commit, which the build stamps,
// and the Kubernetes release of its client libraries.
func SetVersion(cmd *cobra.Command, binary, version, commit string) {
	cmd.Version = fmt.Sprintf("%s (commit %s), client libraries Kubernetes %s", version, commit, ClientVersion().GitVersion)
	cmd.SetVersionTemplate(binary + " {{.Version}}\n")
}
