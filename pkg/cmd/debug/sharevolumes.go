package debug

import (
	"fmt"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// shareVolumesAuto is --share-volumes given without a container name; no container can
// be called that.
const shareVolumesAuto = "*"

// shareVolumesValue is the value of --share-volumes. The container name is optional,
// so the word after a bare --share-volumes is a positional argument: a target. A user
// who writes "mypod --share-volumes web" means the container web, and would get pod web
// debugged too; so the value remembers where a bare --share-volumes stood among the
// positional arguments, for Complete to refuse one after it.
type shareVolumesValue struct {
	value *string
	// flags is the flag set being parsed, whose positional arguments so far tell where
	// the flag stands.
	flags *pflag.FlagSet
	// bareAt is how many positional arguments came before the last bare --share-volumes,
	// or -1 when the last one had a value.
	bareAt int
}

// String returns the container name, shareVolumesAuto for a bare flag.
func (v *shareVolumesValue) String() string { return *v.value }

// Type names the value in help, as for any string flag.
func (v *shareVolumesValue) Type() string { return "string" }

// Set takes a value from the command line (or kuberc's defaults, after the parse).
func (v *shareVolumesValue) Set(value string) error {
	*v.value = value
	v.bareAt = -1
	if value == shareVolumesAuto {
		v.bareAt = len(v.flags.Args())
	}
	return nil
}

// bareBefore tells whether a bare --share-volumes came before the positional argument
// at index i.
func (v *shareVolumesValue) bareBefore(i int) bool {
	return v != nil && v.bareAt >= 0 && v.bareAt <= i
}

// checkBareShareVolumes refuses a target named after a bare --share-volumes, among
// names, the positional arguments before --: the user may have meant it as the
// container, and debugging it would write to a pod they did not mean to name.
func (o *DebugOptions) checkBareShareVolumes(names []string) error {
	v := o.shareVolumes
	if v == nil || v.bareAt < 0 || v.bareAt >= len(names) {
		return nil
	}
	name := briefText(names[v.bareAt])
	return fmt.Errorf("--share-volumes takes a container only as --share-volumes=NAME, so %q after it would be a target to debug: write --share-volumes=%s, or name the targets before --share-volumes", name, name)
}

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
