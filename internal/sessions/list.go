package sessions

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// list returns the sessions of the namespace, or of every namespace with -A, in the
// order of the listing, each pod's containers before its ephemeral containers. It sends
// one LIST (in pages of chunkSize) with the label selector, and keeps of each page only
// the sessions and the container names of the pods, which tell a copy's debug container
// from those of the pod it copies.
func (o *Options) list(ctx context.Context) ([]Session, error) {
	r := recogniser{targetAnnotations: o.TargetAnnotations}
	ns := o.Namespace
	if o.AllNamespaces {
		ns = metav1.NamespaceAll
	}
	var (
		sessions []Session
		// copies are the copies found, with where their sessions go.
		copies []pendingCopy
		// containers are the container names of every pod listed, by namespace/name.
		containers = map[string][]string{}
	)
	opts := metav1.ListOptions{LabelSelector: o.Selector, Limit: chunkSize}
	for {
		page, err := o.Client.CoreV1().Pods(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			pod := &page.Items[i]
			names := make([]string, len(pod.Spec.Containers))
			for j, c := range pod.Spec.Containers {
				names[j] = strings.Clone(c.Name)
			}
			containers[pod.Namespace+"/"+pod.Name] = names
			switch kind, target := r.debugPodKind(pod); kind {
			case KindNode:
				for j := range pod.Spec.Containers {
					sessions = append(sessions, podSession(pod, &pod.Spec.Containers[j], kind, target))
				}
			case KindCopy:
				copies = append(copies, pendingCopy{at: len(sessions), pod: *pod, target: target})
			}
			for j := range pod.Spec.EphemeralContainers {
				sessions = append(sessions, ephemeralSession(pod, &pod.Spec.EphemeralContainers[j]))
			}
		}
		if page.Continue == "" {
			break
		}
		opts.Continue = page.Continue
	}
	return insertCopies(sessions, copies, containers), nil
}

// pendingCopy is a copy whose debug containers are known once every pod is listed: the
// pod it copies may come after it.
type pendingCopy struct {
	// at is the index in the sessions where the copy's come.
	at     int
	pod    corev1.Pod
	target string
}

// insertCopies puts the sessions of the copies where they were found.
func insertCopies(sessions []Session, copies []pendingCopy, containers map[string][]string) []Session {
	if len(copies) == 0 {
		return sessions
	}
	out := make([]Session, 0, len(sessions)+len(copies))
	next := 0
	for _, c := range copies {
		out = append(out, sessions[next:c.at]...)
		next = c.at
		var source []string
		if name, ok := strings.CutPrefix(c.target, "pod/"); ok {
			source = containers[c.pod.Namespace+"/"+name]
		}
		for _, i := range copyContainers(&c.pod, source) {
			out = append(out, podSession(&c.pod, &c.pod.Spec.Containers[i], KindCopy, c.target))
		}
	}
	return append(out, sessions[next:]...)
}
