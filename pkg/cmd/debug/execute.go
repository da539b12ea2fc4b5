package debug

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
	"github.com/kubectl-debugger/kubectl-debugger/internal/sessions"
)

// outcome is what became of one target: its plan, the debug pod as the server returned
// it (or as planned, under a client dry run; none when a brief sender had no need to
// keep it), and the error that stopped it, if any.
type outcome struct {
	// index is the target's place among those found, which the report keeps.
	index int
	// target names the target, also when it could not be resolved or planned.
	target string
	// namespace is the target's, for a target without a plan; empty for nodes.
	namespace string
	plan      *plan
	pod       *corev1.Pod
	// sent is true once a write may have reached the server, even when it failed: an
	// interrupted request may still have been applied.
	sent bool
	// deleted is true when --replace deleted the source pod.
	deleted bool
	err     error
}

// errNotSent marks targets that were planned but not sent because another target
// failed to plan (without --keep-going) or the run was interrupted.
var errNotSent = errors.New("not sent")

// sender writes to the API: the only place that does. It sends the plans and, when a
// session ends, deletes the debug pods --rm removes. Under a client dry run it sends
// nothing and answers with the planned objects; under a server dry run every write
// carries dryRun=All.
type sender struct {
	client kubernetes.Interface
	dryRun dryRun
	// brief keeps only the name and namespace of the pods the server returns, and
	// under a client dry run no pod at all: a report on thousands of targets needs no
	// more, and the whole pods would double the memory the run holds.
	brief bool
	// remote reaches into containers, to stop the ephemeral ones --rm owns.
	remote func() (sessions.Remote, error)
}

// send carries out one plan.
func (s sender) send(ctx context.Context, p *plan) outcome {
	out := outcome{index: p.index, target: p.target, plan: p}
	if s.dryRun == dryRunClient {
		// A brief report names the debug pods from the plans: a copy of each, even an
		// empty one, would only take memory.
		if !s.brief {
			out.pod = p.debugPod()
		}
		return out
	}
	if err := ctx.Err(); err != nil {
		out.err = fmt.Errorf("%w: %w", errNotSent, err)
		return out
	}
	out.sent = true
	switch p.mode {
	case ModeEphemeral:
		if p.reattach {
			// The container exists: there is nothing to write.
			out.pod, out.sent = p.source, false
			break
		}
		out.pod, out.err = s.addEphemeral(ctx, p)
	case ModeCopy:
		out.pod, out.deleted, out.err = s.createCopy(ctx, p)
	case ModeNode:
		out.pod, out.err = s.createNodePod(ctx, p)
	}
	if s.brief && out.pod != nil {
		out.pod = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: out.pod.Name, Namespace: out.pod.Namespace}}
	}
	return out
}

// sendAll carries out plans concurrently, at most limit at a time, calling done after
// each. Once ctx is cancelled no new write starts; the outcomes say which were sent.
func (s sender) sendAll(ctx context.Context, plans []*plan, limit int, done func(outcome)) []outcome {
	outcomes := make([]outcome, len(plans))
	var g errgroup.Group
	g.SetLimit(limit)
	for i, p := range plans {
		g.Go(func() error {
			outcomes[i] = s.send(ctx, p)
			if done != nil {
				done(outcomes[i])
			}
			return nil
		})
	}
	_ = g.Wait()
	return outcomes
}

// needsClient tells whether sending reaches the API: a client dry run sends nothing.
func (s sender) needsClient() bool { return s.dryRun != dryRunClient }

func (s sender) options() []string {
	if s.dryRun == dryRunServer {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// conflictRetries bounds how many times a patch the server refused because the pod
// changed since it was read is rebuilt on the pod as it is now and sent again: each
// retry costs a GET and a PATCH, and a pod that keeps changing is reported.
const conflictRetries = 3

// addEphemeral patches the pod's ephemeralcontainers subresource. The patch holds only
// if the pod is still as it was read; when it has changed, the pod is read again: a
// container of the same name means another session won the name, else the patch is
// rebuilt for the pod as it is and sent again.
func (s sender) addEphemeral(ctx context.Context, p *plan) (*corev1.Pod, error) {
	pods := s.client.CoreV1().Pods(p.source.Namespace)
	patch, err := ephemeralPatch(p.source, p.ephemeral)
	if err != nil {
		return nil, err
	}
	for retry := 0; ; retry++ {
		pod, err := pods.Patch(ctx, p.source.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{DryRun: s.options()}, "ephemeralcontainers")
		if err == nil {
			return pod, nil
		}
		if !apierrors.IsConflict(err) || retry == conflictRetries {
			return nil, addEphemeralError(p, err)
		}
		current, err := pods.Get(ctx, p.source.Name, metav1.GetOptions{})
		if err != nil {
			return nil, serverError(fmt.Sprintf("adding debug container %q to pod %q: reading the pod again after it changed", p.container, p.source.Name), err)
		}
		if podutil.Names(current)[p.container] {
			return nil, fmt.Errorf("adding debug container %q to pod %q: another debug session added a container called %q first: give another name with -c/--container", p.container, p.source.Name, p.container)
		}
		if patch, err = ephemeralPatch(current, p.ephemeral); err != nil {
			return nil, err
		}
	}
}

// addEphemeralError is the error for a patch the server refused.
func addEphemeralError(p *plan, err error) error {
	var status apierrors.APIStatus
	// Without the subresource the server answers 404 with no details, unlike the 404
	// for a missing pod, which names it.
	if apierrors.IsNotFound(err) && errors.As(err, &status) && (status.Status().Details == nil || status.Status().Details.Name == "") {
		return fmt.Errorf("ephemeral containers are disabled for this cluster (error from server: %q)", err)
	}
	err = serverError(fmt.Sprintf("adding debug container %q to pod %q", p.container, p.source.Name), err)
	if offenders := poisonedBy(p, err); len(offenders) > 0 {
		var status apierrors.APIStatus
		if errors.As(err, &status) {
			s := status.Status()
			s.Message += "; " + poisonedHint(p.source.Name, offenders)
			return &apierrors.StatusError{ErrStatus: s}
		}
	}
	return err
}

// serverError says what was being done when err happened. An error from the server
// stays one, with that in its message, as kubectl adds a file's name to one: kubectl
// prints it as the server's ("Error from server (Forbidden): ..."), which it cannot
// tell in a wrapped error.
func serverError(doing string, err error) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return fmt.Errorf("%s: %w", doing, err)
	}
	s := status.Status()
	s.Message = doing + ": " + s.Message
	return &apierrors.StatusError{ErrStatus: s}
}

// createCopy creates the copy, and with --replace deletes the source, only once the copy
// exists: a failed create leaves the user's pod alone.
func (s sender) createCopy(ctx context.Context, p *plan) (*corev1.Pod, bool, error) {
	pods := s.client.CoreV1().Pods(p.pod.Namespace)
	created, err := pods.Create(ctx, p.pod, metav1.CreateOptions{DryRun: s.options()})
	if err != nil {
		return nil, false, serverError(fmt.Sprintf("creating pod %q, a copy of %q", p.pod.Name, p.source.Name), err)
	}
	if !p.deleteSource {
		return created, false, nil
	}
	err = pods.Delete(ctx, p.source.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0), DryRun: s.options()})
	if err != nil {
		return created, false, serverError(fmt.Sprintf("deleting pod %q after creating its copy %q", p.source.Name, created.Name), err)
	}
	return created, true, nil
}

// createNodePod creates the pod that debugs a node.
func (s sender) createNodePod(ctx context.Context, p *plan) (*corev1.Pod, error) {
	created, err := s.client.CoreV1().Pods(p.pod.Namespace).Create(ctx, p.pod, metav1.CreateOptions{DryRun: s.options()})
	if err != nil {
		return nil, serverError(fmt.Sprintf("creating pod %q to debug %s", p.pod.Name, p.target), err)
	}
	return created, nil
}

// deleteTimeout bounds each attempt to delete a debug pod when the run was not
// interrupted; after an interruption, the deadline of deletePods' ctx bounds them all.
const deleteTimeout = 10 * time.Second

// deletePods deletes pods, the debug pods --rm removes, at most limit at a time, and
// returns why each one is not known to be deleted (nil when it is). It returns when all
// are done or when ctx ends, whichever is first, even with requests still stuck in a
// stalled connection: those pods are reported with errNoAnswer.
func (s sender) deletePods(ctx context.Context, pods []*corev1.Pod, limit int) []error {
	var mu sync.Mutex
	failed := make([]error, len(pods))
	for i := range pods {
		failed[i] = errNoAnswer
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var g errgroup.Group
		g.SetLimit(limit)
		for i, pod := range pods {
			g.Go(func() error {
				err := deletePod(ctx, s.client.CoreV1().Pods(pod.Namespace), pod.Name)
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
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(failed)
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

// reviewAccess asks the server whether the caller holds a. A SelfSubjectAccessReview
// changes nothing, but it is a POST: it is sent from here like every other.
func (s sender) reviewAccess(ctx context.Context, a access) accessVerdict {
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: a.namespace, Verb: a.verb, Resource: "pods", Subresource: a.subresource,
		},
	}}
	got, err := s.client.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	if err != nil {
		return accessVerdict{access: a, err: err}
	}
	return accessVerdict{access: a, allowed: got.Status.Allowed, reason: got.Status.Reason}
}

// stopTimeout bounds how long --rm waits, after a session that ended by itself, for an
// ephemeral debug container it stopped to be reported terminated.
var stopTimeout = 10 * time.Second

// stopOutcome is what became of one ephemeral debug container --rm stopped: it had
// ended already, it was stopped (and, with a wait, seen terminated), or err says why
// not.
type stopOutcome struct {
	already bool
	state   string
	err     error
}

// stopEphemerals ends the ephemeral debug containers --rm owns, reading each pod again
// first: a container that has ended is left as it is. With wait, each is then read
// until it is reported terminated; after an interruption there is no time for that.
// Ephemeral containers cannot be removed from a pod: ending their processes is all
// --rm can do.
func (s sender) stopEphemerals(ctx context.Context, debugged []debugContainerRef, limit int, wait bool) []stopOutcome {
	outcomes := make([]stopOutcome, len(debugged))
	remote, err := s.remote()
	if err != nil {
		for i := range outcomes {
			outcomes[i].err = err
		}
		return outcomes
	}
	var g errgroup.Group
	g.SetLimit(limit)
	for i, d := range debugged {
		g.Go(func() error {
			outcomes[i] = s.stopEphemeral(ctx, remote, d, wait)
			return nil
		})
	}
	_ = g.Wait()
	return outcomes
}

// stopEphemeral stops one container of stopEphemerals.
func (s sender) stopEphemeral(ctx context.Context, remote sessions.Remote, d debugContainerRef, wait bool) stopOutcome {
	pod, err := s.client.CoreV1().Pods(d.namespace).Get(ctx, d.pod, metav1.GetOptions{})
	if err != nil {
		return stopOutcome{err: err}
	}
	for i := range pod.Spec.EphemeralContainers {
		if c := &pod.Spec.EphemeralContainers[i]; c.Name == d.container {
			last, already, err := sessions.StopEphemeral(ctx, s.client, remote, stopTimeout, pod, c, wait)
			return stopOutcome{already: already, state: last.State, err: err}
		}
	}
	return stopOutcome{err: fmt.Errorf("pod %s/%s has no ephemeral container %q", d.namespace, d.pod, d.container)}
}

// debugContainerRef names an ephemeral debug container.
type debugContainerRef struct {
	namespace, pod, container string
}
