package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/component-base/logs"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
)

// Every persistent flag of kubectl's root command is one the plugin takes, with the same
// shorthand and type: kubectl passes its global flags on to plugins and scripts pass them
// to the plugin, so a flag kubectl adds must not go unnoticed here. kubectl's root is
// built from the k8s.io/kubectl module in go.mod, as kubectl's main builds it: the
// command, then the logging flags component-base's cli.Run adds before it runs.
func TestGlobalFlagsAreKubectls(t *testing.T) {
	// kubectl leaves --kuberc out when kuberc is turned off.
	t.Setenv("KUBECTL_KUBERC", "")
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	kubectl := kubectlcmd.NewKubectlCommand(kubectlcmd.KubectlOptions{Arguments: []string{"kubectl"}, IOStreams: streams})
	logs.AddFlags(kubectl.PersistentFlags())

	plugin, _ := debugger.Command(context.Background(), streams, nil)

	checked := 0
	kubectl.PersistentFlags().VisitAll(func(want *pflag.Flag) {
		checked++
		// kubectl's debug command has a --profile of its own (the security profile) in
		// place of the root's, and so has the plugin: a local flag stands for it.
		got := plugin.PersistentFlags().Lookup(want.Name)
		if got == nil {
			got = plugin.Flags().Lookup(want.Name)
		}
		if got == nil {
			t.Errorf("kubectl's global flag %s is missing from the plugin", describeFlag(want))
			return
		}
		if got.Shorthand != want.Shorthand || got.Value.Type() != want.Value.Type() {
			t.Errorf("kubectl's global flag %s is %s in the plugin", describeFlag(want), describeFlag(got))
		}
	})
	// A root command built without its flags would make every check above pass.
	if checked < 30 {
		t.Errorf("kubectl's root command has %d persistent flags, want at least 30", checked)
	}
}

// describeFlag names a flag with its shorthand and type, as -n/--namespace (string).
func describeFlag(f *pflag.Flag) string {
	name := "--" + f.Name
	if f.Shorthand != "" {
		name = "-" + f.Shorthand + "/" + name
	}
	return fmt.Sprintf("%s (%s)", name, f.Value.Type())
}
