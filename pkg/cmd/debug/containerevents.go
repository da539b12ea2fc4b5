package debug

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// watchContainerEvents watches the kubelet's events about pod; an earlier pod of the
// same name (a copy made again with --replace) left events about a container of the
// same name, which its UID tells apart.
func watchContainerEvents(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod) (watch.Interface, error) {
	set := fields.Set{"involvedObject.kind": "Pod", "involvedObject.name": pod.Name}
	if pod.UID != "" {
		set["involvedObject.uid"] = string(pod.UID)
	}
	return client.CoreV1().Events(pod.Namespace).Watch(ctx, metav1.ListOptions{FieldSelector: set.AsSelector().String()})
}

// followContainerEvents follows, until ctx ends or w closes, the kubelet's events about
// container of pod that w (from watchContainerEvents) reports. With showPulls it prints
// those about pulling its image: a large image takes minutes, which on a terminal
// otherwise look like a hang; Pulled is shown only after a Pulling, so an image already
// present says nothing. started is called once, when the kubelet reports the container
// started: it does so as soon as the runtime has started it, while the pod's status
// says so only after the kubelet's next relist, up to a second later.
func (s *session) followContainerEvents(ctx context.Context, w watch.Interface, pod *corev1.Pod, container string, showPulls bool, started func()) {
	paths := map[string]bool{
		"spec.ephemeralContainers{" + container + "}": true,
		"spec.containers{" + container + "}":          true,
	}
	shown := map[types.UID]bool{}
	pulling := false
	var startedOnce sync.Once
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.ResultChan():
			if !ok {
				return
			}
			e, ok := ev.Object.(*corev1.Event)
			if !ok || e.InvolvedObject.Name != pod.Name || !paths[e.InvolvedObject.FieldPath] ||
				(pod.UID != "" && e.InvolvedObject.UID != pod.UID) {
				continue
			}
			switch {
			case e.Reason == "Started":
				if started != nil {
					startedOnce.Do(started)
				}
				continue
			case !showPulls || shown[e.UID]:
				continue
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
