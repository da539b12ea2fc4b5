package sessions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	k8swait "k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	uexec "k8s.io/utils/exec"
	"k8s.io/utils/ptr"
)

// Remote runs what stopping a debug container needs inside it.
type Remote interface {
	// Exec runs command in the container and returns its standard output.
	Exec(ctx context.Context, namespace, pod, container string, command []string) (string, error)
	// EndInput attaches to the container's standard input (with a terminal when tty),
	// writes input, closes it and returns when the container ends or ctx does.
	EndInput(ctx context.Context, namespace, pod, container string, tty bool, input string) error
}

// killOwnProcesses is run inside the debug container: it sends SIGKILL to every process
// of the container's own cgroup but itself, and prints "init" when the container's
// first process is PID 1 of the PID namespace it sees.
//
// The cgroup is what tells the debug container's processes from the target's: with
// --target (or a pod that shares its process namespace) the debug container sees the
// target's processes too, but they belong to another container's cgroup and are never
// signalled. SIGKILL, because an interactive shell ignores SIGTERM and SIGINT.
//
// Without a shared process namespace the debug container's first process is PID 1 of a
// namespace of its own, and the kernel drops every signal sent to it from inside that
// namespace whose action is the default, SIGKILL included (tried on a containerd node:
// `kill -9 1` in a busybox shell started without --target returns 0 and the shell goes
// on). Nothing run in the container can end it, so the caller ends its standard input
// instead (see endOfInput): a shell exits at the end of its input. Tried on the same
// node with busybox sh: on a terminal (-it), with stdinOnce (piped -i) and with a plain
// -i, each ends with exit code 0 within 2 s.
const killOwnProcesses = `self=$$
cg=$(cat /proc/self/cgroup)
[ "$(cat /proc/1/cgroup 2>/dev/null)" = "$cg" ] && echo init
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  [ "$p" = "$self" ] && continue
  [ "$(cat "$d/cgroup" 2>/dev/null)" = "$cg" ] || continue
  kill -KILL "$p" 2>/dev/null
done
exit 0`

// killedStatus is the exit status of a process ended by SIGKILL.
const killedStatus = 128 + 9

// stopPollInterval is how often the pod is read while waiting for a stopped container
// to be reported terminated: twice a second is well under what a client may send.
const stopPollInterval = 500 * time.Millisecond

// stopOne stops the session of the container called container in the pod called pod.
func (o *Options) stopOne(ctx context.Context, podName, container string) error {
	pod, err := o.Client.CoreV1().Pods(o.Namespace).Get(ctx, podName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for i := range pod.Spec.EphemeralContainers {
		if c := &pod.Spec.EphemeralContainers[i]; c.Name == container {
			return o.stopEphemeral(ctx, pod, c)
		}
	}
	found := false
	for _, c := range pod.Spec.Containers {
		found = found || c.Name == container
	}
	if !found {
		return fmt.Errorf("pod %s/%s has no container %q", pod.Namespace, pod.Name, container)
	}
	r := recogniser{targetAnnotations: o.TargetAnnotations}
	if kind, _ := r.debugPodKind(pod); kind == "" {
		return fmt.Errorf("container %q of pod %s/%s is not a debug container: only ephemeral containers and the containers of the pods debugging creates (copies and node pods) are stopped", container, pod.Namespace, pod.Name)
	}
	return o.deletePod(ctx, pod.Namespace, pod.Name)
}

// stopAll stops every session the listing finds that is not over: running ephemeral
// containers are stopped, copies and node pods deleted, each once.
func (o *Options) stopAll(ctx context.Context) error {
	sessions, err := o.list(ctx)
	if err != nil {
		return err
	}
	var errs []error
	deleted := map[string]bool{}
	for _, s := range sessions {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		switch {
		case s.Kind != KindEphemeral:
			if key := s.Namespace + "/" + s.Pod; !deleted[key] {
				deleted[key] = true
				errs = append(errs, o.deletePod(ctx, s.Namespace, s.Pod))
			}
		case s.State == "Running":
			errs = append(errs, o.stopListed(ctx, s))
		}
	}
	return utilerrors.NewAggregate(errs)
}

// stopListed stops a listed ephemeral session, reading its pod again.
func (o *Options) stopListed(ctx context.Context, s Session) error {
	pod, err := o.Client.CoreV1().Pods(s.Namespace).Get(ctx, s.Pod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for i := range pod.Spec.EphemeralContainers {
		if c := &pod.Spec.EphemeralContainers[i]; c.Name == s.Container {
			return o.stopEphemeral(ctx, pod, c)
		}
	}
	return fmt.Errorf("pod %s/%s has no ephemeral container %q any more", s.Namespace, s.Pod, s.Container)
}

// deletePod deletes a copy or a node pod at once, as --rm does.
func (o *Options) deletePod(ctx context.Context, namespace, name string) error {
	err := o.Client.CoreV1().Pods(namespace).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	if err != nil {
		return fmt.Errorf("deleting pod %s/%s: %w", namespace, name, err)
	}
	if o.Output == "name" {
		fmt.Fprintf(o.Out, "pod/%s\n", name)
	} else {
		fmt.Fprintf(o.Out, "Deleted pod %s/%s.\n", namespace, name)
	}
	return nil
}

// stopEphemeral ends the processes of the ephemeral container c of pod and waits until
// its status says it terminated.
func (o *Options) stopEphemeral(ctx context.Context, pod *corev1.Pod, c *corev1.EphemeralContainer) error {
	last, already, err := StopEphemeral(ctx, o.Client, o.Remote, o.StopTimeout, pod, c, true)
	if err != nil {
		return err
	}
	o.stopped(last, already)
	return nil
}

// StopEphemeral ends the ephemeral debug container c of pod as it was read: its own
// processes, or its input where its first process is PID 1 of a namespace of its own.
// With wait it then reads the pod until the container's status says it terminated, for
// at most timeout; without, it returns once the container was told to end. It returns
// the container as last seen, and whether it had terminated already.
func StopEphemeral(ctx context.Context, client kubernetes.Interface, remote Remote, timeout time.Duration,
	pod *corev1.Pod, c *corev1.EphemeralContainer, wait bool) (Session, bool, error) {
	where := fmt.Sprintf("debug container %q of pod %s/%s", c.Name, pod.Namespace, pod.Name)
	last := ephemeralSession(pod, c)
	switch {
	case last.ExitCode != nil:
		return last, true, nil
	case last.State != "Running":
		return last, false, fmt.Errorf("%s is not running (%s): nothing to stop", where, last.State)
	}
	out, err := remote.Exec(ctx, pod.Namespace, pod.Name, c.Name, []string{"sh", "-c", killOwnProcesses})
	var exit uexec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitStatus() == killedStatus:
		// The container's first process was killed, and the runtime then ended every
		// other process of the container, this command included.
	case err != nil:
		return last, false, fmt.Errorf("ending the processes of %s: %w", where, err)
	}
	// One deadline for ending the input and the wait that follows.
	bounded, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	how := "its processes were ended"
	if strings.TrimSpace(out) == "init" {
		if !c.Stdin {
			return last, false, fmt.Errorf("%s runs as PID 1 of its own process namespace, which ignores the signals sent from inside it, and reads no standard input to end: it cannot be stopped", where)
		}
		how = "its input was ended"
		if err := remote.EndInput(bounded, pod.Namespace, pod.Name, c.Name, c.TTY, endOfInput(c)); err != nil && bounded.Err() == nil {
			return last, false, fmt.Errorf("ending the input of %s: %w", where, err)
		}
	}
	if !wait {
		return last, false, nil
	}
	err = k8swait.PollUntilContextCancel(bounded, stopPollInterval, true, func(ctx context.Context) (bool, error) {
		pod, err := client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = ephemeralSession(pod, c)
		return last.ExitCode != nil, nil
	})
	switch {
	case err == nil:
		return last, false, nil
	case ctx.Err() != nil:
		return last, false, fmt.Errorf("waiting for %s to terminate: %w", where, ctx.Err())
	case bounded.Err() != nil || k8swait.Interrupted(err):
		return last, false, fmt.Errorf("%s is still %s %s after %s", where, last.State, timeout, how)
	}
	return last, false, err
}

// endOfInput is what ends the input of the container c when it is written to its
// standard input and the input is closed. A container started with stdinOnce sees the
// end of its input when the attach closes it. A terminal's input does not end when
// closed: Ctrl-U empties the line being typed and Ctrl-D then ends the input, as a user
// ends a shell. Without either, the input stays open for the next attach, and only a
// line to the shell ends it.
func endOfInput(c *corev1.EphemeralContainer) string {
	switch {
	case c.TTY:
		return "\x15\x04"
	case c.StdinOnce:
		return ""
	}
	return "\nexit\n"
}

// stopped says that the session s is terminated, already before --stop or by it.
func (o *Options) stopped(s Session, already bool) {
	if o.Output == "name" {
		fmt.Fprintln(o.Out, s.name())
		return
	}
	verb := "Stopped"
	if already {
		verb = "Already stopped:"
	}
	fmt.Fprintf(o.Out, "%s debug container %s of pod %s/%s: %s.\n", verb, s.Container, s.Namespace, s.Pod, s.State)
}
