package sessions

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"

	"github.com/kubectl-debugger/kubectl-debugger/internal/streamexec"
)

// NewRemote returns the Remote that reaches containers through the API server at
// config, as kubectl exec and kubectl attach do.
func NewRemote(config *rest.Config, client kubernetes.Interface) Remote {
	return &remoteCommands{config: config, client: client}
}

// remoteCommands runs commands and attaches through the API server's exec and attach
// subresources, over WebSocket, else SPDY, as kubectl does.
type remoteCommands struct {
	config *rest.Config
	client kubernetes.Interface
}

// Exec runs command in the container and returns its standard output; a non-zero exit
// or standard error is an error.
func (r *remoteCommands) Exec(ctx context.Context, namespace, pod, container string, command []string) (string, error) {
	req := r.client.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: container, Command: command, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	var out, errOut bytes.Buffer
	if err := r.stream(ctx, req.URL(), remotecommand.StreamOptions{Stdout: &out, Stderr: &errOut}); err != nil {
		if errOut.Len() > 0 {
			return "", fmt.Errorf("%w: %s", err, bytes.TrimSpace(errOut.Bytes()))
		}
		return "", err
	}
	return out.String(), nil
}

// EndInput attaches to the container's standard input (with a terminal when tty),
// writes input, closes it and returns when the container ends or ctx does.
func (r *remoteCommands) EndInput(ctx context.Context, namespace, pod, container string, tty bool, input string) error {
	req := r.client.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("attach").
		VersionedParams(&corev1.PodAttachOptions{Container: container, Stdin: true, Stdout: true, Stderr: !tty, TTY: tty}, scheme.ParameterCodec)
	opts := remotecommand.StreamOptions{Stdin: strings.NewReader(input), Stdout: io.Discard, Tty: tty}
	if !tty {
		opts.Stderr = io.Discard
	}
	return r.stream(ctx, req.URL(), opts)
}

// stream runs one exec or attach request to its end.
func (r *remoteCommands) stream(ctx context.Context, u *url.URL, opts remotecommand.StreamOptions) error {
	exec, err := streamexec.New(r.config, u)
	if err != nil {
		return err
	}
	return exec.StreamWithContext(ctx, opts)
}
