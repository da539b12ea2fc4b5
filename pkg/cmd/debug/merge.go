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
		if custom.containerPatch != nil {
			if err := mergeCustomProfile(pod, name, custom); err != nil {
				return fmt.Errorf("--custom %s: %w", custom.source, err)
			}
		}
		if custom.podPatch != nil || len(custom.tolerations) > 0 {
			if err := mergePodSection(pod, custom); err != nil {
				return fmt.Errorf("--custom %s: %w", custom.source, err)
			}
		}
	}
	return nil
}

// mergePodSection merges a profile document's pod section onto pod with the pod schema's
// strategic merge rules, then appends its tolerations.
func mergePodSection(pod *corev1.Pod, custom *customProfile) error {
	if custom.podPatch != nil {
		if err := mergeInto(pod, custom.podPatch); err != nil {
			return err
		}
	}
	pod.Spec.Tolerations = append(pod.Spec.Tolerations, custom.tolerations...)
	return nil
}

// mergeCustomProfile merges one custom profile onto the container called name with the
// container schema's strategic merge rules: keyed lists merge by key, atomic lists and
// scalars are replaced.
func mergeCustomProfile(pod *corev1.Pod, name string, custom *customProfile) error {
	for i := range pod.Spec.EphemeralContainers {
		if ec := &pod.Spec.EphemeralContainers[i]; ec.Name == name {
			return mergeInto(ec, custom.containerPatch)
		}
	}
	c := findContainer(pod, name)
	if c == nil {
		return fmt.Errorf("debug container %q not found in pod %q", name, pod.Name)
	}
	return mergeInto(c, custom.containerPatch)
}

// mergeInto patches the JSON form of target (a container, an ephemeral container or a
// pod) and decodes the result into a zeroed target, so that fields the patch deletes are
// gone.
func mergeInto[T corev1.Container | corev1.EphemeralContainer | corev1.Pod](target *T, patch []byte) error {
	original, err := json.Marshal(target)
	if err != nil {
		return err
	}
	// The container schema drives the merge for both kinds of container: an ephemeral
	// container has the same fields plus targetContainerName, which a custom profile
	// cannot carry.
	var schema any = corev1.Container{}
	if _, isPod := any(target).(*corev1.Pod); isPod {
		schema = corev1.Pod{}
	}
	merged, err := safeMerge(original, patch, schema)
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
	return strategicpatch.StrategicMergePatch(original, patch, schema)
}
