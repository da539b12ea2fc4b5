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
func (s *session) cleanUp(ctx context.Context, snd sender, pods []*corev1.Pod) error {
	cleanupCtx, cancel := s.stop.outliving(ctx, interruptedCleanupBudget)
	defer cancel()
	failed := snd.deletePods(cleanupCtx, pods, s.limit)
	var errs []error
	for i, pod := range pods {
		if failed[i] == nil {
			s.notice(fmt.Sprintf("Deleted pod %s/%s.", pod.Namespace, pod.Name))
			continue
		}
		errs = append(errs, fmt.Errorf("pod %s/%s was not deleted: %w; delete it with: kubectl delete pod %s -n %s",
			pod.Namespace, pod.Name, interruptedText(failed[i]), pod.Name, pod.Namespace))
	}
	return errors.Join(errs...)
}

// stoppable returns the ephemeral debug containers --rm ends among outcomes: those
// added. They cannot be removed from their pods; their processes can end.
func (s *session) stoppable(outcomes []outcome) []debugContainerRef {
	if !s.remove {
		return nil
	}
	var refs []debugContainerRef
	for _, out := range outcomes {
		p := out.plan
		if p == nil || p.mode != ModeEphemeral || p.container == "" || out.pod == nil || out.err != nil {
			continue
		}
		refs = append(refs, debugContainerRef{namespace: p.source.Namespace, pod: p.source.Name, container: p.container})
	}
	return refs
}

// stopContainers ends, through execute's sender, the ephemeral debug containers --rm
// owns, however the session ended, and says what became of each. After a session that
// ended by itself it waits until each is reported terminated; after a signal it only
// has until interruptedStopBudget after it, enough to end them, not to see it.
func (s *session) stopContainers(ctx context.Context, snd sender, refs []debugContainerRef) error {
	cleanupCtx, cancel := s.stop.outliving(ctx, interruptedStopBudget)
	defer cancel()
	wait := ctx.Err() == nil
	results := snd.stopEphemerals(cleanupCtx, refs, s.limit, wait)
	var errs []error
	for i, r := range refs {
		res := results[i]
		where := fmt.Sprintf("debug container %s of pod %s/%s", r.container, r.namespace, r.pod)
		switch {
		case res.err != nil:
			errs = append(errs, fmt.Errorf("%s was not stopped: %w", where, interruptedText(res.err)))
		case res.already:
			s.notice(fmt.Sprintf("The %s has ended (%s); it stays in the pod's spec, as ephemeral containers cannot be removed.", where, res.state))
		case wait:
			s.notice(fmt.Sprintf("Stopped the %s (%s); it stays in the pod's spec, as ephemeral containers cannot be removed.", where, res.state))
		default:
			s.notice(fmt.Sprintf("Stopped the %s; it stays in the pod's spec, as ephemeral containers cannot be removed.", where))
		}
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
// server may have applied it.
func (s *session) removable(outcomes []outcome) []*corev1.Pod {
	if !s.remove {
		return nil
	}
	var pods []*corev1.Pod
	for _, out := range outcomes {
		p := out.plan
		switch {
		case p == nil || !createsPod(p):
		case out.pod != nil:
			pods = append(pods, out.pod)
		case out.sent && p.pod != nil && interrupted(out.err):
			pods = append(pods, p.pod)
		}
	}
	return pods
}

// withCleanup adds the error of a cleanup to err. Either alone is returned as it is, not
// wrapped: kubectl's error handling takes a session's exit status only from an error
// that is one itself.
func withCleanup(err, cleanupErr error) error {
	switch {
	case cleanupErr == nil:
		return err
	case err == nil:
		return cleanupErr
	}
	return errors.Join(err, cleanupErr)
}
