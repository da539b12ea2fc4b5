// Command helpfloor is the lower bound of the benchmark's --help rows: the least a
// program with NewCmdDebug's signature does to print a command's help. It links what
// that signature and kubernetes.Interface make every implementation link (client-go's
// clientset, whose scheme registers every API group at start-up, and kubectl's
// cmd/util for the Factory), builds a Factory on kubectl's config flags and prints a
// cobra command's help: no flags of its own, no profiles, no completion.
package main

import (
	"os"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	flags := genericclioptions.NewConfigFlags(true)
	var factory cmdutil.Factory = cmdutil.NewFactory(flags)
	cmd := &cobra.Command{
		Use:   "helpfloor",
		Short: "Print this help",
		Run: func(*cobra.Command, []string) {
			// Never reached with --help; keeps the clientset's constructor linked as a
			// real command's would be.
			var _ kubernetes.Interface
			_, _ = factory.KubernetesClientSet()
		},
	}
	flags.AddFlags(cmd.PersistentFlags())
	cmd.SetArgs(os.Args[1:])
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
}
