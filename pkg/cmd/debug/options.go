package debug

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/util/term"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile"
	"github.com/kubectl-debugger/kubectl-debugger/internal/sessions"
)

// DebugOptions holds everything one debug invocation needs, from flags to clients.
type DebugOptions struct {
	genericiooptions.IOStreams

	// Filenames are the -f manifests naming pods or nodes to debug.
	Filenames []string
	// Selector selects the pods or nodes to debug by label (-l).
	Selector string
	// AllNamespaces makes -l select pods in every namespace (-A).
	AllNamespaces bool
	// ArgsOnly puts the words after -- into args instead of command (--arguments-only).
	ArgsOnly bool
	// Attach waits for the container and attaches to it (--attach; -i implies it).
	Attach bool
	// Logs waits for each debug container and streams its output (--logs).
	Logs bool
	// Container names the debug container, or with --copy-to the container to edit (-c).
	Container string
	// CopyTo is the name of the pod copy (--copy-to).
	CopyTo string
	// Replace deletes the original once the copy exists (--replace).
	Replace bool
	// Image is the debug container's image (--image).
	Image string
	// PullPolicy is its image pull policy (--image-pull-policy).
	PullPolicy string
	// Interactive keeps stdin open (-i/--stdin).
	Interactive bool
	// TTY allocates a terminal (-t/--tty).
	TTY bool
	// Quiet suppresses informational messages (-q/--quiet).
	Quiet bool
	// SameNode keeps the copy on the original's node (--same-node).
	SameNode bool
	// SetImages changes the copy's container images, "*" for all (--set-image).
	SetImages map[string]string
	// ShareProcesses sets the copy's process namespace sharing, when given (--share-processes).
	ShareProcesses bool
	// TargetContainer is the container whose processes an ephemeral container sees (--target).
	TargetContainer string
	// TargetFS runs the debug command in the --target container's filesystem (--target-fs).
	TargetFS bool
	// Profile is the predefined profile's name (--profile).
	Profile string
	// CustomFiles are the custom profiles, in the order given (--custom).
	CustomFiles []string
	// ShareVolumes names the container whose mounts the debug container borrows (--share-volumes).
	ShareVolumes string
	// Keep says what a copy keeps of the original (--keep-*).
	Keep KeepFlags
	// DryRun is none, client or server (--dry-run).
	DryRun string
	// Remove deletes the debug pod (a copy or a node pod) when the session ends (--rm).
	Remove bool
	// RunAs is the user the debug container runs as: target, root, UID or UID:GID (--run-as).
	RunAs string
	// Check only tells whether the debug would succeed: permissions, the server's
	// admission and the image on the node, with reads and server dry runs (--check).
	Check bool
	// KeepGoing sends the plans that succeeded when others failed (--keep-going).
	KeepGoing bool
	// MaxConcurrency bounds the writes in flight with several targets (--max-concurrency).
	MaxConcurrency int
	// PodRunningTimeout bounds the wait for a workload to have a pod (--pod-running-timeout).
	PodRunningTimeout time.Duration
	// DetachKeys is the key sequence that leaves a TTY session with the container still
	// running, as kubectl attach's --detach-keys; empty disables it (--detach-keys).
	DetachKeys string
	// PrintFlags print the resulting object (-o and friends).
	PrintFlags *genericclioptions.PrintFlags

	env envFlag
	// shareVolumes is the --share-volumes flag, which knows where a bare one stood.
	shareVolumes *shareVolumesValue

	// Set by Complete.
	Namespace         string
	explicitNamespace bool
	args              []string
	// names counts the targets named on the command line (NAME, TYPE/NAME, TYPE).
	names         int
	targets       []target
	profile       profile
	customs       []*customprofile.Profile
	attachChanged bool
	dryRun        dryRun
	runAs         runAs
	detachKeys    []byte
	// ttyUnusable is set when -t was dropped because standard input is not a
	// terminal; the session says so as kubectl attach does.
	ttyUnusable bool
	// changedCopyFlags lists the copy-only flags the user gave, refused for nodes.
	changedCopyFlags []string
	// warnings are about the invocation itself, such as deprecated values.
	warnings []string
	// deprecations are printed as they are, --quiet or not, as kubectl debug prints
	// its own.
	deprecations []string

	restClientGetter genericclioptions.RESTClientGetter
	// client is built on first use, so that invocations refused early cost nothing.
	client kubernetes.Interface
	// streamClient is client without --request-timeout, for followed logs, which last
	// as long as the container. Watches keep the timeout: a watch cut short resumes
	// where it was, losing nothing. nil means client (tests).
	streamClient kubernetes.Interface
	// nameSuffix makes the random part of generated names; tests make it predictable.
	nameSuffix func() string
	// attachFunc attaches the terminal to a running container; what the container
	// shows goes to out and errOut. nil attaches through the API server
	// (session.remoteAttach); tests replace it.
	attachFunc func(ctx context.Context, pod *corev1.Pod, container string, out, errOut io.Writer) error
	// remoteFunc, when set, replaces how containers are reached (tests).
	remoteFunc func() (sessions.Remote, error)
	// isTerminal tells whether a stream is a terminal, for progress and colours.
	isTerminal func(w io.Writer) bool
	// stdinIsTerminal tells whether standard input is a terminal.
	stdinIsTerminal func(r io.Reader) bool
	// pipedInput is set when a session's input is not a terminal: the debug container
	// then closes its stdin when that input ends (stdinOnce).
	pipedInput bool
	// notifySignals and ignoreSignals start and stop catching the stop signals for a
	// run; tests replace them.
	notifySignals, ignoreSignals func(chan<- os.Signal)
	// stop records how the run was stopped; set by Run.
	stop *runStop
	// identity names what the command owns outside the API: kubectl's, or its caller's.
	identity Identity
}

// NewDebugOptions returns options with kubectl's defaults.
func NewDebugOptions(streams genericiooptions.IOStreams) *DebugOptions {
	return &DebugOptions{
		IOStreams:         streams,
		Profile:           ProfileGeneral,
		ShareProcesses:    true,
		Keep:              KeepFlags{InitContainers: true},
		DryRun:            "none",
		MaxConcurrency:    16,
		DetachKeys:        defaultDetachKeys,
		PodRunningTimeout: time.Minute,
		PrintFlags:        genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme),
		nameSuffix:        func() string { return utilrand.String(5) },
		isTerminal:        isTerminal,
		stdinIsTerminal:   func(r io.Reader) bool { return term.TTY{In: r}.IsTerminalIn() },
		notifySignals:     notifyStopSignals,
		ignoreSignals:     ignoreStopSignals,
		identity:          KubectlIdentity(),
	}
}

// AddFlags registers the debug flags on cmd.
func (o *DebugOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringSliceVarP(&o.Filenames, "filename", "f", nil, "Filename, directory, http(s) URL, or - for standard input, identifying the resource to debug.")
	f.StringVarP(&o.Selector, "selector", "l", "", "Selector (label query) choosing the pods, or with TYPE node the nodes, to debug; supports '=', '==', '!=', 'in', 'notin' and 'key'.")
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "With -l, select pods in every namespace.")
	f.BoolVar(&o.ArgsOnly, "arguments-only", false, "If specified, everything after -- is passed to the new container as args instead of command.")
	f.BoolVar(&o.Attach, "attach", false, "If true, wait for the container to start running, then attach as 'kubectl attach' does. Default false, unless -i/--stdin is set, in which case the default is true.")
	f.BoolVar(&o.Logs, "logs", false, "Wait for each debug container to start, then stream its output, prefixed with pod/container when there are several; ends when all have exited.")
	f.StringVarP(&o.Container, "container", "c", "", "Container name to use for the debug container; with --copy-to, naming an existing container edits it.")
	f.StringVar(&o.CopyTo, "copy-to", "", "Create a copy of the target pod with this name.")
	f.BoolVar(&o.Replace, "replace", false, "With --copy-to, delete the original pod once the copy exists.")
	f.Var(&o.env, "env", "Environment variables to set in the container, as NAME=VALUE[,NAME=VALUE...]; repeatable, order kept.")
	f.StringVar(&o.Image, "image", "", "Container image to use for the debug container.")
	f.BoolVar(&o.Keep.Labels, "keep-labels", false, "If true, keep the original pod labels (only with --copy-to).")
	f.BoolVar(&o.Keep.Annotations, "keep-annotations", false, "If true, keep the original pod annotations (only with --copy-to).")
	f.BoolVar(&o.Keep.Liveness, "keep-liveness", false, "If true, keep the original pod liveness probes (only with --copy-to).")
	f.BoolVar(&o.Keep.Readiness, "keep-readiness", false, "If true, keep the original pod readiness probes (only with --copy-to).")
	f.BoolVar(&o.Keep.Startup, "keep-startup", false, "If true, keep the original pod startup probes (only with --copy-to).")
	f.BoolVar(&o.Keep.InitContainers, "keep-init-containers", true, "Run the init containers of the pod (only with --copy-to).")
	f.StringToStringVar(&o.SetImages, "set-image", nil, "With --copy-to, name=image pairs changing container images, as 'kubectl set image' does; * stands for every container.")
	f.StringVar(&o.PullPolicy, "image-pull-policy", "", "The image pull policy for the container: Always, IfNotPresent or Never. If empty, the server decides.")
	f.BoolVarP(&o.Interactive, "stdin", "i", false, "Keep stdin open on the container, even if nothing is attached.")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "If true, suppress informational messages.")
	f.BoolVar(&o.SameNode, "same-node", false, "With --copy-to, schedule the copy on the same node as the target pod.")
	f.BoolVar(&o.ShareProcesses, "share-processes", true, "With --copy-to, enable process namespace sharing in the copy.")
	f.StringVar(&o.TargetContainer, "target", "", "When adding an ephemeral container, target the processes of this container; auto targets each pod's default container (annotation kubectl.kubernetes.io/default-container) or its only one.")
	f.BoolVar(&o.TargetFS, "target-fs", false, "With --target, run the command after -- (default sh) in the target container's filesystem: chrooted into it when the debug container may (root with CAP_SYS_CHROOT), with the debug image's tools on PATH; else started in its root directory, $TARGET_ROOT.")
	f.BoolVarP(&o.TTY, "tty", "t", false, "Allocate a TTY for the debug container.")
	f.StringVar(&o.Profile, "profile", ProfileGeneral, `Security profile of the debug container: "legacy", "general", "baseline", "restricted", "netadmin" or "sysadmin"; "auto" chooses, per target, the first of sysadmin, netadmin, general, baseline and restricted that the server admits (asked with server dry runs), with the user each needs on a non-root pod.`)
	f.StringArrayVar(&o.CustomFiles, "custom", nil, fmt.Sprintf("A JSON or YAML file with a partial container spec or a DebugProfile document, merged onto the debug container and its pod after --profile; repeatable, later files win; - reads standard input; a bare NAME is looked up as NAME.yaml, NAME.yml or NAME.json in $%s (default ~/%s).", o.identity.ProfilesEnv, filepath.ToSlash(o.identity.ProfilesDir)))
	o.shareVolumes = &shareVolumesValue{value: &o.ShareVolumes, flags: f, bareAt: -1}
	f.Var(o.shareVolumes, "share-volumes", "Mount the volumes of container NAME, given as --share-volumes=NAME, in the debug container; bare, those of the --target container, else of the pod's only container (a word after a bare --share-volumes is refused, not taken for a target).")
	f.Lookup("share-volumes").NoOptDefVal = shareVolumesAuto
	f.StringVar(&o.DryRun, "dry-run", o.DryRun, `Must be "none", "server", or "client". With client, only print what would be sent; with server, send it for validation and defaulting without persisting anything.`)
	f.Lookup("dry-run").NoOptDefVal = "client"
	f.BoolVar(&o.Remove, "rm", false, "Delete the debug pod (a copy, or a node debugging pod) when the session ends: the shell exits, the attach fails, --logs ends, or Ctrl-C; an ephemeral container, which cannot be removed, is ended instead.")
	f.StringVar(&o.RunAs, "run-as", "", `The user the debug container runs as: "target" for the user of the container it debugs (--target, -c, or the pod's only container), "root", UID or UID:GID; applied after --profile, before --custom.`)
	f.BoolVar(&o.Check, "check", false, "Change nothing; tell whether this command would succeed: the permissions it needs (pods/ephemeralcontainers patch or pods create and delete, pods/attach, pods/log), the server's admission of what it would send (a server dry run, Pod Security included) and the image's presence on the node. Exits 0 when every target would succeed.")
	f.BoolVar(&o.KeepGoing, "keep-going", false, "With several targets, debug those that can be debugged when planning others failed; by default nothing is sent then.")
	f.IntVar(&o.MaxConcurrency, "max-concurrency", o.MaxConcurrency, "With several targets, how many writes may be in flight at once.")
	f.DurationVar(&o.PodRunningTimeout, "pod-running-timeout", o.PodRunningTimeout, "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until a workload named as the target has at least one pod.")
	f.StringVar(&o.DetachKeys, "detach-keys", o.DetachKeys, "Override the key sequence for detaching from a TTY session (-it), as kubectl attach; the container keeps running. Empty disables it.")
	o.PrintFlags.AddFlags(cmd)
}

// copyOnlyFlags are the flags that only make sense with --copy-to, in the order errors
// name them.
var copyOnlyFlags = []string{"copy-to", "replace", "same-node", "set-image", "share-processes",
	"keep-labels", "keep-annotations", "keep-liveness", "keep-readiness", "keep-startup", "keep-init-containers"}

// Complete resolves everything the flags, the command line and the files they name say:
// the profile, the custom profiles, the targets and the output. It reads files but makes
// no API call.
func (o *DebugOptions) Complete(restClientGetter genericclioptions.RESTClientGetter, cmd *cobra.Command, args []string) error {
	o.restClientGetter = restClientGetter

	names := args
	o.args = nil
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		names, o.args = args[:dash], args[dash:]
	}

	if err := o.checkBareShareVolumes(names); err != nil {
		return err
	}

	o.attachChanged = cmd.Flags().Changed("attach")
	if !o.attachChanged && o.Interactive {
		o.Attach = true
	}
	o.changedCopyFlags = nil
	for _, name := range copyOnlyFlags {
		if cmd.Flags().Changed(name) {
			o.changedCopyFlags = append(o.changedCopyFlags, name)
		}
	}

	if err := checkEmptyValues(cmd); err != nil {
		return err
	}
	o.warnings, o.deprecations, o.ttyUnusable = nil, nil, false
	var err error
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	if o.DryRun == "true" || o.DryRun == "false" {
		o.warnings = append(o.warnings, fmt.Sprintf("--dry-run=%s is deprecated: use --dry-run=%s", o.DryRun, map[string]string{"true": "client", "false": "none"}[o.DryRun]))
	}
	// Input piped into a session is a script: the container must see its end, as a
	// shell reading a pipe would, or it waits for more while the attach has already
	// returned with nothing printed. A terminal keeps stdin open for a re-attach. The
	// runtime closes stdin only without a TTY, which a pipe cannot drive anyway.
	o.pipedInput = o.Interactive && o.Attach && o.dryRun == dryRunNone && !o.stdinIsTerminal(o.In)
	if o.pipedInput && o.TTY {
		o.TTY, o.ttyUnusable = false, true
	}
	// --profile=auto chooses per target, once the targets are read.
	if o.Profile != ProfileAuto {
		if o.profile, err = newProfile(o.Profile, o.Keep); err != nil {
			return err
		}
	}
	if o.Profile == ProfileLegacy {
		o.deprecations = append(o.deprecations, `--profile=legacy is deprecated and planned to be removed in v1.39. It is recommended to specify other profile, for example "--profile=general".`)
	}
	if o.outputRequested() {
		// Refuse an unknown -o now rather than after the write.
		if _, err := o.PrintFlags.ToPrinter(); err != nil {
			return fmt.Errorf("-o: %w", err)
		}
	}
	if o.runAs, err = parseRunAs(o.RunAs); err != nil {
		return err
	}
	if o.detachKeys, err = parseDetachKeys(o.DetachKeys); err != nil {
		return err
	}
	if o.Selector != "" {
		if _, err := labels.Parse(o.Selector); err != nil {
			return fmt.Errorf("invalid -l/--selector %q: %w", briefText(o.Selector), err)
		}
	}

	o.Namespace, o.explicitNamespace, err = restClientGetter.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}

	if err := o.checkStdinUse(); err != nil {
		return err
	}
	// Reading a FIFO or standard input can block; Ctrl-C must still end it.
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	o.customs = nil
	profilesDir := o.profilesDir()
	for _, value := range o.CustomFiles {
		custom, err := customprofile.Load(ctx, value, profilesDir, o.In)
		if err != nil {
			return err
		}
		o.warnings = append(o.warnings, custom.Warnings()...)
		o.customs = append(o.customs, custom)
	}

	o.names = len(names)
	if o.targets, err = parseTargets(names, o.Selector, o.AllNamespaces, o.Namespace); err != nil {
		return err
	}
	if len(o.Filenames) > 0 {
		found, err := readTargetFiles(ctx, o.Filenames, o.In, o.Namespace, o.explicitNamespace)
		if err != nil {
			return err
		}
		o.targets = append(o.targets, found...)
	}
	return nil
}

// valueFlags are the flags whose empty value means nothing: given explicitly empty, as
// a script with an unset variable does (--copy-to=$NAME), they are refused rather than
// taken for the flag's absence. Upstream takes --copy-to= as no copy at all, and then
// changes the original pod.
var valueFlags = []string{"filename", "selector", "container", "copy-to", "image", "target", "profile", "custom", "share-volumes", "dry-run", "run-as"}

// checkEmptyValues refuses a flag of valueFlags given with an empty value.
func checkEmptyValues(cmd *cobra.Command) error {
	for _, name := range valueFlags {
		f := cmd.Flags().Lookup(name)
		if f == nil || !f.Changed {
			continue
		}
		empty := f.Value.String() == ""
		if list, ok := f.Value.(pflag.SliceValue); ok {
			values := list.GetSlice()
			empty = len(values) == 0 || slices.Contains(values, "")
		}
		if empty {
			return fmt.Errorf("%s was given an empty value: give a value, or leave the flag out", flagName(f))
		}
	}
	return nil
}

// flagName names a flag as errors do: -c/--container, --image.
func flagName(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + "/--" + f.Name
	}
	return "--" + f.Name
}

// checkStdinUse refuses two readers of standard input, before anything reads it: -f -
// and --custom=- each read it whole, and -i gives it to the debug container.
func (o *DebugOptions) checkStdinUse() error {
	var readers []string
	for _, value := range o.CustomFiles {
		if value == "-" {
			readers = append(readers, "--custom=-")
		}
	}
	for _, f := range o.Filenames {
		if f == "-" {
			readers = append(readers, "-f -")
		}
	}
	switch {
	case len(readers) > 1 && slices.Contains(readers, "--custom=-"):
		return fmt.Errorf("--custom=- reads standard input, which only one of --custom and -f may do")
	case len(readers) > 1:
		return fmt.Errorf("-f - is given %d times: standard input can be read once", len(readers))
	case len(readers) == 1 && o.Interactive:
		return fmt.Errorf("%s reads standard input, which -i/--stdin gives to the debug container", readers[0])
	}
	return nil
}

// outputRequested tells whether -o asks for the resulting object.
func (o *DebugOptions) outputRequested() bool {
	return o.PrintFlags.OutputFormat != nil && *o.PrintFlags.OutputFormat != ""
}

// spec gathers what the builders need from the options.
func (o *DebugOptions) spec() *containerSpec {
	s := &containerSpec{
		Image:           o.Image,
		PullPolicy:      corev1.PullPolicy(o.PullPolicy),
		Env:             o.env.vars,
		Args:            o.args,
		ArgsOnly:        o.ArgsOnly,
		Stdin:           o.Interactive,
		StdinOnce:       o.pipedInput,
		TTY:             o.TTY,
		TargetContainer: o.TargetContainer,
		CopyTo:          o.CopyTo,
		SameNode:        o.SameNode,
		SetImages:       o.SetImages,
	}
	// Only an explicit --share-processes overrides the pod and the profile.
	if slices.Contains(o.changedCopyFlags, "share-processes") {
		s.ShareProcesses = &o.ShareProcesses
	}
	return s
}

// clientset returns the API client, building it on first use.
func (o *DebugOptions) clientset() (kubernetes.Interface, error) {
	if o.client != nil {
		return o.client, nil
	}
	config, err := o.restClientGetter.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the client configuration: %w", err)
	}
	// Protobuf for the objects sent and read: decoding a pod from JSON first builds
	// reflection caches for every type in it, which costs more than the request itself.
	// Patches stay JSON, as strategic merge patches must be.
	config = rest.CopyConfig(config)
	config.ContentType = runtime.ContentTypeProtobuf
	config.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	// --max-concurrency bounds the writes in flight, and the server's priority and
	// fairness queues them; client-go's default of 5 requests a second would turn a
	// fan-out over 200 pods into 40 seconds of waiting.
	config.QPS = -1
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("creating the API client: %w", err)
	}
	// --request-timeout bounds requests, as kubectl's flag says; applied to a stream it
	// would cut a session or a log short at that age, losing output.
	config.Timeout = 0
	streamClient, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("creating the API client: %w", err)
	}
	o.client, o.streamClient = client, streamClient
	return client, nil
}

// remote returns what reaches into containers through the API server (exec and attach),
// to stop the ephemeral containers --rm owns; tests set remoteFunc instead.
func (o *DebugOptions) remote() (sessions.Remote, error) {
	if o.remoteFunc != nil {
		return o.remoteFunc()
	}
	client, err := o.streamingClientset()
	if err != nil {
		return nil, err
	}
	config, err := o.restClientGetter.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the client configuration: %w", err)
	}
	// A stream is not cut at --request-timeout, as the attach is not.
	config = rest.CopyConfig(config)
	config.Timeout = 0
	return sessions.NewRemote(config, client), nil
}

// streamingClientset returns the API client for followed logs, which --request-timeout
// does not cut.
func (o *DebugOptions) streamingClientset() (kubernetes.Interface, error) {
	client, err := o.clientset()
	if err != nil || o.streamClient == nil {
		return client, err
	}
	return o.streamClient, nil
}

// briefText shortens a value quoted in a message: an error names what is wrong, it
// does not repeat a page of input.
func briefText(s string) string {
	const most = 100
	if len(s) <= most {
		return s
	}
	return s[:most] + "..."
}
