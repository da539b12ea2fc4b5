// Command kubectl-debugger is `kubectl debug` as a kubectl plugin (`kubectl debugger ...`)
// or standalone: it takes exactly the arguments that come after `kubectl debug`, and
// kubectl's global flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/rest"
	uexec "k8s.io/utils/exec"

	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// pluginName is how users call the plugin through kubectl.
const pluginName = "kubectl debugger"

// pluginIdentity is the plugin's names for what the command owns outside the API, in
// place of kubectl's: the plugin's users keep their profile directory and variable, and
// pods it creates are not taken for kubectl's.
var pluginIdentity = debugcmd.Identity{
	ProfilesEnv:      "KUBECTL_DEBUGGER_PROFILES",
	ProfilesDir:      filepath.Join(".kube", "debug-profiles"),
	TargetAnnotation: "kubectl-debugger/target",
}

// Set by the build (make): the project's version and commit.
var (
	version = "unknown"
	commit  = "unknown"
)

// completionTimeout bounds a shell completion (__complete) as a whole: a shell waiting
// on a <TAB> must not hang, whatever the flags make it read first.
var completionTimeout = 5 * time.Second

// stopGrace is how long the command has, after the first Ctrl-C, SIGTERM or SIGHUP, to
// stop by itself before the process is ended anyway, or at once on a second signal.
// Every step the command blocks on ends at the signal, and the cleanup after it
// (restoring the terminal, deleting what --rm owns, naming what it could not) is
// bounded to well under a second, so this only catches a step that fails to stop: it is
// a backstop, not the budget, and must not cut that cleanup short on a loaded machine.
const stopGrace = 3 * time.Second

func main() {
	tuneGC()
	os.Exit(run(os.Args[1:], genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}

// newPluginCommand returns the debug command as the plugin: under the plugin's names,
// with kubectl's global flags.
func newPluginCommand(configFlags *genericclioptions.ConfigFlags, getter *matchVersionGetter, streams genericiooptions.IOStreams, args []string) (*cobra.Command, *globalFlags) {
	cmd := debugcmd.NewCmdDebugWithIdentity(getter, streams, pluginIdentity)
	// As a plugin the command is "kubectl debugger": cobra shows the display name in
	// usage and errors, and the examples, written for kubectl's "kubectl debug", get
	// the plugin's name.
	cmd.Use = "kubectl-debugger " + strings.TrimPrefix(cmd.Use, "debug ")
	cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: pluginName}
	cmd.Example = strings.ReplaceAll(cmd.Example, "kubectl debug ", pluginName+" ")
	cmd.Version = fmt.Sprintf("%s (commit %s), client libraries Kubernetes %s", version, commit, clientVersion().GitVersion)
	cmd.SetVersionTemplate("kubectl-debugger {{.Version}}\n")
	cmd.SilenceErrors = true
	return cmd, addGlobalFlags(cmd, configFlags, getter, args)
}

// run runs the command with args and returns the process's exit code.
func run(args []string, streams genericiooptions.IOStreams) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	received := watchSignals(cancel)

	configFlags := genericclioptions.NewConfigFlags(true).WithDeprecatedPasswordFlag().WithDiscoveryBurst(300).WithDiscoveryQPS(50.0).WithWarningPrinter(streams)
	getter := &matchVersionGetter{RESTClientGetter: configFlags, kubeconfig: configFlags.KubeConfig, ctx: ctx}
	cmd, globals := newPluginCommand(configFlags, getter, streams, args)
	warnings := rest.NewWarningWriter(streams.ErrOut, rest.WarningWriterOptions{Deduplicate: true, Color: printers.AllowsColorOutput(streams.ErrOut)})
	rest.SetDefaultWarningHandler(warnings)
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

// formatError prints errors the way kubectl's error handling does, so users recognise
// the server's reason (Forbidden, NotFound, a Pod Security refusal...) and the fields a
// refused object got wrong.
func formatError(err error) string {
	if unknown, ok := err.(*meta.NoResourceMatchError); ok {
		return unknownTypeMessage(unknown.PartialResource)
	}
	if u, ok := err.(*url.Error); ok {
		if strings.Contains(u.Err.Error(), "connection refused") {
			host := u.URL
			if server, perr := url.Parse(u.URL); perr == nil {
				host = server.Host
			}
			return fmt.Sprintf("The connection to the server %s was refused - did you specify the right host or port?", host)
		}
		return fmt.Sprintf("Unable to connect to the server: %v", u.Err)
	}
	if agg, ok := err.(utilerrors.Aggregate); ok {
		errs := agg.Errors()
		if len(errs) == 1 {
			return formatError(errs[0])
		}
		lines := make([]string, len(errs))
		for i, err := range errs {
			if lines[i] = serverMessage(err); lines[i] == "" {
				lines[i] = err.Error()
			}
		}
		return strings.Join(lines, "\n")
	}
	if s, ok := serverStatus(err); ok && s.Reason == metav1.StatusReasonInvalid {
		return formatInvalid(s)
	}
	if msg := serverMessage(err); msg != "" {
		return msg
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "error: ") {
		return msg
	}
	return "error: " + msg
}

// serverStatus is the status of an error the server returned, when err is that error
// and not one that wraps it with more words.
func serverStatus(err error) (metav1.Status, bool) {
	var status apierrors.APIStatus
	if errors.As(err, &status) && err.Error() == status.Status().Message {
		return status.Status(), true
	}
	return metav1.Status{}, false
}

// serverMessage prints an error the server returned with its reason, or is empty for
// any other error.
func serverMessage(err error) string {
	s, ok := serverStatus(err)
	switch {
	case !ok:
		return ""
	case s.Reason == metav1.StatusReasonUnauthorized:
		return fmt.Sprintf("error: You must be logged in to the server (%s)", s.Message)
	case s.Reason != "":
		return fmt.Sprintf("Error from server (%s): %s", s.Reason, s.Message)
	}
	return "Error from server: " + s.Message
}

// formatInvalid prints an object the server refused with the fields at fault, one a
// line when there are several.
func formatInvalid(s metav1.Status) string {
	msg := "The request is invalid"
	if s.Details == nil {
		if s.Message != "" {
			msg += ": " + s.Message
		}
		return msg
	}
	if s.Details.Kind != "" || s.Details.Name != "" {
		msg = fmt.Sprintf("The %s %q is invalid", s.Details.Kind, s.Details.Name)
	} else if len(s.Details.Causes) == 0 && s.Message != "" {
		msg += ": " + s.Message
	}
	var causes []string
	for _, c := range s.Details.Causes {
		if cause := c.Field + ": " + c.Message; !slices.Contains(causes, cause) {
			causes = append(causes, cause)
		}
	}
	switch len(causes) {
	case 0:
		return msg
	case 1:
		return msg + ": " + causes[0]
	}
	return msg + ": \n* " + strings.Join(causes, "\n* ")
}

// unknownTypeMessage says the server has no resource type r, with the group and version
// it was asked in, in kubectl's words.
func unknownTypeMessage(r schema.GroupVersionResource) string {
	msg := fmt.Sprintf("the server doesn't have a resource type %q", r.Resource)
	if r.Group != "" {
		msg += fmt.Sprintf(" in group %q", r.Group)
	}
	switch {
	case r.Version != "" && r.Group != "":
		msg += fmt.Sprintf(" and version %q", r.Version)
	case r.Version != "":
		msg += fmt.Sprintf(" in version %q", r.Version)
	}
	return msg
}
