package debug

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// cleanUp deletes, through execute's sender, the debug pods --rm asked to, however the
// session ended, and says what became of each: deleted, or not, with the command that
// deletes it. The deletes go on after ctx's cancellation, until interruptedCleanupBudget
// after it; pods not heard back about by then are named as not deleted.
func (o *DebugOptions) cleanUp(ctx context.Context, s sender, pods []*corev1.Pod) error {
	cleanupCtx, cancel := o.outliving(ctx)
	defer cancel()
	failed := s.deletePods(cleanupCtx, pods, o.concurrency())
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
