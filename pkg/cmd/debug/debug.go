// Package debug implements `kubectl debug`: debugging containers added to running pods,
// modified copies of pods, and pods in a node's host namespaces, with predefined and
// custom profiles, for one target or many.
//
// A run resolves each target (argument -> pod or node), plans it (pure: the object to
// send, with warnings and notices as data), announces a single target's notices before
// its write as kubectl debug does, executes the plans (the only API writes) and
// presents the outcome (the rest of the printing), with a session part that attaches,
// streams logs and has --rm's pods deleted once the session ends.
package debug

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const debugLong = `Debug cluster resources using interactive debugging containers.

'debug' automates common debugging tasks for pods and nodes named by resource and name;
a bare NAME is a pod.

  * Workload: add an ephemeral container to a running pod, for example to bring
    debugging tools without restarting it.
  * Workload: create a copy of a pod with some of its attributes changed, for example a
    new image tag, a different command, or an extra debugging container (--copy-to).
  * Node: create a pod that runs in the node's host namespaces and sees the node's
    filesystem at /host.

A deployment, replica set, replication controller, stateful set, daemon set, job or
service stands for one of its pods, chosen as 'kubectl attach' chooses one. Several
names, or -l/--selector, debug many pods or nodes at once: every target is planned
before anything is sent, writes run concurrently, and a table reports each result.

--profile sets the debug container's security context (legacy, general, baseline,
restricted, netadmin, sysadmin). --custom merges a partial container spec (JSON or
YAML) onto the debug container after the profile, with strategic merge patch rules.

Note: when the target pod runs as a non-root user, some capabilities granted by a
profile may not work.`

// debugExample names the command "kubectl debug", as kubectl shows it; a plugin build
// puts its own name in its place.
const debugExample = `  # Add an ephemeral container to mypod and attach to it
  kubectl debug mypod -it --image=busybox

  # The same for the pod in pod.yaml
  kubectl debug -f pod.yaml -it --image=busybox

  # A shell in the filesystem of a container that has none, as that container's user
  kubectl debug mypod -it --image=busybox --target=auto --target-fs --profile=restricted --run-as=target

  # An ephemeral container in one of the pods of deployment web
  kubectl debug deployment/web -it --image=busybox

  # tcpdump in every pod labelled app=web, with the output of each, prefixed
  kubectl debug -l app=web --image=nicolaka/netshoot --profile=netadmin --logs -- tcpdump -c 20 -i any

  # A shell on every node of a pool, without attaching
  kubectl debug node -l pool=gpu --image=busybox -- chroot /host df -h

  # An environment variable for the debug container, with any profile
  kubectl debug mypod -it --image=busybox --profile=netadmin --custom=env.yaml

  # A copy of mypod with a debug container, resource requests and limits from a file
  kubectl debug mypod -it --image=busybox --copy-to=mypod-debug --custom=resources.json

  # A copy of mypod with mycontainer's command changed
  kubectl debug mypod -it --copy-to=mypod-debug --container=mycontainer -- sh

  # A copy of mypod with every container image changed
  kubectl debug mypod --copy-to=mypod-debug --set-image=*=busybox

  # A shell on a node, in its host namespaces, with its filesystem at /host
  kubectl debug node/mynode -it --image=busybox`

// NewCmdDebug returns the debug command under kubectl's names (KubectlIdentity); its
// signature is kubectl's, so a kubectl build can use it in place of its own.
func NewCmdDebug(restClientGetter genericclioptions.RESTClientGetter, streams genericiooptions.IOStreams) *cobra.Command {
	return NewCmdDebugWithIdentity(restClientGetter, streams, KubectlIdentity())
}

// newCmdDebug builds the command around o, which tests prepare with fakes.
func newCmdDebug(restClientGetter genericclioptions.RESTClientGetter, o *DebugOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:                   "debug (POD | TYPE[[.VERSION].GROUP]/NAME | TYPE -l SELECTOR) [ -- COMMAND [args...] ]",
		DisableFlagsInUseLine: true,
		Short:                 "Create debugging sessions for troubleshooting workloads and nodes",
		Long:                  debugLong,
		Example:               debugExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Usage errors name the flag or file at fault and point to -h; errors from
			// the cluster or the session come after validation. A page of usage would
			// bury either.
			cmd.SilenceUsage = true
			if err := o.Complete(restClientGetter, cmd, args); err != nil {
				return usageError(cmd, err)
			}
			if err := o.Validate(); err != nil {
				return usageError(cmd, err)
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		// Inside kubectl, kubectl says how to get help, as for any of its commands.
		if cmd.HasParent() {
			return cmd.Parent().FlagErrorFunc()(cmd, err)
		}
		cmd.SilenceUsage = true
		return usageError(cmd, err)
	})
	o.AddFlags(cmd)
	o.registerCompletions(cmd, restClientGetter)
	return cmd
}

// UsageError is an error in how the command was called, as opposed to one from the
// cluster; it points to the help.
type UsageError struct {
	Err         error
	CommandPath string
}

// Error returns the underlying error's message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// Hint is the line to print after the error.
func (e *UsageError) Hint() string {
	return fmt.Sprintf("See '%s -h' for help and examples.", e.CommandPath)
}

func usageError(cmd *cobra.Command, err error) error {
	return &UsageError{Err: err, CommandPath: cmd.CommandPath()}
}
