package debug

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// Waiting reasons of a container that the kubelet will not get past by waiting: it
// retries them, but nothing it retries changes the outcome, so a wait for the container
// ends at once with the reason and what to do.
const (
	reasonErrImageNeverPull           = "ErrImageNeverPull"
	reasonInvalidImageName            = "InvalidImageName"
	reasonCreateContainerConfigError  = "CreateContainerConfigError"
	reasonCreateContainerError        = "CreateContainerError"
	reasonErrImagePull                = "ErrImagePull"
	reasonImagePullBackOff            = "ImagePullBackOff"
	runAsNonRootRefusal               = "runAsNonRoot and image will run as root"
	runAsNonRootNonNumericUserRefusal = "runAsNonRoot and image has non-numeric user"
)

// neverStartsError is a debug container, or its pod, that will not start, in the
// kubelet's or the scheduler's words, with one line saying what to do.
type neverStartsError struct {
	pod, container string
	// reason and message are the kubelet's (or the scheduler's) own.
	reason, message string
	hint            string
}

func (e *neverStartsError) Error() string {
	what := fmt.Sprintf("container %q of pod %q will not start", e.container, e.pod)
	msg := fmt.Sprintf("%s: %s", what, e.reason)
	if e.message != "" {
		msg += ": " + e.message
	}
	if e.hint != "" {
		msg += "\n" + e.hint
	}
	return msg
}

// neverStarts tells why container, in pod as the server reports it, will never start,
// or nil while it may still: a waiting reason no retry gets past, a pod the scheduler
// cannot place, or a pod that has ended.
func neverStarts(pod *corev1.Pod, container string, s *corev1.ContainerStatus) *neverStartsError {
	fail := func(reason, message, hint string) *neverStartsError {
		return &neverStartsError{pod: pod.Name, container: container, reason: reason, message: message, hint: hint}
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		message := fmt.Sprintf("phase %s", pod.Status.Phase)
		// What ended it, in the kubelet's words: DeadlineExceeded, Evicted, ...
		if r := pod.Status.Reason; r != "" {
			message += ", " + r
			if m := pod.Status.Message; m != "" {
				message += ": " + m
			}
		}
		if _, kind := podutil.Find(pod, container); kind == podutil.Ephemeral {
			return fail("the pod has ended", message, "A pod that has ended starts no container: debug a copy of it with --copy-to.")
		}
		return fail("the pod has ended", message,
			"The debugging pod ended before its container started: with --copy-to, the copy keeps the pod's spec (its activeDeadlineSeconds, its restart policy), which a --custom profile's pod section can change.")
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return fail(c.Reason, c.Message, "No node can take the pod as it is: free a node, or with --copy-to use --same-node or a --custom profile that fits.")
		}
	}
	if s == nil || s.State.Waiting == nil {
		return nil
	}
	w := s.State.Waiting
	switch w.Reason {
	case reasonErrImageNeverPull:
		return fail(w.Reason, w.Message, "The image is not on the node and --image-pull-policy=Never forbids pulling it: use IfNotPresent, or an image the node has.")
	case reasonInvalidImageName:
		return fail(w.Reason, w.Message, "The kubelet cannot parse the image reference: check --image, or with --copy-to the image the copy keeps from the pod, which --set-image replaces.")
	case reasonCreateContainerConfigError:
		if strings.Contains(w.Message, runAsNonRootRefusal) || strings.Contains(w.Message, runAsNonRootNonNumericUserRefusal) {
			return fail(w.Reason, w.Message, "The container must run as non-root and its image does not say a numeric non-root user: --run-as=target runs it as the target's user (or --run-as=UID), or choose a --profile that allows root.")
		}
		return fail(w.Reason, w.Message, "The kubelet cannot build the container's configuration: check what --custom or the pod refers to (a ConfigMap, a Secret, a volume).")
	case reasonCreateContainerError:
		return fail(w.Reason, w.Message, "The container runtime refused to create the container: check the image's entrypoint and the command after --.")
	}
	return nil
}

// pullTimedOut is the error of container in pod, whose image kept failing to pull, last
// as pull says, for timeout (--pod-running-timeout).
func pullTimedOut(pod, container string, pull *corev1.ContainerStateWaiting, timeout time.Duration) *neverStartsError {
	return &neverStartsError{pod: pod, container: container, reason: pull.Reason, message: pull.Message,
		hint: fmt.Sprintf("The image could not be pulled within --pod-running-timeout (%s): check --image, the registry and its credentials.", timeout)}
}

// pullFailing tells whether s is waiting on an image pull that failed; such a pull may
// still succeed (a registry back up, credentials fixed), so it only bounds the wait.
func pullFailing(s *corev1.ContainerStatus) bool {
	if s == nil || s.State.Waiting == nil {
		return false
	}
	return s.State.Waiting.Reason == reasonErrImagePull || s.State.Waiting.Reason == reasonImagePullBackOff
}
