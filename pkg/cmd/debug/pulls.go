package debug

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// showPulls prints, until ctx ends, the kubelet's events about pulling the image of
// container of the pod: a large image takes minutes, which on a terminal otherwise look
// like a hang. Pulled is shown only after a Pulling, so an image already present says
// nothing. It is best effort: a caller who may not watch events just waits without them.
func (s *session) showPulls(ctx context.Context, client kubernetes.Interface, namespace, pod, container string) {
	selector := fields.Set{"involvedObject.kind": "Pod", "involvedObject.name": pod}.AsSelector().String()
	w, err := client.CoreV1().Events(namespace).Watch(ctx, metav1.ListOptions{FieldSelector: selector})
	if err != nil {
		return
	}
	defer w.Stop()
	paths := map[string]bool{
		"spec.ephemeralContainers{" + container + "}": true,
		"spec.containers{" + container + "}":          true,
	}
	shown := map[types.UID]bool{}
	pulling := false
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.ResultChan():
			if !ok {
				return
			}
			e, ok := ev.Object.(*corev1.Event)
			if !ok || e.InvolvedObject.Name != pod || !paths[e.InvolvedObject.FieldPath] || shown[e.UID] {
				continue
			}
			switch {
			case e.Reason == "Pulling":
				pulling = true
			case e.Reason == "Pulled" && pulling:
			default:
				continue
			}
			shown[e.UID] = true
			s.warnMu.Lock()
			fmt.Fprintf(s.errOut, "container %s: %s\n", container, e.Message)
			s.warnMu.Unlock()
		}
	}
}
