// Package podutil walks a pod's containers in one fixed order, so that every lookup by
// name (the debug container, --target, --share-volumes, statuses) agrees on which
// container a name means.
package podutil

import (
	"iter"

	corev1 "k8s.io/api/core/v1"
)

// Kind says which of a pod's container lists a container is in.
type Kind int

const (
	// Init is spec.initContainers, sidecars included.
	Init Kind = iota + 1
	// Regular is spec.containers.
	Regular
	// Ephemeral is spec.ephemeralContainers.
	Ephemeral
)

// Containers yields every container of pod: init containers, then regular ones, then
// ephemeral ones, each as a pointer into pod. An ephemeral container is yielded as the
// Container it shares its layout with, so callers edit one type.
func Containers(pod *corev1.Pod) iter.Seq2[Kind, *corev1.Container] {
	return func(yield func(Kind, *corev1.Container) bool) {
		for i := range pod.Spec.InitContainers {
			if !yield(Init, &pod.Spec.InitContainers[i]) {
				return
			}
		}
		for i := range pod.Spec.Containers {
			if !yield(Regular, &pod.Spec.Containers[i]) {
				return
			}
		}
		for i := range pod.Spec.EphemeralContainers {
			if !yield(Ephemeral, (*corev1.Container)(&pod.Spec.EphemeralContainers[i].EphemeralContainerCommon)) {
				return
			}
		}
	}
}

// Find returns the container called name and its kind, or nil.
func Find(pod *corev1.Pod, name string) (*corev1.Container, Kind) {
	if name == "" {
		return nil, 0
	}
	for kind, c := range Containers(pod) {
		if c.Name == name {
			return c, kind
		}
	}
	return nil, 0
}

// FindInSpec returns the init or regular container called name, or nil: the containers
// a pod is created with, which a copy may edit and whose mounts can be shared.
func FindInSpec(pod *corev1.Pod, name string) *corev1.Container {
	if c, kind := Find(pod, name); kind == Init || kind == Regular {
		return c
	}
	return nil
}

// Names is the set of every container name in pod.
func Names(pod *corev1.Pod) map[string]bool {
	names := make(map[string]bool, len(pod.Spec.InitContainers)+len(pod.Spec.Containers)+len(pod.Spec.EphemeralContainers))
	for _, c := range Containers(pod) {
		names[c.Name] = true
	}
	return names
}

// Status returns the status of the container called name, from whichever status list
// holds it, or nil.
func Status(pod *corev1.Pod, name string) *corev1.ContainerStatus {
	for _, statuses := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for i := range statuses {
			if statuses[i].Name == name {
				return &statuses[i]
			}
		}
	}
	return nil
}
