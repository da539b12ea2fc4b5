package debug

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// completionTimeout bounds the reads a completion makes when the kubeconfig sets no
// request timeout: a shell waiting on a <TAB> must not hang.
const completionTimeout = 5 * time.Second

// completer answers shell completion (cobra's __complete): it only reads, and it reads
// the namespace and client from the flags as parsed so far.
type completer struct {
	o      *DebugOptions
	getter genericclioptions.RESTClientGetter
}

// registerCompletions sets the completion of targets and of every flag with values to
// choose from.
func (o *DebugOptions) registerCompletions(cmd *cobra.Command, getter genericclioptions.RESTClientGetter) {
	c := completer{o: o, getter: getter}
	cmd.ValidArgsFunction = c.targets
	containers := func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return c.containers(cmd, args, toComplete)
	}
	fixed := func(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return withPrefix(values, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	for name, complete := range map[string]func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective){
		"container": containers,
		"target": func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			names, directive := c.containers(cmd, args, toComplete)
			// Offered beside the pod's containers, or when its first letters are typed.
			if (len(names) > 0 || toComplete != "") && strings.HasPrefix(targetAuto, toComplete) && !slices.Contains(names, targetAuto) {
				names = append(names, targetAuto)
			}
			return names, directive
		},
		"share-volumes":     containers,
		"profile":           fixed(append(slices.Clone(profileNames), ProfileAuto)...),
		"image-pull-policy": fixed(string(corev1.PullAlways), string(corev1.PullIfNotPresent), string(corev1.PullNever)),
		"dry-run":           fixed("none", "client", "server"),
		"output":            fixed(o.PrintFlags.AllowedFormats()...),
		"run-as":            fixed("target", "root"),
		"custom":            c.customProfiles,
	} {
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, complete)
		}
	}
}

// client returns the API client and namespace for a completion, and a context bounded
// by the request timeout.
func (c completer) client(cmd *cobra.Command) (kubernetes.Interface, string, context.Context, context.CancelFunc, bool) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	if c.o.restClientGetter == nil {
		c.o.restClientGetter = c.getter
	}
	namespace, _, err := c.getter.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		cancel()
		return nil, "", nil, nil, false
	}
	// A getter may check the server's version first, without a context: the
	// completion's time limit holds all the same.
	client, err := untilDone(ctx, c.o.clientset)
	if err != nil {
		cancel()
		return nil, "", nil, nil, false
	}
	return client, namespace, ctx, cancel, true
}

// targets completes the targets: the pods of the namespace and the kinds of target
// (node/, deployment/...), then after TYPE/ the names of that kind. (Words after --
// are completed the same: cobra's completion leaves no reliable sign of the dash.)
func (c completer) targets(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	// (Cobra parses the words once with a -- appended, so a dash only shows when words
	// follow it.)
	if dash := cmd.Flags().ArgsLenAtDash(); c.o.shareVolumes.bareBefore(len(args)) && (dash < 0 || dash >= len(args)) {
		return c.shareVolumesAfterBare(cmd, args, toComplete)
	}
	if f := cmd.Flags().Lookup("selector"); f != nil && f.Value.String() != "" {
		return withPrefix([]string{"pods", "nodes"}, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	client, namespace, ctx, cancel, ok := c.client(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer cancel()
	if resource, prefix, typed := strings.Cut(toComplete, "/"); typed {
		names := c.namesOf(ctx, client, resource, namespace)
		var out []string
		for _, name := range withPrefix(names, prefix) {
			out = append(out, resource+"/"+name)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	out := withPrefix(c.namesOf(ctx, client, "pods", namespace), toComplete)
	kinds := []string{"node/", "pod/"}
	for _, w := range workloadKinds {
		kinds = append(kinds, w.singular+"/")
	}
	typeMatches := withPrefix(kinds, toComplete)
	out = append(out, typeMatches...)
	if len(typeMatches) > 0 && len(out) == len(typeMatches) {
		// Only kinds: the name comes next, without a space.
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// shareVolumesAfterBare completes the word after a bare --share-volumes, where a target
// would be refused, with the flag given a container of the first target: choosing one
// gives a command line that works.
func (c completer) shareVolumesAfterBare(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	containers, directive := c.containers(cmd, args, "")
	var out []string
	for _, name := range containers {
		out = append(out, "--share-volumes="+name)
	}
	return withPrefix(out, toComplete), directive
}

// namesOf lists the names of the objects of resource (pods, nodes or a workload kind).
func (c completer) namesOf(ctx context.Context, client kubernetes.Interface, resource, namespace string) []string {
	var names []string
	switch kindOf(resource) {
	case kindPod:
		list, err := client.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{})
		if err == nil {
			for _, p := range list.Items {
				names = append(names, p.Name)
			}
		}
		return names
	case kindNode:
		list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err == nil {
			for _, n := range list.Items {
				names = append(names, n.Name)
			}
		}
		return names
	}
	w := workloadByResource(resource)
	if w == nil {
		return nil
	}
	list, err := w.list(ctx, client, namespace)
	if err != nil {
		return nil
	}
	_ = meta.EachListItem(list, func(obj runtime.Object) error {
		if m, ok := obj.(metav1.Object); ok {
			names = append(names, m.GetName())
		}
		return nil
	})
	return names
}

// containers completes -c, --target and --share-volumes with the containers of the
// pod named first on the command line, or of the pod a workload named there stands for.
func (c completer) containers(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	t, err := parseTarget(args[0], "")
	if err != nil || (t.kind != kindPod && t.kind != kindWorkload) {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	client, namespace, ctx, cancel, ok := c.client(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer cancel()
	pod, err := podForCompletion(ctx, client, t, namespace)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for kind, container := range podutil.Containers(pod) {
		if kind != podutil.Ephemeral {
			names = append(names, container.Name)
		}
	}
	return withPrefix(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// podForCompletion reads the pod t names, or chooses the pod workload t stands for as
// the command would, without waiting for one to appear.
func podForCompletion(ctx context.Context, client kubernetes.Interface, t target, namespace string) (*corev1.Pod, error) {
	if t.kind == kindPod {
		return client.CoreV1().Pods(namespace).Get(ctx, t.name, metav1.GetOptions{})
	}
	t.namespace = namespace
	pod, _, err := podOfWorkload(ctx, client, t, 0)
	return pod, err
}

// customProfiles completes --custom with the named profiles, then the profile files of
// the directory being typed.
func (c completer) customProfiles(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	if !strings.ContainsRune(toComplete, filepath.Separator) {
		entries, _ := os.ReadDir(c.o.profilesDir())
		for _, e := range entries {
			name := e.Name()
			if ext := filepath.Ext(name); !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
				out = append(out, strings.TrimSuffix(name, ext))
			}
		}
		slices.Sort(out)
		out = slices.Compact(withPrefix(out, toComplete))
	}
	dir, _ := filepath.Split(toComplete)
	entries, _ := os.ReadDir(filepath.Join(".", dir))
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		if e.IsDir() {
			out = append(out, name+string(filepath.Separator))
			continue
		}
		if ext := filepath.Ext(name); ext == ".yaml" || ext == ".yml" || ext == ".json" {
			out = append(out, name)
		}
	}
	return withPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// withPrefix keeps the values that start with prefix.
func withPrefix(values []string, prefix string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			out = append(out, v)
		}
	}
	return out
}
