package customprofile

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// Apply merges each profile, in the order given, onto pod and its debug container called
// container: the container section with the container schema's strategic merge rules
// (keyed lists merge by key, atomic lists and scalars are replaced), the pod section
// with the pod's, tolerations appended. Every mode goes through here, so a profile
// means the same thing whatever is being debugged.
func Apply(pod *corev1.Pod, container string, profiles []*Profile) error {
	for _, p := range profiles {
		if err := p.apply(pod, container); err != nil {
			return fmt.Errorf("--custom %s: %w", p.source, err)
		}
	}
	return nil
}

func (p *Profile) apply(pod *corev1.Pod, container string) error {
	if p.containerPatch != nil {
		// An ephemeral container is found as the Container it shares its layout with;
		// the container schema drives the merge for both, and targetContainerName,
		// which a profile cannot carry, stays outside what is replaced.
		c, _ := podutil.Find(pod, container)
		if c == nil {
			return fmt.Errorf("debug container %q not found in pod %q", container, pod.Name)
		}
		if err := mergeInto(c, p.containerPatch); err != nil {
			return err
		}
	}
	if p.podPatch != nil {
		if err := mergeInto(pod, p.podPatch); err != nil {
			return err
		}
	}
	pod.Spec.Tolerations = append(pod.Spec.Tolerations, p.tolerations...)
	return nil
}

// mergeInto patches the JSON form of target (a container or a pod) and decodes the
// result into a zeroed target, so that fields the patch deletes are gone.
func mergeInto[T corev1.Container | corev1.Pod](target *T, patch []byte) error {
	original, err := json.Marshal(target)
	if err != nil {
		return err
	}
	var zero T
	merged, err := safeMerge(original, patch, zero)
	if err != nil {
		return fmt.Errorf("merging: %w", err)
	}
	var result T
	if err := json.Unmarshal(merged, &result); err != nil {
		return fmt.Errorf("decoding the merged result: %w", err)
	}
	*target = result
	return nil
}

// safeMerge is a strategic merge that reports, instead of crashing on, a patch shape the
// merge code does not expect; the checks on custom files should leave none, and a bug
// there must not take the command down.
func safeMerge(original, patch []byte, schema any) (merged []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			merged, err = nil, fmt.Errorf("the patch has a shape the merge cannot handle: %v", r)
		}
	}()
	meta, err := strategicpatch.NewPatchMetaFromStruct(schema)
	if err != nil {
		return nil, err
	}
	return strategicMerge(original, patch, meta)
}
