// Command kubectl-debugger-sessions is `kubectl debugger sessions`: it lists the debug
// sessions of a namespace or of the cluster (ephemeral containers, copies and node
// pods) and stops them. kubectl finds it by its name as the plugin's subcommand.
package main

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-debugger/kubectl-debugger/cmd/internal/pluginmain"
	"github.com/kubectl-debugger/kubectl-debugger/internal/sessions"
	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// pluginName is how users call the command through kubectl.
const pluginName = "kubectl debugger sessions"

// Set by the build (make): the project's version and commit.
var (
	version = "unknown"
	commit  = "unknown"
)

// sessionsPlugin is the plugin. Its flags are no kubectl command's, so kuberc defaults
// for a "sessions" command would be the only ones to apply.
var sessionsPlugin = pluginmain.Plugin{KubectlCommand: "sessions", New: newCommand}

func main() {
	sessionsPlugin.Main()
}

const example = `  # The debug sessions of the current namespace, then of every namespace with who
  # made them and with which privileges
  kubectl debugger sessions
  kubectl debugger sessions -A -o wide

  # Stop a debug container (its processes end; ephemeral containers stay in the pod's
  # spec, terminated), or delete a copy or node debugging pod
  kubectl debugger sessions --stop mypod/debugger-8xzrp

  # Stop every debug session of a namespace
  kubectl debugger sessions -n shop --stop-all`

// newCommand returns the sessions command.
func newCommand(getter genericclioptions.RESTClientGetter, streams genericiooptions.IOStreams) *cobra.Command {
	o := sessions.NewOptions(streams, pluginmain.Identity.TargetAnnotation, debugcmd.KubectlIdentity().TargetAnnotation)
	cmd := &cobra.Command{
		Use:   "kubectl-debugger-sessions [-n NAMESPACE | -A] [-l SELECTOR] [-o wide|json|yaml|name] [--stop POD/CONTAINER | --stop-all]",
		Short: "List and stop debug sessions",
		Long: `List the debug sessions: every ephemeral container (only debugging adds them), and
the pods debugging creates (node debugging pods, and the copies a session was held on),
one row per debug container, with its target, image, state and age; -o wide adds the
privileges its spec grants and the field manager that made it.

--stop POD/CONTAINER ends a debug container: an ephemeral container's own processes
end (never its target's) and the command waits until its status says terminated; a
copy or node debugging pod is deleted. --stop-all does so for every session -l, -n or
-A selects. A container that is not a debug container is refused.`,
		Example: example,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(getter, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return &debugcmd.UsageError{Err: err, CommandPath: cmd.CommandPath()}
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: pluginName}
	pluginmain.SetVersion(cmd, "kubectl-debugger-sessions", version, commit)
	flags := cmd.Flags()
	flags.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "List the sessions of every namespace")
	flags.StringVarP(&o.Selector, "selector", "l", "", "Only the pods with these labels (sent to the server), e.g. -l app=web")
	flags.StringVarP(&o.Output, "output", "o", "", "Output format: wide, json, yaml or name (pod/POD/CONTAINER, which --stop takes)")
	flags.StringVar(&o.Stop, "stop", "", "Stop the debug container POD/CONTAINER of the namespace")
	flags.BoolVar(&o.StopAll, "stop-all", false, "Stop every session -l, -n or -A selects")
	flags.DurationVar(&o.StopTimeout, "timeout", o.StopTimeout, "How long to wait for a stopped ephemeral container to be reported terminated")
	return cmd
}
