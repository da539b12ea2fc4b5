package main

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/util/term"
)

// defaultImage is the debug container's image: busybox has the sh and tar the copy runs.
const defaultImage = "busybox:1.36"

const cpExample = `  # A file out of a container that has no tar
  kubectl debugger cp mypod:/etc/app/config.yaml ./config.yaml

  # A directory into a container's emptyDir
  kubectl debugger cp -r ./fixtures mypod:/scratch -c app`

// Options is one cp invocation.
type Options struct {
	genericiooptions.IOStreams

	// Container is the container whose files are copied (-c); by default the pod's
	// default container (annotation kubectl.kubernetes.io/default-container) or its only one.
	Container string
	// Recursive copies directories (-r).
	Recursive bool
	// Image is the debug container's image (--image).
	Image string
	// PullPolicy is its pull policy (--image-pull-policy).
	PullPolicy string

	// Set by Complete.
	namespace string
	pod       string
	// remote is the path in the container; local the path here; upload tells which
	// way the copy goes.
	remote, local string
	upload        bool
	getter        genericclioptions.RESTClientGetter
	client        kubernetes.Interface
	config        *rest.Config
	// progress tells whether to show the progress of large files: on a terminal.
	progress bool
	// addHelper adds the debug container the copy runs in; tests replace it.
	addHelper func(ctx context.Context, pod *corev1.Pod, h helperSpec) error
	// exec runs a command in a container; tests replace it.
	exec func(ctx context.Context, pod *corev1.Pod, container string, command []string, in io.Reader, out, errOut io.Writer) error
}

// newCmd returns the cp command; getter gives the client configuration and namespace.
func newCmd(getter genericclioptions.RESTClientGetter, streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdWith(&Options{IOStreams: streams}, getter)
}

// newCmdWith returns the cp command over o, whose client, helper and exec tests may
// have set.
func newCmdWith(o *Options, getter genericclioptions.RESTClientGetter) *cobra.Command {
	o.Image = defaultImage
	if o.addHelper == nil {
		o.addHelper = o.runDebug
	}
	if o.exec == nil {
		o.exec = o.remoteExec
	}
	cmd := &cobra.Command{
		Use:                   "cp (POD:PATH LOCAL | LOCAL POD:PATH) [-c CONTAINER] [-r]",
		DisableFlagsInUseLine: true,
		Short:                 "Copy files in and out of a container that has no tar, through a debug container",
		Long: `Copy files and directories between a container and the local filesystem, through an
ephemeral debug container that targets the container and reads or writes its filesystem
as its user: the container needs no tar and no shell. A running debug container of an
earlier copy (same image and user) is used again rather than adding one per copy, since
ephemeral containers cannot be removed.`,
		Example: cpExample,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SilenceUsage = true
			if err := o.Complete(getter, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Container, "container", "c", "", "The container whose files are copied; by default the pod's default container (annotation kubectl.kubernetes.io/default-container) or its only one.")
	f.BoolVarP(&o.Recursive, "recursive", "r", false, "Copy directories and all they hold.")
	f.StringVar(&o.Image, "image", o.Image, "The debug container's image; it needs sh and tar.")
	f.StringVar(&o.PullPolicy, "image-pull-policy", "", "The debug container's image pull policy: Always, IfNotPresent or Never. If empty, the server decides.")
	o.registerCompletions(cmd, getter)
	return cmd
}

// Complete reads the two paths and the client configuration.
func (o *Options) Complete(getter genericclioptions.RESTClientGetter, args []string) error {
	o.getter = getter
	src, srcRemote := splitRemote(args[0])
	dst, dstRemote := splitRemote(args[1])
	switch {
	case srcRemote == dstRemote && srcRemote:
		return fmt.Errorf("both %q and %q are in pods: one side must be a local path", args[0], args[1])
	case srcRemote == dstRemote:
		return fmt.Errorf("neither %q nor %q is POD:PATH: one side must be in a pod", args[0], args[1])
	case srcRemote:
		o.pod, o.remote, o.local = src[0], src[1], args[1]
	default:
		o.pod, o.remote, o.local, o.upload = dst[0], dst[1], args[0], true
	}
	var err error
	if o.namespace, _, err = getter.ToRawKubeConfigLoader().Namespace(); err != nil {
		return fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	o.progress = term.TTY{Out: o.ErrOut}.IsTerminalOut()
	return nil
}

// splitRemote splits POD:PATH; a local path is anything else (a path whose first colon
// comes after a slash, as in ./a:b, is local).
func splitRemote(arg string) ([2]string, bool) {
	pod, p, ok := strings.Cut(arg, ":")
	if !ok || pod == "" || strings.Contains(pod, "/") {
		return [2]string{}, false
	}
	return [2]string{pod, p}, true
}

// Validate refuses what cannot be copied, before any API call.
func (o *Options) Validate() error {
	switch {
	case o.local == "":
		return fmt.Errorf("the local path is empty")
	case !path.IsAbs(o.remote):
		return fmt.Errorf("the path in pod %q must be absolute, not %q", o.pod, o.remote)
	case path.Clean(o.remote) == "/":
		return fmt.Errorf("the path in pod %q is its root directory: name a file or directory in it", o.pod)
	case o.Image == "":
		return fmt.Errorf("--image was given an empty value: the debug container needs an image with sh and tar")
	}
	switch corev1.PullPolicy(o.PullPolicy) {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		return fmt.Errorf("invalid --image-pull-policy %q: must be Always, IfNotPresent or Never", o.PullPolicy)
	}
	return nil
}

// Run copies: it finds or adds the debug container, then streams a tar archive through it.
func (o *Options) Run(ctx context.Context) error {
	if err := o.clients(); err != nil {
		return err
	}
	pod, err := o.client.CoreV1().Pods(o.namespace).Get(ctx, o.pod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	target, err := o.targetOf(pod)
	if err != nil {
		return err
	}
	helper, pod, err := o.ensureHelper(ctx, pod, target)
	if err != nil {
		return err
	}
	t := transfer{o: o, pod: pod, helper: helper, target: target}
	if o.upload {
		return t.put(ctx)
	}
	return t.get(ctx)
}

// clients builds the API client and its configuration, unless tests gave them.
func (o *Options) clients() error {
	if o.client != nil {
		return nil
	}
	config, err := o.getter.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("loading the client configuration: %w", err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return fmt.Errorf("creating the API client: %w", err)
	}
	o.client, o.config = client, config
	return nil
}
