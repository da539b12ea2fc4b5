package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	debugcmd "github.com/kubectl-debugger/kubectl-debugger/pkg/cmd/debug"
)

// helperPrefix starts the names of the debug containers copies run in: an earlier one
// of the same image and user is found by it.
const helperPrefix = "debugger-cp-"

// defaultContainerAnnotation names the container kubectl's commands use by default.
const defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// helperStartTimeout bounds the wait for a new debug container to run.
const helperStartTimeout = 2 * time.Minute

// helperSpec is the debug container a copy needs for a target: its image, and the
// user and profile it runs with.
type helperSpec struct {
	name, target, image string
	// user is the target's user, which the debug container takes (--run-as=target)
	// to read and write the target's files as it does; nil when the API does not show
	// it, and the debug container then runs as root with CAP_SYS_PTRACE
	// (--profile=general) to reach them.
	user *int64
}

// targetOf is the container whose files are copied: -c, else the pod's default
// container, else its only one.
func (o *Options) targetOf(pod *corev1.Pod) (string, error) {
	name := o.Container
	if name == "" {
		name = pod.Annotations[defaultContainerAnnotation]
	}
	if name == "" {
		if len(pod.Spec.Containers) != 1 {
			names := make([]string, len(pod.Spec.Containers))
			for i, c := range pod.Spec.Containers {
				names[i] = c.Name
			}
			return "", fmt.Errorf("pod %q has %d containers (%s): name one with -c", pod.Name, len(names), strings.Join(names, ", "))
		}
		name = pod.Spec.Containers[0].Name
	}
	for _, c := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
		if c.Name == name {
			return name, nil
		}
	}
	return "", fmt.Errorf("container %q not found in pod %q", name, pod.Name)
}

// specFor is the debug container a copy from target needs.
func (o *Options) specFor(pod *corev1.Pod, target string) helperSpec {
	h := helperSpec{target: target, image: o.Image}
	for _, c := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
		if c.Name == target && c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil {
			h.user = c.SecurityContext.RunAsUser
		}
	}
	if h.user == nil && pod.Spec.SecurityContext != nil {
		h.user = pod.Spec.SecurityContext.RunAsUser
	}
	return h
}

// reusable is the running debug container of an earlier copy that h can use again.
func reusable(pod *corev1.Pod, h helperSpec) string {
	running := map[string]bool{}
	for _, s := range pod.Status.EphemeralContainerStatuses {
		running[s.Name] = s.State.Running != nil
	}
	for _, ec := range pod.Spec.EphemeralContainers {
		if !strings.HasPrefix(ec.Name, helperPrefix) || !running[ec.Name] || ec.Image != h.image || ec.TargetContainerName != h.target {
			continue
		}
		var user *int64
		if ec.SecurityContext != nil {
			user = ec.SecurityContext.RunAsUser
		}
		if (user == nil) == (h.user == nil) && (user == nil || *user == *h.user) {
			return ec.Name
		}
	}
	return ""
}

// ensureHelper returns the debug container the copy runs in, running, and the pod as
// it then is: an earlier copy's, else a new one.
func (o *Options) ensureHelper(ctx context.Context, pod *corev1.Pod, target string) (string, *corev1.Pod, error) {
	h := o.specFor(pod, target)
	if name := reusable(pod, h); name != "" {
		return name, pod, nil
	}
	h.name = helperPrefix + utilrand.String(5)
	if err := o.addHelper(ctx, pod, h); err != nil {
		return "", nil, err
	}
	var running *corev1.Pod
	var waiting string
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, helperStartTimeout, true, func(ctx context.Context) (bool, error) {
		p, err := o.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, s := range p.Status.EphemeralContainerStatuses {
			switch {
			case s.Name != h.name:
			case s.State.Running != nil:
				running = p
				return true, nil
			case s.State.Terminated != nil:
				return false, fmt.Errorf("debug container %q of pod %q ended (%s) before the copy", h.name, pod.Name, s.State.Terminated.Reason)
			case s.State.Waiting != nil:
				waiting = strings.TrimSpace(s.State.Waiting.Reason + ": " + s.State.Waiting.Message)
			}
		}
		return false, nil
	})
	if err != nil {
		if waiting != "" {
			return "", nil, fmt.Errorf("debug container %q of pod %q did not start: %s", h.name, pod.Name, waiting)
		}
		return "", nil, fmt.Errorf("waiting for debug container %q of pod %q: %w", h.name, pod.Name, err)
	}
	return h.name, running, nil
}

// runDebug adds the debug container h with the debug command, as `kubectl debugger`
// would: planned, checked and sent the same way, with its profiles.
func (o *Options) runDebug(ctx context.Context, pod *corev1.Pod, h helperSpec) error {
	var errOut bytes.Buffer
	cmd := debugcmd.NewCmdDebugWithIdentity(o.getter, genericiooptions.IOStreams{In: bytes.NewReader(nil), Out: io.Discard, ErrOut: &errOut}, pluginIdentity)
	args := []string{pod.Name, "--image=" + h.image, "--target=" + h.target, "-c", h.name, "--attach=false", "-q"}
	if o.PullPolicy != "" {
		args = append(args, "--image-pull-policy="+o.PullPolicy)
	}
	if h.user != nil {
		args = append(args, "--profile=restricted", "--run-as=target")
	} else {
		args = append(args, "--profile=general")
	}
	// The container only waits: each copy runs in it with exec.
	cmd.SetArgs(append(args, "--", "sleep", "2147483647"))
	cmd.SetOut(io.Discard)
	cmd.SetErr(&errOut)
	cmd.SilenceErrors = true
	if err := cmd.ExecuteContext(ctx); err != nil {
		return fmt.Errorf("adding debug container %q to pod %q: %w", h.name, pod.Name, err)
	}
	return nil
}
