package debug

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

// applyProfiles applies the predefined profile, then each custom profile in the order
// given, to the debug container called name. Every mode goes through here, so a custom
// profile means the same thing whatever is being debugged.
func applyProfiles(pod *corev1.Pod, name string, mode Mode, p profile, customs []*customProfile) error {
	if err := applyMutations(pod, name, p.mutations(mode)); err != nil {
		return err
	}
	for _, custom := range customs {
		if err := mergeCustomProfile(pod, name, custom); err != nil {
			return fmt.Errorf("--custom %s: %w", custom.source, err)
		}
	}
	return nil
}

// mergeCustomProfile merges one custom profile onto the container called name with the
// container schema's strategic merge rules: keyed lists merge by key, atomic lists and
// scalars are replaced.
func mergeCustomProfile(pod *corev1.Pod, name string, custom *customProfile) error {
	for i := range pod.Spec.EphemeralContainers {
		if ec := &pod.Spec.EphemeralContainers[i]; ec.Name == name {
			return mergeInto(ec, custom.patch)
		}
	}
	c := findContainer(pod, name)
	if c == nil {
		return fmt.Errorf("debug container %q not found in pod %q", name, pod.Name)
	}
	return mergeInto(c, custom.patch)
}

// mergeInto patches the JSON form of target (a *Container or *EphemeralContainer) and
// decodes the result into a zeroed target, so that fields the patch deletes are gone.
func mergeInto[T corev1.Container | corev1.EphemeralContainer](target *T, patch []byte) error {
	original, err := json.Marshal(target)
	if err != nil {
		return err
	}
	// The container schema drives the merge for both kinds: an ephemeral container has
	// the same fields plus targetContainerName, which a custom profile cannot carry.
	merged, err := strategicpatch.StrategicMergePatch(original, patch, corev1.Container{})
	if err != nil {
		return fmt.Errorf("merging onto container: %w", err)
	}
	var result T
	if err := json.Unmarshal(merged, &result); err != nil {
		return fmt.Errorf("decoding the merged container: %w", err)
	}
	*target = result
	return nil
}
