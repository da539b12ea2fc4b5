// Package v1alpha1 holds the DebugProfile document: the file format of custom profiles
// with a pod section. The decoder checks documents against these types and hack/schema
// generates the JSON Schema from them, so both always describe the same format.
package v1alpha1

import corev1 "k8s.io/api/core/v1"

// Identity of a DebugProfile document.
const (
	// Group is the document's API group: a subdomain of the project's GitHub Pages
	// domain, which only the project's organisation can claim, so no other API takes it.
	Group = "debugger.kubectl-debugger.github.io"
	// Version is the document's version within Group.
	Version = "v1alpha1"
	// APIVersion is the apiVersion of every DebugProfile document.
	APIVersion = Group + "/" + Version
	// DeprecatedAPIVersion is the apiVersion documents had before they had an API group;
	// it is still read, with a warning.
	DeprecatedAPIVersion = "kubectl-debugger/v1alpha1"
	// Kind is the kind of every DebugProfile document.
	Kind = "DebugProfile"
)

// DebugProfile is the document form of a custom profile. The plain form is a bare
// partial container, the same as the container section here.
type DebugProfile struct {
	// APIVersion is always debugger.kubectl-debugger.github.io/v1alpha1 (or, deprecated,
	// kubectl-debugger/v1alpha1).
	APIVersion string `json:"apiVersion"`
	// Kind is always DebugProfile.
	Kind string `json:"kind"`
	// Container is merged onto the debug container, as the plain form is.
	Container *corev1.Container `json:"container,omitempty"`
	// Pod is merged onto the debug pod in --copy-to and node modes.
	Pod *ProfilePod `json:"pod,omitempty"`
}

// ProfilePod is the pod section of a DebugProfile.
type ProfilePod struct {
	// Metadata adds labels and annotations.
	Metadata ProfilePodMetadata `json:"metadata,omitempty"`
	// Spec is merged onto the pod spec; tolerations are appended.
	Spec corev1.PodSpec `json:"spec,omitempty"`
}

// ProfilePodMetadata is what a profile may add to the debug pod's metadata.
type ProfilePodMetadata struct {
	// Labels are added to the pod's.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations are added to the pod's.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// RefusedContainerFields are the container fields a profile may only set to null, each
// with the reason: the command's flags own them, or debug containers cannot have them.
var RefusedContainerFields = map[string]string{
	"name":          "the container name comes from -c/--container",
	"command":       "the command comes from the arguments after --",
	"image":         "the image comes from --image",
	"lifecycle":     "lifecycle hooks are not supported on debug containers",
	"volumeDevices": "volume devices are not supported on debug containers",
}

// RefusedPodFields are the paths below pod that a profile may not set at all, each with
// the reason: the target and the command own them.
var RefusedPodFields = map[string]string{
	"metadata.name":            "the pod name comes from --copy-to or is generated",
	"metadata.namespace":       "the namespace comes from the target or -n/--namespace",
	"spec.containers":          "containers come from the target pod; use the container section for the debug container",
	"spec.initContainers":      "init containers come from the target pod",
	"spec.ephemeralContainers": "ephemeral containers cannot be created with a pod",
	"spec.nodeName":            "the node comes from the target; use --same-node or debug the node itself",
}

// EphemeralForbiddenFields are the container fields the API server refuses on an
// ephemeral container; they work on a pod copy or a node debugging pod.
var EphemeralForbiddenFields = []string{
	"lifecycle", "livenessProbe", "ports", "readinessProbe", "resizePolicy",
	"resources", "restartPolicy", "restartPolicyRules", "startupProbe",
}
