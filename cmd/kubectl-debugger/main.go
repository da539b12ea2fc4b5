// Command kubectl-debugger is `kubectl debug` as a kubectl plugin (`kubectl debugger ...`)
// or standalone: it takes exactly the arguments that come after `kubectl debug`, and
// kubectl's global flags.
package main

import (
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-debugger/kubectl-debugger/cmd/internal/pluginmain"
	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// pluginName is how users call the plugin through kubectl.
const pluginName = "kubectl debugger"

// Set by the build (make): the project's version and commit.
var (
	version = "unknown"
	commit  = "unknown"
)

// debugger is the plugin: the debug command under the plugin's names.
var debugger = pluginmain.Plugin{KubectlCommand: "debug", New: newPluginCommand}

func main() {
	debugger.Main()
}

// newPluginCommand returns the debug command as the plugin: under the plugin's names.
func newPluginCommand(getter genericclioptions.RESTClientGetter, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := debugcmd.NewCmdDebugWithIdentity(getter, streams, pluginmain.Identity)
	// As a plugin the command is "kubectl debugger": cobra shows the display name in
	// usage and errors, and the examples, written for kubectl's "kubectl debug", get
	// the plugin's name.
	cmd.Use = "kubectl-debugger " + strings.TrimPrefix(cmd.Use, "debug ")
	cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: pluginName}
	cmd.Example = strings.ReplaceAll(cmd.Example, "kubectl debug ", pluginName+" ")
	pluginmain.SetVersion(cmd, "kubectl-debugger", version, commit)
	return cmd
}

// run runs the command with args and returns the process's exit code.
func run(args []string, streams genericiooptions.IOStreams) int {
	return debugger.Run(args, streams)
}
