package debug

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Validate refuses every contradictory or malformed invocation before any API call. It
// only checks what Complete resolved: no I/O, no printing, nothing set.
func (o *DebugOptions) Validate() error {
	if len(o.targets) == 0 {
		return fmt.Errorf("a pod or node to debug is required: give NAME, TYPE/NAME, TYPE -l SELECTOR or -f FILE")
	}
	if err := o.validateSelection(); err != nil {
		return err
	}
	if o.TTY && !o.Interactive {
		return fmt.Errorf("-t/--tty requires -i/--stdin")
	}
	if o.Attach && o.attachChanged && o.Image == "" && o.Container == "" {
		return fmt.Errorf("--attach needs a container: give -c/--container or create a new one with --image")
	}
	if o.Logs {
		switch {
		case o.Interactive:
			return fmt.Errorf("--logs streams the debug containers' output and cannot give them standard input: drop -i/--stdin, or --logs to attach")
		case o.Attach && o.attachChanged:
			return fmt.Errorf("--logs and --attach are two ways to follow a debug container: choose one")
		case o.Image == "" && o.Container == "":
			return fmt.Errorf("--logs needs a container: give -c/--container or create a new one with --image")
		}
	}
	// Names the server would refuse are refused here, before any write of a fan-out.
	if o.Container != "" {
		if errs := validation.IsDNS1123Label(o.Container); len(errs) > 0 {
			return fmt.Errorf("invalid -c/--container %q: %s", o.Container, errs[0])
		}
	}
	if o.CopyTo != "" {
		if errs := validation.IsDNS1123Subdomain(o.CopyTo); len(errs) > 0 {
			return fmt.Errorf("invalid --copy-to %q: %s", o.CopyTo, errs[0])
		}
	}
	if o.Remove {
		switch {
		case o.Replace:
			return fmt.Errorf("--rm deletes the copy when the session ends, and --replace deletes the original: nothing would be left; drop one of them")
		case !o.Attach && !o.Logs:
			return fmt.Errorf("--rm deletes the debug pod when the session ends, and without a session (-i/--stdin or --attach, or --logs) there is none: add one")
		case o.Image == "" && o.Container == "":
			return fmt.Errorf("--rm deletes the debug pod when the session ends, and without a debug container (--image or -c/--container) there is no session")
		}
	}
	if o.RunAs != "" && o.CopyTo != "" && o.Image == "" && o.Container == "" {
		return fmt.Errorf("--run-as sets the debug container's user, and this copy has none: give --image or -c/--container")
	}
	if o.Profile == ProfileAuto && o.dryRun == dryRunClient {
		return fmt.Errorf("--profile=auto asks the server which profile it admits, and --dry-run=client sends nothing: use --dry-run=server")
	}
	if o.Check {
		switch {
		case o.dryRun != dryRunNone:
			return fmt.Errorf("--check already sends nothing but server dry runs: drop --dry-run")
		case o.outputRequested():
			return fmt.Errorf("--check prints its own report: drop -o/--output")
		}
	}
	if o.MaxConcurrency < 1 {
		return fmt.Errorf("invalid --max-concurrency %d: must be at least 1", o.MaxConcurrency)
	}
	if o.PodRunningTimeout <= 0 {
		return fmt.Errorf("--pod-running-timeout must be higher than zero")
	}

	if err := validateImage("--image", o.Image); err != nil {
		return err
	}
	names := make([]string, 0, len(o.SetImages))
	for name := range o.SetImages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		image := o.SetImages[name]
		if image == "" {
			return fmt.Errorf("invalid --set-image: no image for container %q", name)
		}
		if err := validateImage(fmt.Sprintf("--set-image image for container %q", name), image); err != nil {
			return err
		}
	}
	switch corev1.PullPolicy(o.PullPolicy) {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		return fmt.Errorf("invalid --image-pull-policy %q: must be Always, IfNotPresent or Never", o.PullPolicy)
	}

	if o.CopyTo == "" {
		switch {
		case o.Replace:
			return fmt.Errorf("--replace can only be used with --copy-to")
		case o.SameNode:
			return fmt.Errorf("--same-node can only be used with --copy-to")
		case len(o.SetImages) > 0:
			return fmt.Errorf("--set-image can only be used with --copy-to")
		case o.Image == "" && o.Container != "":
			if err := o.validateReattach(); err != nil {
				return err
			}
		case o.Image == "":
			return fmt.Errorf("--image is required unless --copy-to is used")
		}
	} else {
		switch {
		case o.TargetFS:
			return fmt.Errorf("--target-fs cannot be used with --copy-to: it enters the filesystem of the container an ephemeral debug container targets; with a copy, -c NAME -- COMMAND changes that container's own command")
		case o.TargetContainer != "":
			return fmt.Errorf("--target cannot be used with --copy-to: use --share-processes to see the other containers' processes")
		case o.Image == "" && len(o.SetImages) == 0 && len(o.args) == 0:
			return fmt.Errorf("--copy-to needs --image, --set-image or a command after --")
		case len(o.args) > 0 && o.Container == "" && o.Image == "":
			return fmt.Errorf("a command with --copy-to needs -c/--container naming an existing container, or --image for a new one")
		case len(o.customs) > 0 && o.Image == "" && o.Container == "":
			return fmt.Errorf("--custom needs a debug container: give --image or -c/--container")
		}
	}

	if err := o.validateTargets(o.targets); err != nil {
		return err
	}
	return o.validateTargetFS()
}

// validateTargetFS checks --target-fs against the flags it needs and those it replaces;
// the modes it has no meaning in are refused with theirs.
func (o *DebugOptions) validateTargetFS() error {
	switch {
	case !o.TargetFS:
		return nil
	case o.TargetContainer == "":
		return fmt.Errorf("--target-fs runs the command in the filesystem of the --target container: give --target=NAME, or --target=auto")
	case o.ArgsOnly:
		return fmt.Errorf("--target-fs runs the words after -- as the command in the target's filesystem, so they cannot be --arguments-only")
	}
	return nil
}

// validateSelection checks how the targets are chosen: names, a selector or files, and
// what several targets allow.
func (o *DebugOptions) validateSelection() error {
	switch {
	case o.Selector != "" && len(o.Filenames) > 0:
		return fmt.Errorf("-l/--selector cannot be used with -f: the files name the targets")
	case o.names > 0 && len(o.Filenames) > 0:
		// kubectl's words: a name beside -f is more likely a slip than a second target.
		return fmt.Errorf("resource/name arguments cannot be provided when a path is specified")
	case o.AllNamespaces && o.Selector == "":
		return fmt.Errorf("-A/--all-namespaces needs -l/--selector: names are looked up in one namespace")
	case o.AllNamespaces && o.targets[0].kind == kindNode:
		return fmt.Errorf("-A/--all-namespaces selects pods in every namespace; nodes are in none")
	}
	if len(o.targets) == 1 && o.Selector == "" {
		return nil
	}
	switch {
	case o.CopyTo != "":
		return fmt.Errorf("--copy-to creates one copy called %q, so it takes exactly one target, not several or -l/--selector", o.CopyTo)
	case o.Interactive || o.TTY || o.Attach:
		return fmt.Errorf("-i/-t/--attach attach to one debug container, and this call has several targets or -l/--selector: use --logs to stream the output of each")
	}
	return nil
}

// validateTargets refuses pods and nodes in one call, and the flags each target's mode
// cannot honour. It runs in Validate for the kinds the command line tells, and in Run,
// before any write, for those the REST mapper resolves.
func (o *DebugOptions) validateTargets(targets []target) error {
	var pod, node *target
	for i, t := range targets {
		switch t.kind {
		case kindPod, kindWorkload:
			if pod == nil {
				pod = &targets[i]
			}
			if err := o.validateMode(o.podMode(), t); err != nil {
				return err
			}
		case kindNode:
			if node == nil {
				node = &targets[i]
			}
			if err := o.validateMode(ModeNode, t); err != nil {
				return err
			}
		}
	}
	if pod != nil && node != nil {
		return fmt.Errorf("%s and %s: pods and nodes cannot be debugged in one call", pod.describe(), node.describe())
	}
	return nil
}

// podMode is the mode for a pod target.
func (o *DebugOptions) podMode() Mode { return podModeFor(o.CopyTo) }

// validateMode refuses the flags and custom fields that mode cannot honour for t. It runs
// in Validate for targets whose kind is known from the command line, and in Run, before
// any write, for those the REST mapper resolves.
func (o *DebugOptions) validateMode(mode Mode, t target) error {
	switch mode {
	case ModeNode:
		if o.RunAs != "" {
			return fmt.Errorf("--run-as cannot be used with %s: it sets the user of a container in a pod being debugged; use --custom with securityContext.runAsUser", t.describe())
		}
		if len(o.changedCopyFlags) > 0 {
			return fmt.Errorf("--%s cannot be used with %s: it only applies to copies of pods, and debugging a node creates a new pod", o.changedCopyFlags[0], t.describe())
		}
		if o.TargetFS {
			return fmt.Errorf("--target-fs cannot be used with %s: it enters a container's filesystem, and a node's is at /host in its debugging pod (chroot /host)", t.describe())
		}
		if o.TargetContainer != "" {
			return fmt.Errorf("--target cannot be used with %s: it names a container of the debugged pod", t.describe())
		}
		if o.ShareVolumes != "" {
			return fmt.Errorf("--share-volumes cannot be used with %s: a node has no containers to share volumes with", t.describe())
		}
		if err := o.checkNodeProfiles(t); err != nil {
			return err
		}
	case ModeCopy:
		// The copy is created in the original's namespace before anything is deleted.
		// A workload's pod is only known once resolved; planCopy checks it then.
		if t.kind == kindPod && o.CopyTo == t.name {
			return fmt.Errorf("--copy-to %q is the name of the pod being copied: the copy needs a name of its own", o.CopyTo)
		}
	case ModeEphemeral:
		for _, custom := range o.customs {
			if err := custom.CheckEphemeral(); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateImage checks that image, when given, is a valid image reference.
func validateImage(what, image string) error {
	if image == "" {
		return nil
	}
	if !validImageReference(image) {
		return fmt.Errorf("invalid %s %q: invalid reference format", what, image)
	}
	return nil
}

// checkNodeProfiles applies the profiles to a node debugging pod built as planning will
// build it for a Linux node, so that a custom profile that undoes node debugging is
// refused before the node is read: beyond its name, the pod depends only on whether the
// node runs Windows, and a selector's nodes are all alike here. What only a Windows
// node's pod needs is checked when it is planned, still before any write.
func (o *DebugOptions) checkNodeProfiles(t target) error {
	if len(o.customs) == 0 {
		return nil
	}
	name := t.name
	if name == "" {
		name = "selected"
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	container := o.Container
	if container == "" {
		container = nodeDebugContainer
	}
	p := &plan{target: t.describe(), mode: ModeNode, node: node, container: container}
	pl := o.planner()
	p.pod = buildNodePod(node, pl.spec(), "node-debugger-"+name, container, pl.namespace)
	return pl.applyProfiles(p.pod, p, ModeNode, nil)
}
