package sessions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
)

// Options are the sessions command's flags and what Complete derives from them.
type Options struct {
	genericiooptions.IOStreams

	// AllNamespaces looks in every namespace.
	AllNamespaces bool
	// Selector is the label selector sent with the LIST.
	Selector string
	// Output is the output format: "" (the table), wide, json, yaml or name.
	Output string
	// Stop is the POD/CONTAINER to stop; StopAll stops every session listed.
	Stop    string
	StopAll bool
	// StopTimeout bounds the wait for a stopped container to terminate.
	StopTimeout time.Duration
	// TargetAnnotations are the annotations that may name what a debugging pod debugs.
	TargetAnnotations []string

	// Namespace is the namespace to look in, from -n or the kubeconfig;
	// ExplicitNamespace is set when -n gave it.
	Namespace         string
	ExplicitNamespace bool
	// Client reads and writes the API; Remote runs commands in containers.
	Client kubernetes.Interface
	Remote Remote
	// Now is the time ages are counted to.
	Now func() time.Time
}

// chunkSize is how many pods one page of the LIST asks for, kubectl's default.
const chunkSize = 500

// defaultStopTimeout is how long --stop waits for a container to terminate by default.
const defaultStopTimeout = 30 * time.Second

// NewOptions returns the options with their defaults.
func NewOptions(streams genericiooptions.IOStreams, targetAnnotations ...string) *Options {
	return &Options{IOStreams: streams, StopTimeout: defaultStopTimeout, TargetAnnotations: targetAnnotations, Now: time.Now}
}

// Complete takes the namespace from the kubeconfig unless -n gave one, and makes the
// clients.
func (o *Options) Complete(getter genericclioptions.RESTClientGetter, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected arguments %q: give the session to stop with --stop POD/CONTAINER", args)
	}
	var err error
	if o.Namespace, o.ExplicitNamespace, err = getter.ToRawKubeConfigLoader().Namespace(); err != nil {
		return err
	}
	if o.Client != nil {
		return nil
	}
	config, err := getter.ToRESTConfig()
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	o.Client = client
	if o.Remote == nil {
		o.Remote = &remoteCommands{config: config, client: client}
	}
	return nil
}

// outputs are the values -o takes.
var outputs = []string{"wide", "json", "yaml", "name"}

// Validate checks that the flags make sense together.
func (o *Options) Validate() error {
	if o.Output != "" && !slices.Contains(outputs, o.Output) {
		return fmt.Errorf("--output %q: must be one of %s", o.Output, strings.Join(outputs, ", "))
	}
	if o.Selector != "" {
		if _, err := labels.Parse(o.Selector); err != nil {
			return fmt.Errorf("--selector %q: %w", o.Selector, err)
		}
	}
	switch {
	case o.Stop != "" && o.StopAll:
		return errors.New("--stop and --stop-all cannot be given together")
	case o.Stop != "" && (o.AllNamespaces || o.Selector != ""):
		return errors.New("--stop names one session: give -n for its namespace, not -A or -l")
	case o.StopAll && o.Selector == "" && !o.AllNamespaces && !o.ExplicitNamespace:
		return errors.New("--stop-all needs -l/--selector, -n/--namespace or -A/--all-namespaces to say which sessions")
	case (o.Stop != "" || o.StopAll) && o.Output != "" && o.Output != "name":
		return fmt.Errorf("--output %s lists sessions: with --stop and --stop-all only -o name is taken", o.Output)
	case o.StopTimeout <= 0:
		return fmt.Errorf("--timeout %s: must be more than 0", o.StopTimeout)
	}
	if o.Stop != "" {
		if _, _, err := parseStop(o.Stop); err != nil {
			return err
		}
	}
	return nil
}

// Run lists the sessions, or stops the one --stop names or all those --stop-all selects.
func (o *Options) Run(ctx context.Context) error {
	switch {
	case o.Stop != "":
		pod, container, _ := parseStop(o.Stop)
		return o.stopOne(ctx, pod, container)
	case o.StopAll:
		return o.stopAll(ctx)
	}
	sessions, err := o.list(ctx)
	if err != nil {
		return err
	}
	return o.print(sessions)
}

// parseStop splits --stop's POD/CONTAINER (or pod/POD/CONTAINER, as -o name prints it).
func parseStop(arg string) (string, string, error) {
	parts := strings.Split(strings.TrimPrefix(arg, "pod/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", fmt.Errorf("--stop %q: want POD/CONTAINER", arg)
	}
	return parts[0], parts[1], nil
}
