package debug

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Each attempt to delete a debug pod is bounded: by deleteTimeout normally, by
// interruptedDeleteTimeout after Ctrl-C, when the process has a second left and two
// attempts must fit.
const (
	deleteTimeout            = 10 * time.Second
	interruptedDeleteTimeout = 400 * time.Millisecond
)

// removePods deletes the debug pods --rm asked to, when the session has ended however
// it ended: it does not stop at ctx's cancellation, tries each pod twice, and names
// every pod it could not delete with the command that deletes it.
func (o *DebugOptions) removePods(ctx context.Context, pods []*corev1.Pod) error {
	client, err := o.clientset()
	if err != nil {
		return err
	}
	timeout := deleteTimeout
	if ctx.Err() != nil {
		timeout = interruptedDeleteTimeout
	}
	ctx = context.WithoutCancel(ctx)
	failed := make([]error, len(pods))
	var g errgroup.Group
	g.SetLimit(o.concurrency())
	for i, pod := range pods {
		g.Go(func() error {
			for attempt := 0; attempt < 2; attempt++ {
				attemptCtx, cancel := context.WithTimeout(ctx, timeout)
				err := client.CoreV1().Pods(pod.Namespace).Delete(attemptCtx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
				if err != nil && !apierrors.IsNotFound(err) && attemptCtx.Err() == nil {
					// The answer was lost, not the request: the pod may be gone.
					_, getErr := client.CoreV1().Pods(pod.Namespace).Get(attemptCtx, pod.Name, metav1.GetOptions{})
					if apierrors.IsNotFound(getErr) {
						err = nil
					}
				}
				cancel()
				if err == nil || apierrors.IsNotFound(err) {
					failed[i] = nil
					return nil
				}
				failed[i] = fmt.Errorf("pod %s/%s was not deleted: %w; delete it with: kubectl delete pod %s -n %s", pod.Namespace, pod.Name, err, pod.Name, pod.Namespace)
			}
			return nil
		})
	}
	_ = g.Wait()
	for i, pod := range pods {
		if failed[i] == nil {
			o.notice(fmt.Sprintf("Deleted pod %s/%s.", pod.Namespace, pod.Name))
		}
	}
	return errors.Join(failed...)
}
