package debug

import (
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// containerSpec is what the flags say about the debug container and its pod; the
// builders below turn it into objects without any I/O, before any profile applies.
type containerSpec struct {
	Image           string
	PullPolicy      corev1.PullPolicy
	Env             []corev1.EnvVar
	Args            []string
	ArgsOnly        bool
	Stdin           bool
	StdinOnce       bool
	TTY             bool
	TargetContainer string

	CopyTo         string
	SameNode       bool
	SetImages      map[string]string
	ShareProcesses *bool

	// SharedMounts are the volume mounts --share-volumes borrows for the debug container.
	SharedMounts []corev1.VolumeMount
}

// setCommand puts the words after -- into command, or args with --arguments-only.
func (s *containerSpec) setCommand(c *corev1.Container) {
	if s.ArgsOnly {
		c.Args = s.Args
	} else {
		c.Command = s.Args
	}
}

// newDebugContainer is the container every mode starts from.
func (s *containerSpec) newDebugContainer(name string) corev1.Container {
	c := corev1.Container{
		Name:                     name,
		Env:                      s.Env,
		Image:                    s.Image,
		ImagePullPolicy:          s.PullPolicy,
		Stdin:                    s.Stdin,
		StdinOnce:                s.StdinOnce,
		TTY:                      s.TTY,
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}
	s.setCommand(&c)
	addMounts(&c, s.SharedMounts)
	return c
}

// buildEphemeral returns the debug container called name as an ephemeral container.
func buildEphemeral(s *containerSpec, name string) corev1.EphemeralContainer {
	return corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon(s.newDebugContainer(name)),
		TargetContainerName:      s.TargetContainer,
	}
}

// buildCopy returns the new pod for --copy-to and the name of its debug container: the
// container -c names (a regular or init container, edited in place), else a new one
// called name. The name is empty when only --set-image changes the copy.
func buildCopy(pod *corev1.Pod, s *containerSpec, name string) (*corev1.Pod, string, error) {
	debugPod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        s.CopyTo,
			Namespace:   pod.Namespace,
			Labels:      maps.Clone(pod.Labels),
			Annotations: maps.Clone(pod.Annotations),
		},
		Spec: *pod.Spec.DeepCopy(),
	}
	// Ephemeral containers can only be added to a running pod, never created with one.
	debugPod.Spec.EphemeralContainers = nil
	if s.ShareProcesses != nil {
		debugPod.Spec.ShareProcessNamespace = ptr.To(*s.ShareProcesses)
	}
	if !s.SameNode {
		debugPod.Spec.NodeName = ""
	}
	for i := range debugPod.Spec.Containers {
		c := &debugPod.Spec.Containers[i]
		if image, ok := s.SetImages[c.Name]; ok {
			c.Image = image
		} else if image, ok := s.SetImages["*"]; ok {
			c.Image = image
		}
	}

	c := podutil.FindInSpec(debugPod, name)
	if c == nil {
		switch {
		case s.Image != "":
		case name != "":
			return nil, "", fmt.Errorf("container %q not found in pod %q: give --image to add it as a new container", name, pod.Name)
		default:
			// Only --set-image changes this copy.
			return debugPod, "", nil
		}
		debugPod.Spec.Containers = append(debugPod.Spec.Containers, corev1.Container{
			Name:                     name,
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		})
		c = &debugPod.Spec.Containers[len(debugPod.Spec.Containers)-1]
	}

	if len(s.Args) > 0 {
		if !s.ArgsOnly {
			c.Args = nil
		}
		s.setCommand(c)
	}
	if len(s.Env) > 0 {
		c.Env = s.Env
	}
	if s.Image != "" {
		c.Image = s.Image
	}
	if s.PullPolicy != "" {
		c.ImagePullPolicy = s.PullPolicy
	}
	c.Stdin = s.Stdin
	c.StdinOnce = s.StdinOnce
	c.TTY = s.TTY
	addMounts(c, s.SharedMounts)
	return debugPod, name, nil
}

// nodeDebugLabel marks the debugging pods the command creates: node debuggers, and
// copies it holds a session on (see holdsSession); the value is upstream kubectl's for
// node debuggers, so tooling that selects on it finds ours too, and
// `kubectl delete pod -l app.kubernetes.io/managed-by=kubectl-debug` finds the
// leftovers of sessions.
var nodeDebugLabel = map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug"}

// markDebugPod labels pod as a debugging pod and notes its target in the identity's
// annotation.
func (pl *planner) markDebugPod(pod *corev1.Pod, target string) {
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	maps.Copy(pod.Labels, nodeDebugLabel)
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[pl.identity.TargetAnnotation] = target
}

// buildNodePod returns a pod called podName that runs the debug container called name on
// node, tolerating every taint so it lands even on a tainted or cordoned node.
func buildNodePod(node *corev1.Node, s *containerSpec, podName, name, namespace string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:      podName,
			Namespace: namespace,
			Labels:    maps.Clone(nodeDebugLabel),
		},
		Spec: corev1.PodSpec{
			Containers:    []corev1.Container{s.newDebugContainer(name)},
			NodeName:      node.Name,
			RestartPolicy: corev1.RestartPolicyNever,
			Tolerations:   []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
		},
	}
}

// generateContainerName returns "debugger-" plus a random suffix that no container of
// pod uses yet.
func generateContainerName(pod *corev1.Pod, suffix func() string) string {
	taken := podutil.Names(pod)
	for {
		if name := "debugger-" + suffix(); !taken[name] {
			return name
		}
	}
}
