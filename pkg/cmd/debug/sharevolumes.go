package debug

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// shareVolumesAuto is --share-volumes given without a container name; no container can
// be called that.
const shareVolumesAuto = "*"

// sharedMounts returns the volume mounts the debug container borrows with
// --share-volumes=flag: those of the named container, else of the --target container,
// else of the pod's only container. An ephemeral container cannot use subPath or
// subPathExpr, so such mounts are left out and reported in skipped.
func sharedMounts(pod *corev1.Pod, flag, target string, mode Mode) (mounts []corev1.VolumeMount, skipped []corev1.VolumeMount, err error) {
	source := flag
	if source == shareVolumesAuto {
		switch {
		case target != "":
			source = target
		case len(pod.Spec.Containers) == 0:
			return nil, nil, fmt.Errorf("--share-volumes: pod %q has no containers to share volumes with", pod.Name)
		case len(pod.Spec.Containers) == 1:
			source = pod.Spec.Containers[0].Name
		default:
			return nil, nil, fmt.Errorf("--share-volumes: pod %q has %d containers; name the one whose volumes to share, e.g. --share-volumes=%s",
				pod.Name, len(pod.Spec.Containers), pod.Spec.Containers[0].Name)
		}
	}
	c := podutil.FindInSpec(pod, source)
	if c == nil {
		return nil, nil, fmt.Errorf("--share-volumes: container %q not found in pod %q", source, pod.Name)
	}
	for _, m := range c.VolumeMounts {
		if mode == ModeEphemeral && (m.SubPath != "" || m.SubPathExpr != "") {
			skipped = append(skipped, m)
			continue
		}
		mounts = append(mounts, m)
	}
	return mounts, skipped, nil
}

// addMounts appends the mounts whose mount path c does not use yet.
func addMounts(c *corev1.Container, mounts []corev1.VolumeMount) {
	used := map[string]bool{}
	for _, m := range c.VolumeMounts {
		used[m.MountPath] = true
	}
	for _, m := range mounts {
		if !used[m.MountPath] {
			c.VolumeMounts = append(c.VolumeMounts, m)
			used[m.MountPath] = true
		}
	}
}
