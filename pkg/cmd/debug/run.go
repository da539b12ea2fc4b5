package debug

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// Run debugs each target in order; the first error stops the run.
func (o *DebugOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.DryRun == "true" || o.DryRun == "false" {
		fmt.Fprintf(o.ErrOut, "Warning: --dry-run=%s is deprecated: use --dry-run=%s\n", o.DryRun, map[string]string{"true": "client", "false": "none"}[o.DryRun])
	}
	if o.Profile == ProfileLegacy {
		fmt.Fprintln(o.ErrOut, `Warning: --profile=legacy is deprecated and will be removed in v1.39; choose another profile, for example --profile=general`)
	}
	for _, t := range o.targets {
		if err := o.debugTarget(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// debugTarget resolves one target, builds and sends its debug object, prints it, then
// attaches. Clients are only built for requests that are really made, so a client dry
// run of a -f file needs no cluster.
func (o *DebugOptions) debugTarget(ctx context.Context, t target) error {
	if t.kind == kindUnknown {
		mapper, err := o.restClientGetter.ToRESTMapper()
		if err != nil {
			return fmt.Errorf("resolving %q: %w", t.describe(), err)
		}
		if t, err = mapTarget(t, mapper); err != nil {
			return err
		}
		mode := ModeNode
		if t.kind == kindPod {
			mode = o.podMode()
		}
		if err := o.validateMode(mode, t); err != nil {
			return err
		}
	}

	out := outcome{target: t}
	var err error
	switch t.kind {
	case kindNode:
		node, ok := t.object.(*corev1.Node)
		if !ok {
			if node, err = o.getNode(ctx, t.name); err != nil {
				return err
			}
		}
		out.mode = ModeNode
		out.pod, out.container, err = o.debugNode(ctx, node)
	case kindPod:
		pod, ok := t.object.(*corev1.Pod)
		if !ok {
			if pod, err = o.getPod(ctx, t.namespace, t.name); err != nil {
				return err
			}
		}
		out.mode = o.podMode()
		if out.mode == ModeCopy {
			out.pod, out.container, err = o.debugByCopy(ctx, pod)
		} else {
			out.pod, out.container, err = o.debugEphemeral(ctx, pod)
		}
	}
	if err != nil {
		return err
	}
	if err := o.printOutcome(out); err != nil {
		return err
	}
	if o.Attach && out.container != "" && o.dryRun == dryRunNone {
		return o.attach(ctx, out.pod, out.container)
	}
	return nil
}

func (o *DebugOptions) getPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	client, err := o.clientset()
	if err != nil {
		return nil, err
	}
	return client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (o *DebugOptions) getNode(ctx context.Context, name string) (*corev1.Node, error) {
	client, err := o.clientset()
	if err != nil {
		return nil, err
	}
	return client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
}

// debugEphemeral adds the debug container to pod with a patch of the ephemeralcontainers
// subresource.
func (o *DebugOptions) debugEphemeral(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, string, error) {
	name := o.Container
	switch {
	case name == "":
		name = generateContainerName(pod, o.nameSuffix)
	case containerNames(pod)[name]:
		return nil, "", fmt.Errorf("pod %q already has a container called %q: an ephemeral container needs a new name (-c/--container)", pod.Name, name)
	}
	spec, err := o.podSpec(pod, ModeEphemeral)
	if err != nil {
		return nil, "", err
	}
	debugPod, _, err := o.prepare(ModeEphemeral, spec, func(s *containerSpec) (*corev1.Pod, string, error) {
		p, err := buildEphemeral(pod, s, name)
		return p, name, err
	})
	if err != nil {
		return nil, "", err
	}
	if o.Container == "" {
		o.notice("Defaulting debug container name to %s.", name)
	}
	if o.TargetContainer != "" {
		o.notice("Targeting container %q. If you don't see processes from this container it may be because the container runtime doesn't support this feature.", o.TargetContainer)
	}

	patch, err := ephemeralPatch(pod, debugPod, name)
	if err != nil {
		return nil, "", err
	}
	if o.dryRun == dryRunClient {
		return debugPod, name, nil
	}
	client, err := o.clientset()
	if err != nil {
		return nil, "", err
	}
	result, err := client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch,
		metav1.PatchOptions{DryRun: o.dryRun.serverDryRun()}, "ephemeralcontainers")
	if err != nil {
		var status apierrors.APIStatus
		// Without the subresource the server answers 404 with no details, unlike the 404
		// for a missing pod, which names it.
		if apierrors.IsNotFound(err) && errors.As(err, &status) && (status.Status().Details == nil || status.Status().Details.Name == "") {
			return nil, "", fmt.Errorf("ephemeral containers are disabled for this cluster (error from server: %q)", err)
		}
		return nil, "", fmt.Errorf("adding debug container %q to pod %q: %w", name, pod.Name, err)
	}
	return result, name, nil
}

// ephemeralPatch is the strategic merge patch that adds the debug container called
// name, the last of debugPod's ephemeral containers. The list is keyed by name, so the
// patch carries only the new container and the order of the names, and the server merges
// it with whatever the pod has by then. Building it directly, rather than diffing two
// encoded pods, spares every call the cost of encoding a whole pod.
func ephemeralPatch(pod, debugPod *corev1.Pod, name string) ([]byte, error) {
	n := len(debugPod.Spec.EphemeralContainers)
	if n == 0 || debugPod.Spec.EphemeralContainers[n-1].Name != name {
		return nil, fmt.Errorf("debug container %q is not the last ephemeral container of pod %q", name, pod.Name)
	}
	spec := map[string]any{"ephemeralContainers": []corev1.EphemeralContainer{debugPod.Spec.EphemeralContainers[n-1]}}
	if len(pod.Spec.EphemeralContainers) > 0 {
		order := make([]map[string]string, 0, n)
		for _, ec := range debugPod.Spec.EphemeralContainers {
			order = append(order, map[string]string{"name": ec.Name})
		}
		spec["$setElementOrder/ephemeralContainers"] = order
	}
	patch, err := json.Marshal(map[string]any{"spec": spec})
	if err != nil {
		return nil, fmt.Errorf("creating the patch that adds the debug container: %w", err)
	}
	return patch, nil
}

// debugByCopy creates the copy of pod, and with --replace deletes pod, only once the
// copy exists.
func (o *DebugOptions) debugByCopy(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, string, error) {
	name := o.Container
	if name == "" && o.Image != "" {
		name = generateContainerName(pod, o.nameSuffix)
	}
	spec, err := o.podSpec(pod, ModeCopy)
	if err != nil {
		return nil, "", err
	}
	debugPod, container, err := o.prepare(ModeCopy, spec, func(s *containerSpec) (*corev1.Pod, string, error) {
		return buildCopy(pod, s, name)
	})
	if err != nil {
		return nil, "", err
	}
	if o.Container == "" && container != "" {
		o.notice("Defaulting debug container name to %s.", container)
	}
	if o.dryRun == dryRunClient {
		if o.Replace {
			fmt.Fprintf(o.ErrOut, "Dry run: pod %s/%s would be deleted once its copy %s exists.\n", pod.Namespace, pod.Name, debugPod.Name)
		}
		return debugPod, container, nil
	}
	client, err := o.clientset()
	if err != nil {
		return nil, "", err
	}
	created, err := client.CoreV1().Pods(debugPod.Namespace).Create(ctx, debugPod, metav1.CreateOptions{DryRun: o.dryRun.serverDryRun()})
	if err != nil {
		return nil, "", fmt.Errorf("creating pod %q, a copy of %q: %w", debugPod.Name, pod.Name, err)
	}
	if o.Replace {
		err := client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: ptr.To[int64](0),
			DryRun:             o.dryRun.serverDryRun(),
		})
		if err != nil {
			return nil, "", fmt.Errorf("deleting pod %q after creating its copy %q: %w", pod.Name, created.Name, err)
		}
	}
	return created, container, nil
}

// debugNode creates a pod on node in the host's namespaces.
func (o *DebugOptions) debugNode(ctx context.Context, node *corev1.Node) (*corev1.Pod, string, error) {
	name := o.Container
	if name == "" {
		name = "debugger"
	}
	// The name is not checked for collisions: five random characters make one rare
	// enough not to spend a request on it.
	podName := fmt.Sprintf("node-debugger-%s-%s", node.Name, o.nameSuffix())
	o.notice("Creating debugging pod %s with container %s on node %s.", podName, name, node.Name)

	debugPod, _, err := o.prepare(ModeNode, o.spec(), func(s *containerSpec) (*corev1.Pod, string, error) {
		p, err := buildNodePod(node, s, podName, name, o.Namespace)
		return p, name, err
	})
	if err != nil {
		return nil, "", err
	}
	if o.dryRun == dryRunClient {
		return debugPod, name, nil
	}
	client, err := o.clientset()
	if err != nil {
		return nil, "", err
	}
	created, err := client.CoreV1().Pods(o.Namespace).Create(ctx, debugPod, metav1.CreateOptions{DryRun: o.dryRun.serverDryRun()})
	if err != nil {
		return nil, "", fmt.Errorf("creating pod %q to debug node %q: %w", podName, node.Name, err)
	}
	return created, name, nil
}

// prepare builds the debug pod from spec and prints the warnings it calls for: every
// privilege the custom profiles raise over the predefined profile (found by building
// once more without them), and outside node mode the non-root warning.
func (o *DebugOptions) prepare(mode Mode, spec *containerSpec, build func(*containerSpec) (*corev1.Pod, string, error)) (*corev1.Pod, string, error) {
	debugPod, container, err := build(spec)
	if err != nil || container == "" {
		return debugPod, container, err
	}
	if len(spec.Customs) > 0 {
		plain := *spec
		plain.Customs = nil
		before, _, err := build(&plain)
		if err != nil {
			return nil, "", err
		}
		o.warnRaisedPrivileges(before, debugPod, container)
	}
	if mode != ModeNode {
		o.warnNonRoot(debugPod, findContainer(debugPod, container))
	}
	return debugPod, container, nil
}

// podSpec is the builders' input for debugging pod, with the mounts --share-volumes
// borrows from it.
func (o *DebugOptions) podSpec(pod *corev1.Pod, mode Mode) (*containerSpec, error) {
	s := o.spec()
	if o.ShareVolumes == "" {
		return s, nil
	}
	mounts, skipped, err := sharedMounts(pod, o.ShareVolumes, o.TargetContainer, mode)
	if err != nil {
		return nil, err
	}
	for _, m := range skipped {
		fmt.Fprintf(o.ErrOut, "Warning: --share-volumes: leaving out volume %q at %s: ephemeral containers cannot mount a subPath\n", m.Name, m.MountPath)
	}
	s.SharedMounts = mounts
	return s, nil
}

// notice prints an informational line unless --quiet: on standard output, or on standard
// error when -o keeps standard output for the object.
func (o *DebugOptions) notice(format string, args ...any) {
	if o.Quiet {
		return
	}
	w := o.Out
	if o.outputRequested() {
		w = o.ErrOut
	}
	fmt.Fprintf(w, format+"\n", args...)
}
