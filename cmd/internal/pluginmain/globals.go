package pluginmain

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
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
	"k8s.io/kubectl/pkg/kuberc"
)

// GlobalFlags are kubectl's global flags besides the kubeconfig ones: a plugin is called
// with them (kubectl's own test suite passes --match-server-version to every call), so
// it takes each with kubectl's meaning.
type GlobalFlags struct {
	configFlags       *genericclioptions.ConfigFlags
	getter            *MatchVersionGetter
	warningsAsErrors  bool
	logFlushFrequency time.Duration
	kuberc            string
	profileOutput     string
	// args are the command's arguments, which kubectl's kuberc code reads itself.
	args []string
	// kubectlCommand is the kubectl command whose kuberc defaults apply.
	kubectlCommand string
}

// addGlobalFlags registers kubectl's global flags on cmd.
func addGlobalFlags(cmd *cobra.Command, configFlags *genericclioptions.ConfigFlags, getter *MatchVersionGetter, args []string, kubectlCommand string) *GlobalFlags {
	g := &GlobalFlags{configFlags: configFlags, getter: getter, args: args, kubectlCommand: kubectlCommand}
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
	_ = cmd.RegisterFlagCompletionFunc("namespace", func(completing *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return completeNamespaces(completing.Context(), getter), cobra.ShellCompDirectiveNoFileComp
	})
	for flag, names := range map[string]func(*clientcmdapi.Config) []string{
		"context": func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Contexts)) },
		"cluster": func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Clusters)) },
		"user":    func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.AuthInfos)) },
	} {
		_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			raw, err := getter.ToRawKubeConfigLoader().RawConfig()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return names(&raw), cobra.ShellCompDirectiveNoFileComp
		})
	}
	return g
}

// completeNamespaces lists the cluster's namespaces before ctx, which bounds a
// completion, ends, or none.
func completeNamespaces(ctx context.Context, getter genericclioptions.RESTClientGetter) []string {
	config, err := getter.ToRESTConfig()
	if err != nil {
		return nil
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil
	}
	list, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
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
// the checks of the kubeconfig and kuberc files before anything reads them, and the
// kuberc defaults for the kubectl command the plugin stands for (flags given on the
// command line win, as in kubectl).
func (g *GlobalFlags) apply(cmd *cobra.Command) error {
	klog.StartFlushDaemon(g.logFlushFrequency)
	// Refused here, the kubeconfig files get an error of their own, rather than one
	// wrapped in whatever first reads them.
	if err := g.getter.checkKubeconfigFiles(); err != nil {
		return err
	}
	if strings.EqualFold(os.Getenv("KUBECTL_KUBERC"), "false") {
		if g.kuberc != "" {
			return fmt.Errorf("--kuberc: kuberc is disabled by KUBECTL_KUBERC=false")
		}
		return nil
	}
	path, explicit, err := kuberc.LoadKuberc(g.kuberc)
	if err != nil {
		return err
	}
	if path != "" {
		if err := checkConfigFile(path); err != nil {
			switch {
			case g.kuberc != "":
				return fmt.Errorf("--kuberc %s: %w", path, err)
			case explicit:
				return fmt.Errorf("KUBERC %s: %w", path, err)
			}
			// kubectl only warns about a default kuberc it cannot use.
			fmt.Fprintf(cmd.ErrOrStderr(), "kuberc: no preferences loaded from %s: %v\n", path, err)
			return nil
		}
	}
	return g.applyPreferences(cmd)
}

// preferencesError is an error of kubectl's kuberc code, printed as kubectl prints it.
type preferencesError struct{ err error }

func (e preferencesError) Error() string {
	return "error occurred while applying preferences " + e.err.Error()
}

func (e preferencesError) Unwrap() error { return e.err }

// applyPreferences hands the kuberc file to kubectl's own kuberc code, so that it is
// decoded, validated and applied as kubectl does: the credential plugin policy, and the
// defaults of the kubectl command the plugin stands for ("debug") for the flags the
// command line does not give. kubectl's code works on kubectl's command tree and its raw
// arguments; it gets a tree of a root and that command sharing cmd's flags, and the
// arguments as kubectl would have seen them. Any other kubectl command a kuberc names is
// then unknown to the tree: for the plugin's command the root takes any argument, so
// those entries are skipped without a warning, as they would be in kubectl. A completion
// request is not the plugin's command: the root refuses it, as kubectl's does before cobra adds its
// completion command, so it gets the plugin policy and no defaults.
func (g *GlobalFlags) applyPreferences(cmd *cobra.Command) error {
	root := &cobra.Command{Use: "kubectl"}
	stands := &cobra.Command{Use: g.kubectlCommand, Run: func(*cobra.Command, []string) {}}
	stands.Flags().AddFlagSet(cmd.Flags())
	root.AddCommand(stands)
	args := append([]string{root.Name()}, g.args...)
	if !cmd.HasParent() {
		root.Args = cobra.ArbitraryArgs
		args = append([]string{root.Name(), stands.Name()}, g.args...)
	}
	if _, err := kuberc.NewPreferences().Apply(root, g.configFlags, args, cmd.ErrOrStderr()); err != nil {
		return preferencesError{err}
	}
	return nil
}

// ClientVersion is the Kubernetes release of the client libraries, stamped by the build.
func ClientVersion() apiversion.Info {
	return clientversion.Get()
}

// maxConfigFileSize bounds a kubeconfig or kuberc file, checked before client-go or
// kubectl's kuberc code reads it whole: the largest real kubeconfigs, hundreds of
// contexts with embedded certificates, take a few MiB.
const maxConfigFileSize = 8 << 20

// checkConfigFile refuses a kubeconfig or kuberc file that cannot be read whole safely:
// one that is not a regular file (a device, a FIFO, a directory) or is larger than
// maxConfigFileSize. The null device, which some scripts give to mean no file, reads
// as empty. A file that is not there, or cannot be looked at, is left to the reader,
// which knows whether that matters.
func checkConfigFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return nil
	}
	switch {
	case info.Mode().IsRegular():
		if info.Size() > maxConfigFileSize {
			return fmt.Errorf("larger than %d MiB", maxConfigFileSize>>20)
		}
		return nil
	case info.IsDir():
		return errors.New("is a directory")
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(info, null) {
		return nil
	}
	return errors.New("not a regular file")
}

// checkKubeconfigFiles checks the kubeconfig files client-go will read: --kubeconfig,
// else every entry of $KUBECONFIG, else ~/.kube/config.
func (g *MatchVersionGetter) checkKubeconfigFiles() error {
	if g.kubeconfig != nil && *g.kubeconfig != "" {
		if err := checkConfigFile(*g.kubeconfig); err != nil {
			return fmt.Errorf("--kubeconfig %s: %w", *g.kubeconfig, err)
		}
		return nil
	}
	if list := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); list != "" {
		for _, path := range filepath.SplitList(list) {
			if path == "" {
				continue
			}
			if err := checkConfigFile(path); err != nil {
				return fmt.Errorf("%s entry %s: %w", clientcmd.RecommendedConfigPathEnvVar, path, err)
			}
		}
		return nil
	}
	if err := checkConfigFile(clientcmd.RecommendedHomeFile); err != nil {
		return fmt.Errorf("kubeconfig %s: %w", clientcmd.RecommendedHomeFile, err)
	}
	return nil
}

// refusedConfig is the kubeconfig loader once the kubeconfig files are refused: every
// read returns why.
type refusedConfig struct {
	access clientcmd.ConfigAccess
	err    error
}

func (r refusedConfig) RawConfig() (clientcmdapi.Config, error) { return clientcmdapi.Config{}, r.err }
func (r refusedConfig) ClientConfig() (*rest.Config, error)     { return nil, r.err }
func (r refusedConfig) Namespace() (string, bool, error)        { return "", false, r.err }
func (r refusedConfig) ConfigAccess() clientcmd.ConfigAccess    { return r.access }

// MatchVersionGetter is the kubeconfig getter that refuses kubeconfig files that cannot
// be read safely, and, with --match-server-version, checks once, before the first
// request, that the server runs the client's release, as kubectl does: the same version,
// commit and tree state.
type MatchVersionGetter struct {
	genericclioptions.RESTClientGetter
	// kubeconfig is --kubeconfig.
	kubeconfig *string
	match      bool
	// ctx is the command's: the version check, which the getter's methods cannot be
	// given one, ends with it (Ctrl-C, a completion's time limit).
	ctx context.Context

	once     sync.Once
	checkErr error
}

func (g *MatchVersionGetter) check() error {
	if !g.match {
		return nil
	}
	g.once.Do(func() {
		g.checkErr = g.checkVersion()
	})
	return g.checkErr
}

// checkVersion reads the server's version with the command's context, so that Ctrl-C
// or a completion's time limit ends the request at once.
func (g *MatchVersionGetter) checkVersion() error {
	ctx := g.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	config, err := g.RESTClientGetter.ToRESTConfig()
	if err != nil {
		return err
	}
	client, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return err
	}
	server, err := client.ServerVersionWithContext(ctx)
	if ctx.Err() != nil {
		return fmt.Errorf("checking the server version: %w", ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("couldn't read version from server: %w", err)
	}
	ours := ClientVersion()
	if ours.GitVersion != server.GitVersion || ours.GitCommit != server.GitCommit || ours.GitTreeState != server.GitTreeState {
		return fmt.Errorf("server version (%s, commit %s) differs from client version (%s, commit %s)", server.GitVersion, server.GitCommit, ours.GitVersion, ours.GitCommit)
	}
	return nil
}

// ToRESTConfig checks the kubeconfig files and the server's version first.
func (g *MatchVersionGetter) ToRESTConfig() (*rest.Config, error) {
	if err := g.checkKubeconfigFiles(); err != nil {
		return nil, err
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g.RESTClientGetter.ToRESTConfig()
}

// ToDiscoveryClient checks the kubeconfig files and the server's version first.
func (g *MatchVersionGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	if err := g.checkKubeconfigFiles(); err != nil {
		return nil, err
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g.RESTClientGetter.ToDiscoveryClient()
}

// ToRESTMapper checks the kubeconfig files and the server's version first.
func (g *MatchVersionGetter) ToRESTMapper() (meta.RESTMapper, error) {
	if err := g.checkKubeconfigFiles(); err != nil {
		return nil, err
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g.RESTClientGetter.ToRESTMapper()
}

// ToRawKubeConfigLoader needs no server; it checks the kubeconfig files, which shell
// completion reads without the command's checks.
func (g *MatchVersionGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	loader := g.RESTClientGetter.ToRawKubeConfigLoader()
	if err := g.checkKubeconfigFiles(); err != nil {
		return refusedConfig{access: loader.ConfigAccess(), err: err}
	}
	return loader
}
