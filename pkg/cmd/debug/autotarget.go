package debug

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// targetAuto is the --target value that lets each pod's target be chosen for it.
const targetAuto = "auto"

// defaultContainerAnnotation names the container kubectl's commands use by default in a
// pod (kubectl logs, exec and attach read it too).
const defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// autoTarget is the container --target=auto targets in pod, and why: the container the
// pod's default-container annotation names, else its only application container. A pod
// with a container called "auto" gets that one, as --target=auto means there upstream.
// Several containers and no annotation is an error naming them: guessing which one the
// user meant would show the wrong processes without a word.
func autoTarget(pod *corev1.Pod) (name, why string, err error) {
	if podutil.FindInSpec(pod, targetAuto) != nil {
		return targetAuto, "", nil
	}
	if name := pod.Annotations[defaultContainerAnnotation]; name != "" {
		if podutil.FindInSpec(pod, name) == nil {
			return "", "", fmt.Errorf("--target=auto: pod %q names %q as its default container (annotation %s), but has no container of that name",
				pod.Name, name, defaultContainerAnnotation)
		}
		return name, fmt.Sprintf("the pod's default container (annotation %s)", defaultContainerAnnotation), nil
	}
	switch len(pod.Spec.Containers) {
	case 0:
		return "", "", fmt.Errorf("--target=auto: pod %q has no containers", pod.Name)
	case 1:
		return pod.Spec.Containers[0].Name, "the pod's only container", nil
	}
	names := make([]string, len(pod.Spec.Containers))
	for i, c := range pod.Spec.Containers {
		names[i] = c.Name
	}
	return "", "", fmt.Errorf("--target=auto: pod %q has %d containers (%s) and no %s annotation: name one with --target",
		pod.Name, len(names), strings.Join(names, ", "), defaultContainerAnnotation)
}

// forTarget returns the planner for a pod whose --target is target, when --target=auto
// chose it for that pod; the planner itself when --target names a container for all.
func (pl *planner) forTarget(target string) *planner {
	if target == pl.targetContainer {
		return pl
	}
	chosen := *pl
	chosen.targetContainer = target
	chosen.base.TargetContainer = target
	return &chosen
}
