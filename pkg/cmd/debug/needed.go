package debug

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// needed is what the command built into a debug pod and a custom profile may not take
// away: a profile adds to the pod, it does not undo the mode. Node debugging needs its
// host root volume and the mount of it (HostProcess on Windows nodes), its
// tolerate-everything toleration, and the label that marks the pod as a debugger (which
// cleanup by label relies on).
type needed struct {
	hostRoot      *corev1.Volume
	hostRootMount *corev1.VolumeMount
	// hostProcess is set when the pod is a Windows HostProcess pod, which all its
	// containers must then be.
	hostProcess bool
	labels      map[string]string
	tolerations []corev1.Toleration
}

// neededBy records what pod, with its debug container called container, needs, before
// the custom profiles apply.
func neededBy(pod *corev1.Pod, container string) needed {
	var n needed
	for i := range pod.Spec.Volumes {
		if v := pod.Spec.Volumes[i]; v.Name == hostRootVolume {
			n.hostRoot = v.DeepCopy()
		}
	}
	if c, _ := podutil.Find(pod, container); c != nil && n.hostRoot != nil {
		for _, m := range c.VolumeMounts {
			if m.Name == hostRootVolume {
				n.hostRootMount = m.DeepCopy()
			}
		}
	}
	for key, value := range nodeDebugLabel {
		if pod.Labels[key] == value {
			if n.labels == nil {
				n.labels = map[string]string{}
			}
			n.labels[key] = value
		}
	}
	if sc := pod.Spec.SecurityContext; sc != nil {
		n.hostProcess = isTrue(hostProcess(sc.WindowsOptions))
	}
	n.tolerations = append([]corev1.Toleration(nil), pod.Spec.Tolerations...)
	return n
}

// check says what pod no longer has of what it needed.
func (n needed) check(pod *corev1.Pod, container string) error {
	for key, value := range n.labels {
		if pod.Labels[key] != value {
			return fmt.Errorf("pod.metadata.labels.%s: a custom profile cannot change the label that marks debugging pods (%s=%s)", key, key, value)
		}
	}
	if n.hostRoot != nil {
		found := false
		for _, v := range pod.Spec.Volumes {
			if v.Name == n.hostRoot.Name {
				found = equality.Semantic.DeepEqual(v, *n.hostRoot)
			}
		}
		if !found {
			return fmt.Errorf("pod.spec.volumes: a custom profile cannot change or remove volume %q, the node's filesystem that node debugging mounts at /host", hostRootVolume)
		}
	}
	if n.hostRootMount != nil {
		c, _ := podutil.Find(pod, container)
		found := false
		for _, m := range c.VolumeMounts {
			if m.MountPath == n.hostRootMount.MountPath {
				found = onlyRestricts(*n.hostRootMount, m)
			}
		}
		if !found {
			return fmt.Errorf("volumeMounts: a custom profile may make the mount of the node's filesystem at %s read-only, but cannot remove, move or otherwise change it", n.hostRootMount.MountPath)
		}
	}
	if n.hostProcess {
		if c, _ := podutil.Find(pod, container); c.SecurityContext != nil && isFalse(hostProcess(c.SecurityContext.WindowsOptions)) {
			return fmt.Errorf("securityContext.windowsOptions.hostProcess: a custom profile cannot turn off HostProcess, which debugging a Windows node runs as")
		}
	}
	if len(pod.Spec.Tolerations) < len(n.tolerations) || !equality.Semantic.DeepEqual(pod.Spec.Tolerations[:len(n.tolerations)], n.tolerations) {
		return fmt.Errorf("pod.spec.tolerations: a custom profile adds tolerations, it cannot change or remove those the pod has")
	}
	return nil
}

// onlyRestricts tells whether got is the mount built, or the same mount with less
// access: read-only (recursively or not), or fewer mounts propagated. Looking at a node
// through a read-only /host is the safest way to look at it, and upstream allows it.
func onlyRestricts(built, got corev1.VolumeMount) bool {
	if built.ReadOnly && !got.ReadOnly {
		return false
	}
	if propagationRank(got.MountPropagation) > propagationRank(built.MountPropagation) {
		return false
	}
	if recursiveReadOnlyRank(got.RecursiveReadOnly) < recursiveReadOnlyRank(built.RecursiveReadOnly) {
		return false
	}
	got.ReadOnly, got.MountPropagation, got.RecursiveReadOnly = built.ReadOnly, built.MountPropagation, built.RecursiveReadOnly
	return equality.Semantic.DeepEqual(got, built)
}

// propagationRank orders mount propagation by how much of the host's mounts it shares.
func propagationRank(mode *corev1.MountPropagationMode) int {
	switch {
	case mode == nil, *mode == corev1.MountPropagationNone:
		return 0
	case *mode == corev1.MountPropagationHostToContainer:
		return 1
	}
	return 2
}

// recursiveReadOnlyRank orders recursive read-only modes by how much they protect.
func recursiveReadOnlyRank(mode *corev1.RecursiveReadOnlyMode) int {
	switch {
	case mode == nil, *mode == corev1.RecursiveReadOnlyDisabled:
		return 0
	case *mode == corev1.RecursiveReadOnlyIfPossible:
		return 1
	}
	return 2
}
