package debug

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// deleteTimeout bounds each attempt to delete a debug pod when the run was not
// interrupted; after an interruption, interruptedCleanupBudget bounds them all.
const deleteTimeout = 10 * time.Second

// removePods deletes the debug pods --rm asked to, however the session ended: it goes on
// after ctx's cancellation, until interruptedCleanupBudget after it, tries each pod
// twice, and names every pod it could not delete, or did not hear back about in time,
// with the command that deletes it. It returns at that deadline even if requests are
// still stuck in a stalled connection: their pods are named as not deleted.
func (o *DebugOptions) removePods(ctx context.Context, pods []*corev1.Pod) error {
	client, err := o.clientset()
	if err != nil {
		return err
	}
	cleanupCtx, cancel := o.outliving(ctx)
	defer cancel()

	var mu sync.Mutex
	// failed holds why each pod is not known to be deleted; nil once it is.
	failed := make([]error, len(pods))
	for i := range pods {
		failed[i] = errNoAnswer
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var g errgroup.Group
		g.SetLimit(o.concurrency())
		for i, pod := range pods {
			g.Go(func() error {
				err := deletePod(cleanupCtx, client.CoreV1().Pods(pod.Namespace), pod.Name)
				mu.Lock()
				failed[i] = err
				mu.Unlock()
				return nil
			})
		}
		_ = g.Wait()
	}()
	select {
	case <-done:
	case <-cleanupCtx.Done():
	}

	mu.Lock()
	defer mu.Unlock()
	var errs []error
	for i, pod := range pods {
		if failed[i] == nil {
			o.notice(fmt.Sprintf("Deleted pod %s/%s.", pod.Namespace, pod.Name))
			continue
		}
		errs = append(errs, fmt.Errorf("pod %s/%s was not deleted: %w; delete it with: kubectl delete pod %s -n %s",
			pod.Namespace, pod.Name, interruptedText(failed[i]), pod.Name, pod.Namespace))
	}
	return errors.Join(errs...)
}

// podDeleter is the part of the pods client deletePod uses.
type podDeleter interface {
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*corev1.Pod, error)
}

// deletePod deletes the pod name, trying twice while ctx lasts; a pod already gone
// counts as deleted.
func deletePod(ctx context.Context, pods podDeleter, name string) error {
	err := ctx.Err()
	for attempt := 0; attempt < 2 && ctx.Err() == nil; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, deleteTimeout)
		err = pods.Delete(attemptCtx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
		if err != nil && !apierrors.IsNotFound(err) && attemptCtx.Err() == nil {
			// The answer was lost, not the request: the pod may be gone.
			if _, getErr := pods.Get(attemptCtx, name, metav1.GetOptions{}); apierrors.IsNotFound(getErr) {
				err = nil
			}
		}
		cancel()
		if err == nil || apierrors.IsNotFound(err) {
			return nil
		}
	}
	return err
}

// errNoAnswer is why a pod is not known to be deleted when the cleanup ran out of time.
var errNoAnswer = errors.New("interrupted before the server answered")

// interruptedText names a cancellation as what it is to the user: the command was
// stopped before the server answered.
func interruptedText(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errNoAnswer
	}
	return err
}

// removable returns the debug pods --rm deletes among outcomes: those created, and
// those whose create was cut short by an interruption, by the name planned, since the
// server may have applied it. Nothing under a dry run.
func (o *DebugOptions) removable(outcomes []outcome) []*corev1.Pod {
	if !o.Remove || o.dryRun != dryRunNone {
		return nil
	}
	var pods []*corev1.Pod
	for _, out := range outcomes {
		p := out.plan
		switch {
		case p == nil || !o.removes(p):
		case out.pod != nil:
			pods = append(pods, out.pod)
		case out.sent && p.pod != nil && interrupted(out.err):
			pods = append(pods, p.pod)
		}
	}
	return pods
}
