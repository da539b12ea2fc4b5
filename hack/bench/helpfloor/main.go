// Command helpfloor is the lower bound of the benchmark's --help rows: the least a
// program with NewCmdDebug's signature does to print a command's help while its API
// calls go through kubernetes.Interface. It links what those two make every
// implementation link (cli-runtime's genericclioptions, which brings its resource
// builder, and client-go's clientset, whose scheme registers every API group at
// start-up) and cobra, and prints a command's help: no flags of its own, no profiles,
// no completion, and none of kubectl's own packages, which the plugin does not link
// either.
package main

import (
	"os"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
)

func main() {
	flags := genericclioptions.NewConfigFlags(true)
	var getter genericclioptions.RESTClientGetter = flags
	cmd := &cobra.Command{
		Use:   "helpfloor",
		Short: "Print this help",
		RunE: func(*cobra.Command, []string) error {
			// Never reached with --help; keeps the clientset's constructor linked as a
			// real command's would be.
			config, err := getter.ToRESTConfig()
			if err != nil {
				return err
			}
			var client kubernetes.Interface
			client, err = kubernetes.NewForConfig(config)
			_ = client
			return err
		},
	}
	flags.AddFlags(cmd.PersistentFlags())
	cmd.SetArgs(os.Args[1:])
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
}
