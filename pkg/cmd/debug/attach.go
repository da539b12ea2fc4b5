package debug

import (
	"context"
	"fmt"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/kubectl/pkg/util/term"
)

// attach waits for the debug container to run, then attaches the terminal to it; when the
// container already ended or attaching fails, its logs are streamed instead.
func (o *DebugOptions) attach(ctx context.Context, pod *corev1.Pod, container string) error {
	running, err := o.waitForContainer(ctx, pod.Namespace, pod.Name, container)
	if err != nil {
		return err
	}
	status := containerStatus(running, container)
	if status != nil && status.State.Terminated != nil {
		return o.streamLogs(ctx, running, container)
	}
	if err := o.attachFunc(ctx, running, container); err != nil {
		fmt.Fprintf(o.ErrOut, "Warning: couldn't attach to pod/%s, falling back to streaming logs: %v\n", running.Name, err)
		return o.streamLogs(ctx, running, container)
	}
	if !o.Quiet && o.Interactive {
		how := "resume using"
		if isEphemeral(running, container) {
			how = "the ephemeral container will not be restarted but may be reattached using"
		}
		fmt.Fprintf(o.ErrOut, "Session ended, %s 'kubectl attach %s -c %s -n %s -i -t'\n", how, running.Name, container, running.Namespace)
	}
	return nil
}

// waitForContainer watches pod until container runs or has terminated, reporting why it
// waits; it only ends early when ctx is cancelled (Ctrl-C) or the pod is deleted.
func (o *DebugOptions) waitForContainer(ctx context.Context, namespace, name, container string) (*corev1.Pod, error) {
	client, err := o.clientset()
	if err != nil {
		return nil, err
	}
	pods := client.CoreV1().Pods(namespace)
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	lastMessage := ""
	// ready reports whether p's container is up, warning once per new waiting message.
	ready := func(p *corev1.Pod) bool {
		s := containerStatus(p, container)
		if s == nil {
			return false
		}
		if s.State.Running != nil || s.State.Terminated != nil {
			return true
		}
		if w := s.State.Waiting; w != nil && w.Message != "" && w.Message != lastMessage && !o.Quiet {
			lastMessage = w.Message
			fmt.Fprintf(o.ErrOut, "Warning: container %s: %s\n", container, w.Message)
		}
		return false
	}

	for {
		list, err := pods.List(ctx, metav1.ListOptions{FieldSelector: selector})
		if err != nil {
			return nil, waitError(ctx, name, container, err)
		}
		if len(list.Items) == 0 {
			return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name)
		}
		if p := &list.Items[0]; ready(p) {
			return p, nil
		}
		w, err := pods.Watch(ctx, metav1.ListOptions{FieldSelector: selector, ResourceVersion: list.ResourceVersion})
		if err != nil {
			return nil, waitError(ctx, name, container, err)
		}
		p, done, err := o.watchUntilReady(ctx, w, name, ready)
		w.Stop()
		if done || err != nil {
			return p, err
		}
		// The watch ended without an answer (a timeout, an expired resource version, a
		// server error): list again and carry on, after a pause so that a server that
		// keeps failing is not hammered.
		select {
		case <-ctx.Done():
			return nil, waitError(ctx, name, container, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// watchUntilReady consumes w until ready holds, the pod goes away, or ctx ends; done is
// false when the watch closed first.
func (o *DebugOptions) watchUntilReady(ctx context.Context, w watch.Interface, name string, ready func(*corev1.Pod) bool) (*corev1.Pod, bool, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, true, fmt.Errorf("waiting for pod %q: %w", name, ctx.Err())
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, false, nil
			}
			switch ev.Type {
			case watch.Deleted:
				return nil, true, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name)
			case watch.Error:
				return nil, false, nil
			}
			if p, ok := ev.Object.(*corev1.Pod); ok && ready(p) {
				return p, true, nil
			}
		}
	}
}

// waitError prefers the cancellation over what it caused.
func waitError(ctx context.Context, name, container string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("waiting for container %q of pod %q: %w", container, name, ctx.Err())
	}
	return fmt.Errorf("waiting for container %q of pod %q: %w", container, name, err)
}

// containerStatus finds the status of the container called name in any of pod's lists.
func containerStatus(pod *corev1.Pod, name string) *corev1.ContainerStatus {
	for _, statuses := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for i := range statuses {
			if statuses[i].Name == name {
				return &statuses[i]
			}
		}
	}
	return nil
}

// isEphemeral tells whether the container called name is an ephemeral container of pod.
func isEphemeral(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.EphemeralContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}

// streamLogs copies the container's logs to standard output.
func (o *DebugOptions) streamLogs(ctx context.Context, pod *corev1.Pod, container string) error {
	client, err := o.clientset()
	if err != nil {
		return err
	}
	stream, err := client.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: container}).Stream(ctx)
	if err != nil {
		return fmt.Errorf("reading the logs of container %q in pod %q: %w", container, pod.Name, err)
	}
	defer stream.Close()
	if _, err := io.Copy(o.Out, stream); err != nil {
		return fmt.Errorf("reading the logs of container %q in pod %q: %w", container, pod.Name, err)
	}
	return nil
}

// remoteAttach attaches the terminal to container with client-go's remote command
// streams: WebSocket first, SPDY for servers that lack it.
func (o *DebugOptions) remoteAttach(ctx context.Context, pod *corev1.Pod, container string) error {
	c := findContainer(pod, container)
	if c == nil {
		return fmt.Errorf("container %q not found in pod %q", container, pod.Name)
	}
	tty := c.TTY
	if o.TTY && !tty && !o.Quiet {
		fmt.Fprintf(o.ErrOut, "Warning: Unable to use a TTY - container %s did not allocate one\n", container)
	}
	config, err := o.restClientGetter.ToRESTConfig()
	if err != nil {
		return err
	}
	client, err := o.clientset()
	if err != nil {
		return err
	}
	t := term.TTY{In: o.In, Out: o.Out, Raw: tty && o.Interactive}
	req := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("attach").
		VersionedParams(&corev1.PodAttachOptions{
			Container: container,
			Stdin:     o.Interactive,
			Stdout:    true,
			Stderr:    !t.Raw,
			TTY:       t.Raw,
		}, scheme.ParameterCodec)

	spdy, err := remotecommand.NewSPDYExecutor(config, "POST", req.URL())
	if err != nil {
		return err
	}
	websocket, err := remotecommand.NewWebSocketExecutor(config, "GET", req.URL().String())
	if err != nil {
		return err
	}
	exec, err := remotecommand.NewFallbackExecutor(websocket, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return err
	}

	streams := remotecommand.StreamOptions{Stdout: o.Out, Tty: t.Raw}
	if o.Interactive {
		streams.Stdin = o.In
	}
	if !t.Raw {
		streams.Stderr = o.ErrOut
	}
	if t.Raw {
		if size := t.GetSize(); size != nil {
			// One size that differs first makes the remote side redraw on re-attach.
			bigger := *size
			bigger.Width++
			bigger.Height++
			streams.TerminalSizeQueue = sizeQueue{t.MonitorSize(&bigger, size)}
		}
	}
	if !o.Quiet && o.Interactive {
		fmt.Fprintln(o.ErrOut, "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.")
		fmt.Fprintln(o.ErrOut, "If you don't see a command prompt, try pressing enter.")
	}
	return t.Safe(func() error {
		if err := exec.StreamWithContext(ctx, streams); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		return nil
	})
}

// sizeQueue adapts kubectl's terminal size queue to client-go's.
type sizeQueue struct {
	queue term.TerminalSizeQueue
}

// Next returns the next terminal size, or nil when the terminal is gone.
func (q sizeQueue) Next() *remotecommand.TerminalSize {
	size := q.queue.Next()
	if size == nil {
		return nil
	}
	return &remotecommand.TerminalSize{Width: size.Width, Height: size.Height}
}
