package sessions

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DebugPodLabel is the label the debug command puts on the pods it creates for a
// session: node pods, and the copies it holds a session on (upstream kubectl's label
// and value, so that its node pods are found too).
const (
	DebugPodLabel      = "app.kubernetes.io/managed-by"
	DebugPodLabelValue = "kubectl-debug"
)

// nodePodPrefix starts the name of every node debugging pod, the debug command's and
// upstream kubectl's.
const nodePodPrefix = "node-debugger-"

// hostRootMount is where node debugging mounts the node's root filesystem.
const hostRootMount = "/host"

// recogniser tells debug sessions apart in the pods of a listing.
type recogniser struct {
	// targetAnnotations are the annotations that may name what a debugging pod
	// debugs (the plugin's, kubectl's).
	targetAnnotations []string
}

// debugPodKind is the kind of pod as a debugging pod, and what it debugs, or "" for a pod
// the debug command did not create.
//
// Node pods carry the label and, from this command, an annotation node/NAME; upstream
// kubectl's older node pods only have their name, the host's root filesystem at /host
// and the node's name. Copies carry the label and an annotation naming the pod they
// copy only when the command held a session on them: a copy made with --attach=false,
// like every copy upstream kubectl makes, has no mark of its own and is not found.
func (r recogniser) debugPodKind(pod *corev1.Pod) (Kind, string) {
	target := r.target(pod)
	switch {
	case pod.Labels[DebugPodLabel] == DebugPodLabelValue:
		if strings.HasPrefix(target, "node/") || (target == "" && isNodePod(pod)) {
			return KindNode, nodeTarget(pod, target)
		}
		return KindCopy, target
	case isNodePod(pod):
		return KindNode, nodeTarget(pod, target)
	}
	return "", ""
}

// target is what one of the target annotations says pod debugs.
func (r recogniser) target(pod *corev1.Pod) string {
	for _, a := range r.targetAnnotations {
		if t := pod.Annotations[a]; t != "" {
			return t
		}
	}
	return ""
}

// nodeTarget is the node a node pod debugs: what its annotation says, else its node.
func nodeTarget(pod *corev1.Pod, annotated string) string {
	if annotated != "" || pod.Spec.NodeName == "" {
		return annotated
	}
	return "node/" + pod.Spec.NodeName
}

// isNodePod tells a node debugging pod by what node mode makes: its name, and the node's
// root filesystem mounted at /host in its one container.
func isNodePod(pod *corev1.Pod) bool {
	if !strings.HasPrefix(pod.Name, nodePodPrefix) || len(pod.Spec.Containers) != 1 {
		return false
	}
	roots := map[string]bool{}
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil && v.HostPath.Path == "/" {
			roots[v.Name] = true
		}
	}
	return slices.ContainsFunc(pod.Spec.Containers[0].VolumeMounts, func(m corev1.VolumeMount) bool {
		return roots[m.Name] && m.MountPath == hostRootMount
	})
}

// copyContainers are the debug containers of a copy: those its source pod lacks, when
// the source is known (sourceContainers non-nil) and it lacks any; else the last
// container, where the debug command adds a new one.
func copyContainers(pod *corev1.Pod, sourceContainers []string) []int {
	var added []int
	if sourceContainers != nil {
		for i, c := range pod.Spec.Containers {
			if !slices.Contains(sourceContainers, c.Name) {
				added = append(added, i)
			}
		}
	}
	if len(added) == 0 && len(pod.Spec.Containers) > 0 {
		added = []int{len(pod.Spec.Containers) - 1}
	}
	return added
}

// ephemeralSession is the session of pod's ephemeral container c.
func ephemeralSession(pod *corev1.Pod, c *corev1.EphemeralContainer) Session {
	s := Session{
		Namespace: pod.Namespace, Pod: pod.Name, Container: c.Name, Kind: KindEphemeral,
		Target: c.TargetContainerName, Image: c.Image,
		Privileges: privileges(pod, c.SecurityContext),
		By:         managerOf(pod, "ephemeralcontainers", "f:ephemeralContainers", c.Name),
	}
	setState(&s, findStatus(pod.Status.EphemeralContainerStatuses, c.Name), nil)
	return s
}

// podSession is the session of the debugging pod's container c.
func podSession(pod *corev1.Pod, c *corev1.Container, kind Kind, target string) Session {
	s := Session{
		Namespace: pod.Namespace, Pod: pod.Name, Container: c.Name, Kind: kind,
		Target: target, Image: c.Image,
		Privileges: privileges(pod, c.SecurityContext),
		By:         managerOf(pod, "", "f:containers", c.Name),
	}
	created := pod.CreationTimestamp
	setState(&s, findStatus(pod.Status.ContainerStatuses, c.Name), &created)
	return s
}

// findStatus is the status of the container called name, or nil before the kubelet
// reports one.
func findStatus(statuses []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	for i := range statuses {
		if statuses[i].Name == name {
			return &statuses[i]
		}
	}
	return nil
}

// setState fills the state and its time from the container's status; created is the
// time to show before the container starts, if any.
func setState(s *Session, status *corev1.ContainerStatus, created *metav1.Time) {
	s.State = "Waiting"
	if created != nil && !created.IsZero() {
		s.Since = created
	}
	if status == nil {
		return
	}
	switch st := status.State; {
	case st.Running != nil:
		s.State = "Running"
		s.Since = startedAt(st.Running.StartedAt, s.Since)
	case st.Terminated != nil:
		s.State = fmt.Sprintf("Terminated (exit %d)", st.Terminated.ExitCode)
		s.ExitCode = &st.Terminated.ExitCode
		s.Since = startedAt(st.Terminated.StartedAt, s.Since)
	case st.Waiting != nil && st.Waiting.Reason != "":
		s.State = fmt.Sprintf("Waiting (%s)", st.Waiting.Reason)
	}
}

// startedAt is t when it is known, else fallback.
func startedAt(t metav1.Time, fallback *metav1.Time) *metav1.Time {
	if t.IsZero() {
		return fallback
	}
	return &t
}

// privileges lists what the spec grants the container of pod with security context sc.
func privileges(pod *corev1.Pod, sc *corev1.SecurityContext) []string {
	var p []string
	if sc != nil && sc.Privileged != nil && *sc.Privileged {
		p = append(p, "privileged")
	}
	user := (*int64)(nil)
	if ps := pod.Spec.SecurityContext; ps != nil {
		user = ps.RunAsUser
	}
	if sc != nil && sc.RunAsUser != nil {
		user = sc.RunAsUser
	}
	if user != nil && *user == 0 {
		p = append(p, "root")
	}
	if sc != nil && sc.Capabilities != nil {
		for _, c := range sc.Capabilities.Add {
			p = append(p, "cap:"+string(c))
		}
	}
	for _, host := range []struct {
		on   bool
		name string
	}{{pod.Spec.HostPID, "hostPID"}, {pod.Spec.HostNetwork, "hostNetwork"}, {pod.Spec.HostIPC, "hostIPC"}} {
		if host.on {
			p = append(p, host.name)
		}
	}
	return p
}

// managerOf is the field manager whose managed fields of subresource hold the container
// called name in the spec's list (f:containers, f:ephemeralContainers), or "". Of several,
// the first, which added it, is taken.
func managerOf(pod *corev1.Pod, subresource, list, name string) string {
	key, _ := json.Marshal(map[string]string{"name": name})
	for _, m := range pod.ManagedFields {
		if m.Subresource != subresource || m.FieldsV1 == nil {
			continue
		}
		var fields struct {
			Spec map[string]map[string]json.RawMessage `json:"f:spec"`
		}
		if json.Unmarshal(m.FieldsV1.Raw, &fields) != nil {
			continue
		}
		if _, ok := fields.Spec[list]["k:"+string(key)]; ok {
			return m.Manager
		}
	}
	return ""
}
