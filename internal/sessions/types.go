// Package sessions finds the debug sessions in a cluster and stops them: every ephemeral
// container (only debugging adds them), and the copies and node pods the debug command
// creates.
package sessions

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Kind is how a session debugs: the three modes of the debug command.
type Kind string

// The kinds of sessions.
const (
	// KindEphemeral is an ephemeral container added to a running pod.
	KindEphemeral Kind = "ephemeral"
	// KindCopy is a container of a pod copied for debugging.
	KindCopy Kind = "copy"
	// KindNode is the container of a pod made to debug a node.
	KindNode Kind = "node"
)

// ListAPIVersion and ListKind name the document -o json and -o yaml print.
const (
	ListAPIVersion = "debugger.kubectl-debugger.github.io/v1alpha1"
	ListKind       = "SessionList"
)

// Session is one debug container, as -o json and -o yaml print it: one row of the table.
type Session struct {
	// Namespace and Pod are where the container runs.
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	// Container is the debug container's name.
	Container string `json:"container"`
	Kind      Kind   `json:"kind"`
	// Target is what the session debugs: the container an ephemeral container targets
	// (empty when it shares no process namespace with one), or, for a copy or a node pod,
	// the pod or node it was made for (pod/NAME, node/NAME) when the pod says.
	Target string `json:"target,omitempty"`
	Image  string `json:"image"`
	// State is the container's state: Running, Terminated (exit N), Waiting (REASON).
	State string `json:"state"`
	// ExitCode is the exit code of a terminated container.
	ExitCode *int32 `json:"exitCode,omitempty"`
	// Since is when the container started or, for a copy or a node pod that has not
	// started it yet, when the pod was created; empty when neither is known.
	Since *metav1.Time `json:"since,omitempty"`
	// Privileges are what the spec grants beyond a plain container: privileged, root
	// (runAsUser 0), each added capability (cap:NAME), and the pod's host namespaces
	// (hostPID, hostNetwork, hostIPC).
	Privileges []string `json:"privileges,omitempty"`
	// By is the field manager that added the container, when the pod's managed fields
	// say.
	By string `json:"by,omitempty"`
}

// List is the document -o json and -o yaml print.
type List struct {
	metav1.TypeMeta `json:",inline"`
	Items           []Session `json:"items"`
}
