package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// completionTimeout bounds the one LIST a completion makes: a shell waits for it.
const completionTimeout = 5 * time.Second

// registerCompletions completes the arguments as kubectl cp does, POD: in the
// namespace where a pod is expected and local paths elsewhere, and -c with the
// containers of the pod given.
func (o *Options) registerCompletions(cmd *cobra.Command, getter genericclioptions.RESTClientGetter) {
	cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		switch {
		case len(args) >= 2:
			return nil, cobra.ShellCompDirectiveNoFileComp
		case len(args) == 1 && isRemote(args[0]):
			// The other side is the pod: this one is local.
			return nil, cobra.ShellCompDirectiveDefault
		case strings.Contains(toComplete, ":"):
			// A path in the pod: nothing here lists its files.
			return nil, cobra.ShellCompDirectiveNoFileComp
		case strings.IndexAny(toComplete, "/.~") == 0:
			return nil, cobra.ShellCompDirectiveDefault
		}
		names, err := o.podNames(getter, toComplete)
		if err != nil || len(names) == 0 {
			// No pod matches, or none can be listed: a local path, then.
			return nil, cobra.ShellCompDirectiveDefault
		}
		for i, name := range names {
			names[i] = name + ":"
		}
		return names, cobra.ShellCompDirectiveNoSpace
	}
	_ = cmd.RegisterFlagCompletionFunc("container", func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		for _, arg := range args {
			if pod, ok := splitRemote(arg); ok {
				return o.containerNames(getter, pod[0], toComplete), cobra.ShellCompDirectiveNoFileComp
			}
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	})
}

// isRemote tells whether arg is POD:PATH.
func isRemote(arg string) bool {
	_, ok := splitRemote(arg)
	return ok
}

// completionClient readies the client in the namespace the flags name.
func (o *Options) completionClient(getter genericclioptions.RESTClientGetter) error {
	o.getter = getter
	namespace, _, err := getter.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return err
	}
	o.namespace = namespace
	return o.clients()
}

// podNames lists the names of the namespace's pods that start with prefix.
func (o *Options) podNames(getter genericclioptions.RESTClientGetter, prefix string) ([]string, error) {
	if err := o.completionClient(getter); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	pods, err := o.client.CoreV1().Pods(o.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, pod := range pods.Items {
		if strings.HasPrefix(pod.Name, prefix) {
			names = append(names, pod.Name)
		}
	}
	return names, nil
}

// containerNames returns the names of pod's init and regular containers that start
// with prefix: those a copy can target (not the debug containers of earlier copies).
func (o *Options) containerNames(getter genericclioptions.RESTClientGetter, pod, prefix string) []string {
	if err := o.completionClient(getter); err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	p, err := o.client.CoreV1().Pods(o.namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	var names []string
	add := func(name string) {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	for _, c := range append(p.Spec.InitContainers, p.Spec.Containers...) {
		add(c.Name)
	}
	return names
}
