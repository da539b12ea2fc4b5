package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiversion "k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	clientversion "k8s.io/client-go/pkg/version"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/klog/v2"
	"k8s.io/kubectl/pkg/config"
	"k8s.io/kubectl/pkg/kuberc"
)

// globalFlags are kubectl's global flags besides the kubeconfig ones: a plugin is called
// with them (kubectl's own test suite passes --match-server-version to every call), so
// it takes each with kubectl's meaning.
type globalFlags struct {
	configFlags       *genericclioptions.ConfigFlags
	warningsAsErrors  bool
	logFlushFrequency time.Duration
	kuberc            string
	profileOutput     string
}

// addGlobalFlags registers kubectl's global flags on cmd.
func addGlobalFlags(cmd *cobra.Command, configFlags *genericclioptions.ConfigFlags, getter *matchVersionGetter) *globalFlags {
	g := &globalFlags{configFlags: configFlags}
	flags := cmd.PersistentFlags()
	configFlags.AddFlags(flags)
	flags.BoolVar(&getter.match, "match-server-version", false, "Require server version to match client version")
	flags.BoolVar(&g.warningsAsErrors, "warnings-as-errors", false, "Treat warnings received from the server as errors and exit with a non-zero exit code")
	flags.DurationVar(&g.logFlushFrequency, "log-flush-frequency", 5*time.Second, "Maximum number of seconds between log flushes")
	flags.StringVar(&g.kuberc, "kuberc", "", "Path to the kuberc file to use for preferences. This can be disabled by exporting KUBECTL_KUBERC=false feature gate or turning off the feature KUBERC=off.")
	// kubectl's --profile picks a CPU or heap profile to write to --profile-output; in
	// the debug command --profile names the security profile, as it does in kubectl
	// debug, so no profile is written there either.
	flags.StringVar(&g.profileOutput, "profile-output", "profile.pprof", "Name of the file to write the profile to; kubectl's --profile, which chooses the profile, is the debug profile here, so nothing is written")

	// -v=6 and up show the API requests, and --vmodule sets levels per file, as in kubectl.
	logFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(logFlags)
	flags.AddGoFlag(logFlags.Lookup("v"))
	flags.Lookup("v").Shorthand = "v"
	flags.AddGoFlag(logFlags.Lookup("vmodule"))

	// The kubeconfig flags complete as in kubectl: namespaces from the cluster, contexts,
	// clusters and users from the kubeconfig.
	_ = cmd.RegisterFlagCompletionFunc("namespace", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return completeNamespaces(getter), cobra.ShellCompDirectiveNoFileComp
	})
	for flag, names := range map[string]func(*clientcmdapi.Config) []string{
		"context": func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Contexts)) },
		"cluster": func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Clusters)) },
		"user":    func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.AuthInfos)) },
	} {
		_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			raw, err := configFlags.ToRawKubeConfigLoader().RawConfig()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return names(&raw), cobra.ShellCompDirectiveNoFileComp
		})
	}
	return g
}

// completeNamespaces lists the cluster's namespaces, within a few seconds, or none.
func completeNamespaces(getter genericclioptions.RESTClientGetter) []string {
	config, err := getter.ToRESTConfig()
	if err != nil {
		return nil
	}
	config.Timeout = 5 * time.Second
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil
	}
	list, err := client.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(list.Items))
	for _, ns := range list.Items {
		names = append(names, ns.Name)
	}
	return names
}

// apply puts the global flags into effect once they are parsed: the log flush interval,
// and the kuberc defaults for kubectl's debug command (flags given on the command line
// win, as in kubectl).
func (g *globalFlags) apply(cmd *cobra.Command) error {
	klog.StartFlushDaemon(g.logFlushFrequency)
	if strings.EqualFold(os.Getenv("KUBECTL_KUBERC"), "false") {
		if g.kuberc != "" {
			return fmt.Errorf("--kuberc: kuberc is disabled by KUBECTL_KUBERC=false")
		}
		return nil
	}
	prefs, err := kuberc.DefaultGetPreferences(g.kuberc, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	if prefs == nil {
		return nil
	}
	g.applyPluginPolicy(prefs)
	for _, d := range prefs.Defaults {
		if strings.Join(strings.Fields(d.Command), " ") != "debug" {
			continue
		}
		for _, opt := range d.Options {
			f := cmd.Flags().Lookup(opt.Name)
			if f == nil {
				return fmt.Errorf("kuberc: invalid flag %s for command debug", opt.Name)
			}
			if f.Changed {
				continue
			}
			if err := cmd.Flags().Set(opt.Name, opt.Default); err != nil {
				return fmt.Errorf("kuberc: default %q for --%s of command debug: %w", opt.Default, opt.Name, err)
			}
		}
	}
	return nil
}

// applyPluginPolicy makes the kubeconfig's credential plugins obey kuberc's
// credentialPluginPolicy and allowlist, as kubectl does.
func (g *globalFlags) applyPluginPolicy(prefs *config.Preference) {
	if prefs.CredentialPluginPolicy == "" && len(prefs.CredentialPluginAllowlist) == 0 {
		return
	}
	policy := clientcmdapi.PluginPolicy{PolicyType: clientcmdapi.PolicyType(prefs.CredentialPluginPolicy)}
	for _, entry := range prefs.CredentialPluginAllowlist {
		policy.Allowlist = append(policy.Allowlist, clientcmdapi.AllowlistEntry{Command: entry.Command})
	}
	wrap := g.configFlags.WrapConfigFn
	g.configFlags.WithWrapConfigFn(func(c *rest.Config) *rest.Config {
		if wrap != nil {
			c = wrap(c)
		}
		if c.ExecProvider != nil {
			c.ExecProvider.PluginPolicy = policy
		}
		return c
	})
}

// clientVersion is the Kubernetes release of the client libraries, stamped by the build.
func clientVersion() apiversion.Info {
	return clientversion.Get()
}

// matchVersionGetter is the kubeconfig getter that, with --match-server-version, checks
// once, before the first request, that the server runs the client's release, as kubectl
// does: the same version, commit and tree state.
type matchVersionGetter struct {
	genericclioptions.RESTClientGetter
	match bool

	once     sync.Once
	checkErr error
}

func (g *matchVersionGetter) check() error {
	if !g.match {
		return nil
	}
	g.once.Do(func() {
		config, err := g.RESTClientGetter.ToRESTConfig()
		if err != nil {
			g.checkErr = err
			return
		}
		client, err := discovery.NewDiscoveryClientForConfig(config)
		if err != nil {
			g.checkErr = err
			return
		}
		server, err := client.ServerVersion()
		if err != nil {
			g.checkErr = fmt.Errorf("couldn't read version from server: %w", err)
			return
		}
		ours := clientVersion()
		if ours.GitVersion != server.GitVersion || ours.GitCommit != server.GitCommit || ours.GitTreeState != server.GitTreeState {
			g.checkErr = fmt.Errorf("server version (%s, commit %s) differs from client version (%s, commit %s)", server.GitVersion, server.GitCommit, ours.GitVersion, ours.GitCommit)
		}
	})
	return g.checkErr
}

// ToRESTConfig checks the server's version first.
func (g *matchVersionGetter) ToRESTConfig() (*rest.Config, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	return g.RESTClientGetter.ToRESTConfig()
}

// ToDiscoveryClient checks the server's version first.
func (g *matchVersionGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	return g.RESTClientGetter.ToDiscoveryClient()
}

// ToRESTMapper checks the server's version first.
func (g *matchVersionGetter) ToRESTMapper() (meta.RESTMapper, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	return g.RESTClientGetter.ToRESTMapper()
}

// ToRawKubeConfigLoader needs no server.
func (g *matchVersionGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return g.RESTClientGetter.ToRawKubeConfigLoader()
}
