package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/rest"
	"k8s.io/component-base/cli"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
)

// exit is how a command ends through kubectl's fatal error handler (CheckErr), which in
// a kubectl process prints and exits: here it unwinds to run, which prints the same
// text to the command's own standard error.
type exit struct {
	msg  string
	code int
}

func init() {
	cmdutil.BehaviorOnFatal(func(msg string, code int) { panic(exit{msg: msg, code: code}) })
}

// stdinMu serialises the commands that read os.Stdin, which kubectl's manifest reader
// (-f -) takes from the process rather than from the command's streams: each sets it
// to its caller's standard input while it runs.
var stdinMu sync.Mutex

// run runs kubectl with args as the reference kubectl's main does, on the caller's
// streams, and returns its exit status. Warnings from the server go to the command's
// own standard error: kubectl sends them to a handler shared by the process, which the
// client configuration's own handler overrides.
func run(c command, streams genericiooptions.IOStreams) (code int) {
	if c.stdin {
		stdinMu.Lock()
		defer stdinMu.Unlock()
		saved := os.Stdin
		os.Stdin = streams.In.(*os.File)
		defer func() { os.Stdin = saved }()
	}
	defer func() {
		r := recover()
		switch r := r.(type) {
		case nil:
		case exit:
			msg := r.msg
			if msg != "" && !strings.HasSuffix(msg, "\n") {
				msg += "\n"
			}
			fmt.Fprint(streams.ErrOut, msg)
			code = r.code
		default:
			fmt.Fprintf(streams.ErrOut, "panic: %v\n\n%s", r, debug.Stack())
			code = 2
		}
	}()
	warnings := rest.NewWarningWriter(streams.ErrOut, rest.WarningWriterOptions{Deduplicate: true, Color: printers.AllowsColorOutput(streams.ErrOut)})
	// kubectl's own config flags (its unexported defaultConfigFlags).
	flags := genericclioptions.NewConfigFlags(true).WithDeprecatedPasswordFlag().WithDiscoveryBurst(300).WithDiscoveryQPS(50.0).WithWarningPrinter(streams)
	flags.WrapConfigFn = func(config *rest.Config) *rest.Config {
		config.WarningHandlerWithContext = nil
		config.WarningHandler = warnings
		return config
	}
	cmd := kubectlcmd.NewDefaultKubectlCommandWithArgs(kubectlcmd.KubectlOptions{
		Arguments:   append([]string{"kubectl"}, c.args...),
		ConfigFlags: flags,
		IOStreams:   streams,
	})
	cmd.SetArgs(c.args)
	if err := cli.RunNoErrOutput(cmd); err != nil {
		cmdutil.CheckErr(err)
	}
	return 0
}
