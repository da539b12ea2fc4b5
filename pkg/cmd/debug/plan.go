package debug

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile"
	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// plan is everything one target's debug session will do, decided before anything is
// sent: the write, the container to attach to, and what to tell the user.
type plan struct {
	// index is the target's place among those found.
	index int
	// target names what is debugged, as messages and the table show it.
	target string
	mode   Mode
	// source is the pod being debugged (ephemeral and copy modes).
	source *corev1.Pod
	// node is the node being debugged (node mode).
	node *corev1.Node
	// container is the debug container; empty when a copy only changes images.
	container string
	// profile names the predefined profile the debug container was made with.
	profile string
	// reattach is set when the debug container exists already (-c without --image):
	// nothing is sent, the session attaches to it.
	reattach bool

	// ephemeral is the container added to source (ephemeral mode). Its slices and
	// pointers may be shared with other plans of the run: it is read only. The patch
	// that adds it is built when it is sent, so that thousands of plans do not each hold
	// one until the run ends.
	ephemeral *corev1.EphemeralContainer
	// pod is the pod to create (copy and node modes).
	pod *corev1.Pod
	// deleteSource deletes source once pod exists (--replace).
	deleteSource bool

	// notices are informational lines (-q silences them); warnings are not silenced.
	// targeting is the notice naming the --target container, which kubectl prints
	// before all others.
	notices   []string
	targeting string
	warnings  []string
}

// debugPod is the pod the debug container runs in as planned: the pod to create, or the
// target pod with the ephemeral container added.
func (p *plan) debugPod() *corev1.Pod {
	if p.pod != nil {
		return p.pod
	}
	if p.reattach {
		return p.source
	}
	pod := p.source.DeepCopy()
	pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, *p.ephemeral.DeepCopy())
	return pod
}

// planTarget decides what debugging r means. It makes no API call and prints nothing, so
// every target can be planned before any is sent. profiled keeps what the profiles made
// for the run's earlier targets, or is nil.
func (pl *planner) planTarget(r resolved, profiled *profiledContainers) (*plan, error) {
	var p *plan
	var err error
	switch {
	case r.node != nil:
		p, err = pl.planNode(r)
	case pl.podMode() == ModeCopy:
		p, err = pl.planCopy(r)
	default:
		p, err = pl.planEphemeral(r, profiled)
	}
	if p != nil {
		p.profile = pl.profileName
	}
	return p, err
}

// planEphemeral plans an ephemeral container for r; profiled, when not nil, keeps the
// profiled debug containers of the run's earlier plans, which this one may share.
func (pl *planner) planEphemeral(r resolved, profiled *profiledContainers) (*plan, error) {
	source := r.pod
	// The kubelet starts no container in a pod that has completed: the debug container
	// would wait for ever. kubectl attach refuses the pod it chose for a workload then,
	// and so does this; a pod named directly gets its container, as kubectl debug does.
	if r.workload != "" && podCompleted(source) {
		return nil, fmt.Errorf("cannot add a debug container to pod %q of %s: the pod has completed (phase %s), so the container would never start; --copy-to debugs a copy of it",
			source.Name, r.workload, source.Status.Phase)
	}
	if pl.base.Image == "" {
		return pl.planReattach(r)
	}
	p := &plan{target: r.name, mode: ModeEphemeral, source: source, notices: r.notices}
	if pl.targetContainer == targetAuto {
		target, why, err := autoTarget(source)
		if err != nil {
			return nil, err
		}
		if why != "" {
			p.notices = append(p.notices, fmt.Sprintf("--target=auto chose container %q, %s.", target, why))
		}
		pl = pl.forTarget(target)
	}
	p.container = pl.container
	switch {
	case p.container == "":
		p.container = generateContainerName(source, pl.nameSuffix)
		p.notices = append(p.notices, fmt.Sprintf("Defaulting debug container name to %s.", p.container))
	case podutil.Names(source)[p.container]:
		return nil, fmt.Errorf("pod %q already has a container called %q: an ephemeral container needs a new name (-c/--container)", source.Name, p.container)
	}
	// The server refuses a target that is not one of the pod's init or regular
	// containers; checked here, a selector whose pods differ fails before any is changed.
	if pl.targetContainer != "" && podutil.FindInSpec(source, pl.targetContainer) == nil {
		return nil, fmt.Errorf("--target: container %q not found in pod %q", pl.targetContainer, source.Name)
	}
	s, err := pl.podSpec(source, ModeEphemeral, p)
	if err != nil {
		return nil, err
	}
	var command []string
	if pl.targetFS {
		command = targetFSCommand(source, pl.targetContainer, s.Args)
		s.Args, s.ArgsOnly = command, false
	}
	var user runAs
	if pl.runAs.set() {
		if user, err = pl.resolveRunAs(source); err != nil {
			return nil, err
		}
	}
	in, err := inputOf(user, s.SharedMounts, pl.targetContainer, command)
	if err != nil {
		return nil, err
	}
	debug, err := profiled.get(p.container, in, func() (profiledContainer, error) {
		// The profiles only touch the debug container in this mode, so they work on a
		// shell of a pod that holds just that container: what they make cannot depend
		// on anything else of the pod.
		shell := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: source.Name, Namespace: source.Namespace},
			Spec:       corev1.PodSpec{EphemeralContainers: []corev1.EphemeralContainer{buildEphemeral(s, p.container)}},
		}
		warnings, err := pl.profileDebugContainer(shell, p.container, p.target, ModeEphemeral, "", user)
		return profiledContainer{container: shell.Spec.EphemeralContainers[0], warnings: warnings}, err
	})
	if err != nil {
		return nil, err
	}
	p.ephemeral = &debug.container
	p.warnings = append(p.warnings, debug.warnings...)
	pl.adviseOn(p, source, source, (*corev1.Container)(&p.ephemeral.EphemeralContainerCommon))
	if pl.targetContainer != "" {
		p.targeting = fmt.Sprintf("Targeting container %q. If you don't see processes from this container it may be because the container runtime doesn't support this feature.", pl.targetContainer)
	}
	return p, nil
}

func (pl *planner) planCopy(r resolved) (*plan, error) {
	source := r.pod
	if pl.copyTo == source.Name {
		return nil, fmt.Errorf("--copy-to %q is the name of the pod being copied: the copy needs a name of its own", pl.copyTo)
	}
	p := &plan{target: r.name, mode: ModeCopy, source: source, notices: r.notices, deleteSource: pl.replace}
	name := pl.container
	if name == "" && pl.base.Image != "" {
		name = generateContainerName(source, pl.nameSuffix)
	}
	s, err := pl.podSpec(source, ModeCopy, p)
	if err != nil {
		return nil, err
	}
	pod, container, err := buildCopy(source, s, name)
	if err != nil {
		return nil, err
	}
	p.pod, p.container = pod, container
	if container == "" {
		if pl.holdsSession() {
			pl.markDebugPod(pod, r.name)
		}
		return p, nil
	}
	if pl.container == "" {
		p.notices = append(p.notices, fmt.Sprintf("Defaulting debug container name to %s.", container))
	}
	if err := pl.applyProfiles(pod, p, ModeCopy, source); err != nil {
		return nil, err
	}
	return p, nil
}

// podCompleted tells whether pod has finished for good: all its containers ended and
// none will be restarted.
func podCompleted(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// holdsSession reports whether the command stays with the pods it creates (attaching,
// streaming their logs, or deleting them at the end). Only then are copies marked as
// debugging pods: a copy made with --attach=false is the user's to keep and is left as
// kubectl makes it, without labels or annotations (kubernetes' own test/cmd/debug.sh
// asserts that), while the copies sessions leave behind are the ones a label query must
// find.
func (pl *planner) holdsSession() bool {
	return pl.session
}

// nodeDebugContainer is the debug container's name in a node debugging pod without -c.
const nodeDebugContainer = "debugger"

func (pl *planner) planNode(r resolved) (*plan, error) {
	p := &plan{target: r.name, mode: ModeNode, node: r.node, notices: r.notices, container: pl.container}
	if p.container == "" {
		p.container = nodeDebugContainer
	}
	// The name is not checked for collisions: five random characters make one rare
	// enough not to spend a request on it.
	podName := fmt.Sprintf("node-debugger-%s-%s", r.node.Name, pl.nameSuffix())
	p.pod = buildNodePod(r.node, pl.spec(), podName, p.container, pl.namespace)
	if err := pl.applyProfiles(p.pod, p, ModeNode, nil); err != nil {
		return nil, err
	}
	if hostOSOf(r.node) == hostWindows && pl.profileName != ProfileSysadmin {
		p.warnings = append(p.warnings, fmt.Sprintf("node %s runs Windows (%s=%s): --profile=%s makes the pod it makes for Linux nodes; only --profile=sysadmin makes a Windows (HostProcess) debugging pod",
			r.node.Name, corev1.LabelOSStable, hostWindows, pl.profileName))
	}
	return p, nil
}

// applyProfiles applies the profiles to pod and the plan's debug container (see
// profileDebugContainer), with the user --run-as takes from source, the pod being
// debugged, and records the warnings and notices they call for.
func (pl *planner) applyProfiles(pod *corev1.Pod, p *plan, mode Mode, source *corev1.Pod) error {
	var user runAs
	if pl.runAs.set() && source != nil {
		var err error
		if user, err = pl.resolveRunAs(source); err != nil {
			return err
		}
	}
	warnings, err := pl.profileDebugContainer(pod, p.container, p.target, mode, hostOSOf(p.node), user)
	if err != nil {
		return err
	}
	p.warnings = append(p.warnings, warnings...)
	if mode != ModeNode {
		debug, _ := podutil.Find(pod, p.container)
		pl.adviseOn(p, pod, source, debug)
	}
	return nil
}

// profileDebugContainer applies the predefined profile, then user (a resolved --run-as,
// or none), marks a pod the command creates as a debugging pod (every node pod; a copy
// only when the command holds a session on it), then applies the custom profiles to pod
// and its debug container called container; host is the operating system of the node
// being debugged, in node mode. It returns the warnings they raise: root
// under the restricted profile, and what the custom profiles raise over the predefined
// one. It reads nothing of the pod being debugged beyond pod itself, so for an
// ephemeral container, where pod holds only that container, the result is the same for
// every pod that gives the same user and shared mounts.
func (pl *planner) profileDebugContainer(pod *corev1.Pod, container, target string, mode Mode, host hostOS, user runAs) ([]string, error) {
	var warnings []string
	if err := applyMutations(pod, container, pl.profile.mutations(mode, host)); err != nil {
		return nil, err
	}
	if user.set() {
		debug, _ := podutil.Find(pod, container)
		user.apply(debug)
		if pl.profileName == ProfileRestricted && *user.user == 0 {
			warnings = append(warnings, "--run-as runs the debug container as root, which --profile=restricted and Pod Security \"restricted\" do not allow")
		}
	}
	if mode == ModeNode || (mode == ModeCopy && pl.holdsSession()) {
		pl.markDebugPod(pod, target)
	}
	if len(pl.customs) > 0 {
		before := privilegesOf(pod, container)
		needed := neededBy(pod, container)
		for _, custom := range pl.customs {
			if err := customprofile.Apply(pod, container, []*customprofile.Profile{custom}); err != nil {
				return nil, err
			}
			if err := needed.check(pod, container); err != nil {
				return nil, fmt.Errorf("--custom %s: %w", custom.Source(), err)
			}
		}
		if raised := privilegeRaises(before, privilegesOf(pod, container)); len(raised) > 0 {
			warnings = append(warnings, fmt.Sprintf("--custom makes the debug pod more privileged than --profile=%s: %s", pl.profileName, joinRaises(raised)))
		}
	}
	return warnings, nil
}

// adviseOn adds to p what the user should know about debug, the debug container of a
// pod (not a node) as the profiles left it: the non-root warning, which depends on pod,
// the pod whose security context applies to it, and the restricted hint, which depends
// on source, the pod being debugged.
func (pl *planner) adviseOn(p *plan, pod, source *corev1.Pod, debug *corev1.Container) {
	if needsNonRootWarning(pod, debug) {
		p.warnings = append(p.warnings, nonRootWarning)
	}
	if hint := pl.restrictedHint(source, debug); hint != "" {
		p.notices = append(p.notices, hint)
	}
}

// podSpec is the builders' input for debugging pod, with the mounts --share-volumes
// borrows from it; mounts it must leave out become warnings of p.
func (pl *planner) podSpec(pod *corev1.Pod, mode Mode, p *plan) (*containerSpec, error) {
	s := pl.spec()
	if pl.shareVolumes == "" {
		return s, nil
	}
	mounts, skipped, err := sharedMounts(pod, pl.shareVolumes, pl.targetContainer, mode)
	if err != nil {
		return nil, err
	}
	for _, m := range skipped {
		p.warnings = append(p.warnings, fmt.Sprintf("--share-volumes: leaving out volume %q at %s: ephemeral containers cannot mount a subPath", m.Name, m.MountPath))
	}
	s.SharedMounts = mounts
	return s, nil
}

// ephemeralPatch is the strategic merge patch that adds ec to pod. The list is keyed by
// name, so the patch carries only the new container and the order of the names.
// Building it directly, rather than diffing two encoded pods, spares every call the
// cost of encoding a whole pod.
//
// The patch also carries the pod's resourceVersion as it was read, which the server
// takes as a precondition: merged into a pod changed since, a container of the same name
// that another session added meanwhile would be taken for this one, and both sessions
// would share it. A patch refused for it is rebuilt on the pod as it is then (execute).
func ephemeralPatch(pod *corev1.Pod, ec *corev1.EphemeralContainer) ([]byte, error) {
	spec := map[string]any{"ephemeralContainers": []*corev1.EphemeralContainer{ec}}
	if existing := pod.Spec.EphemeralContainers; len(existing) > 0 {
		order := make([]map[string]string, 0, len(existing)+1)
		for _, c := range existing {
			order = append(order, map[string]string{"name": c.Name})
		}
		spec["$setElementOrder/ephemeralContainers"] = append(order, map[string]string{"name": ec.Name})
	}
	body := map[string]any{"spec": spec}
	if pod.ResourceVersion != "" {
		body["metadata"] = map[string]string{"resourceVersion": pod.ResourceVersion}
	}
	patch, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("creating the patch that adds the debug container: %w", err)
	}
	return patch, nil
}
