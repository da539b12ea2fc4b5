// Command shellfloor is the lower bound of the benchmark's shell rows: the least a
// client-go program must do to give a terminal a shell in a debug container. It sends
// the object the debug command would send, read from a file the benchmark wrote before
// timing (`kubectl-debugger ... --dry-run=client -o json`), then attaches to the debug
// container with a terminal as early as the container allows:
//
//	shellfloor -n NS -f OBJECT.json -mode ephemeral|pod [-c CONTAINER] [-wait watch|probe|both] [-probe-interval 25ms]
//
// With -mode ephemeral the file is the target pod with the debug container added, and
// the container named by -c is sent as a strategic merge patch of the pod's
// ephemeralcontainers subresource; with -mode pod the file is the pod to create (a copy
// or a node debugging pod) and -c defaults to its only container.
//
// A container can be attached once the container runtime runs it; until then the
// kubelet refuses the attach. The program learns it one of two ways (-wait):
//
//   - watch (the default): a watch of the pod, from the version the write returned,
//     until its status reports the container running;
//   - probe: opening the attach's SPDY connection, without any stream, every
//     -probe-interval until the kubelet accepts it, then closing it: a refused attach
//     fails before the upgrade, and with no stream nothing typed is read before the
//     real session.
//
// On the 2-core build machine the kubelet reports the container running within about
// 40 ms of its start, about as soon as a probe sees it, and the probes' TLS handshakes
// and the kubelet's runtime listings they cost delayed the start itself (by about
// 0.2 s for a new pod): the watch is the earlier way there (docs/benchmarks.md). With
// both, the first of the two counts.
//
// Then it puts the terminal in raw mode and attaches through client-go's WebSocket
// executor, as kubectl does, with the terminal's size.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	mobyterm "github.com/moby/term"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	remotecommandconsts "k8s.io/apimachinery/pkg/util/remotecommand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
)

// attachTimeout bounds the wait for the container to accept an attach.
const attachTimeout = 120 * time.Second

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file")
	namespace := flag.String("n", "default", "namespace of the pod")
	file := flag.String("f", "", "the object to send, as JSON: the target pod with its new ephemeral container, or the pod to create")
	mode := flag.String("mode", "", "ephemeral or pod")
	container := flag.String("c", "", "the debug container (default with -mode pod: the pod's only container)")
	wait := flag.String("wait", "watch", "how to tell when the container can be attached: watch, probe or both")
	interval := flag.Duration("probe-interval", 25*time.Millisecond, "least time between the starts of two attach probes")
	flag.Parse()
	if *file == "" || (*mode != "ephemeral" && *mode != "pod") || (*mode == "ephemeral" && *container == "") ||
		(*wait != "probe" && *wait != "watch" && *wait != "both") || *interval <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	err := run(*kubeconfig, *namespace, *file, *mode, *container, *wait, *interval)
	var exit remotecommandExit
	if errors.As(err, &exit) {
		os.Exit(exit.code)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shellfloor:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, namespace, file, mode, container, wait string, interval time.Duration) error {
	ctx := context.Background()
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("loading the kubeconfig: %w", err)
	}
	// The bodies are the JSON the file holds; the answers may come as protobuf.
	config.ContentType = runtime.ContentTypeJSON
	config.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	config.QPS = -1
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return fmt.Errorf("creating the client: %w", err)
	}

	var sent *corev1.Pod
	switch mode {
	case "ephemeral":
		sent, err = addEphemeral(ctx, client, namespace, raw, container)
	case "pod":
		sent, container, err = createPod(ctx, client, namespace, raw, container)
	}
	if err != nil {
		return err
	}
	if err := waitAttachable(ctx, config, client, sent, container, wait, interval); err != nil {
		return err
	}
	return attach(ctx, config, client, namespace, sent.Name, container)
}

// addEphemeral sends the ephemeral container called container of the pod in raw, as
// it is there, and returns the pod as the server answered.
func addEphemeral(ctx context.Context, client kubernetes.Interface, namespace string, raw []byte, container string) (*corev1.Pod, error) {
	pod, patch, err := ephemeralPatch(raw, container)
	if err != nil {
		return nil, err
	}
	var patched corev1.Pod
	err = client.CoreV1().RESTClient().Patch(types.StrategicMergePatchType).Namespace(namespace).
		Resource("pods").Name(pod).SubResource("ephemeralcontainers").Body(patch).Do(ctx).Into(&patched)
	if err != nil {
		return nil, fmt.Errorf("adding ephemeral container %q to pod %q: %w", container, pod, err)
	}
	return &patched, nil
}

// ephemeralPatch returns the name of the pod in raw and the strategic merge patch that
// adds its ephemeral container called container, whose JSON it carries unchanged.
func ephemeralPatch(raw []byte, container string) (string, []byte, error) {
	var pod struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			EphemeralContainers []json.RawMessage `json:"ephemeralContainers"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(raw, &pod); err != nil {
		return "", nil, fmt.Errorf("decoding the pod: %w", err)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		var named struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(c, &named); err != nil {
			return "", nil, fmt.Errorf("decoding the ephemeral containers: %w", err)
		}
		if named.Name != container {
			continue
		}
		patch, err := json.Marshal(map[string]any{"spec": map[string]any{"ephemeralContainers": []json.RawMessage{c}}})
		if err != nil {
			return "", nil, fmt.Errorf("encoding the patch: %w", err)
		}
		return pod.Metadata.Name, patch, nil
	}
	return "", nil, fmt.Errorf("pod %q in the file has no ephemeral container %q", pod.Metadata.Name, container)
}

// createPod creates the pod in raw, as it is there, and returns it as the server
// answered, with the container to attach to.
func createPod(ctx context.Context, client kubernetes.Interface, namespace string, raw []byte, container string) (*corev1.Pod, string, error) {
	var created corev1.Pod
	err := client.CoreV1().RESTClient().Post().Namespace(namespace).Resource("pods").Body(raw).Do(ctx).Into(&created)
	if err != nil {
		return nil, "", fmt.Errorf("creating the pod: %w", err)
	}
	if container == "" {
		if len(created.Spec.Containers) != 1 {
			return nil, "", fmt.Errorf("pod %q has %d containers: name the debug container with -c", created.Name, len(created.Spec.Containers))
		}
		container = created.Spec.Containers[0].Name
	}
	return &created, container, nil
}

// attachURL is the attach subresource of the container, with the streams asked for.
func attachURL(client kubernetes.Interface, namespace, pod, container string, stdin bool) *url.URL {
	return client.CoreV1().RESTClient().Post().Namespace(namespace).Resource("pods").Name(pod).SubResource("attach").
		VersionedParams(&corev1.PodAttachOptions{Container: container, Stdin: stdin, Stdout: true, TTY: true}, scheme.ParameterCodec).URL()
}

// waitAttachable returns once the container can be attached: with wait "probe" once
// the kubelet accepts the attach's connection, with "watch" once the pod's status
// reports the container running, with "both" at the first of the two.
func waitAttachable(ctx context.Context, config *rest.Config, client kubernetes.Interface, pod *corev1.Pod, container, wait string, interval time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, attachTimeout)
	defer cancel()
	var ways []func(context.Context) error
	if wait != "watch" {
		ways = append(ways, func(ctx context.Context) error { return probe(ctx, config, client, pod, container, interval) })
	}
	if wait != "probe" {
		ways = append(ways, func(ctx context.Context) error { return watchRunning(ctx, client, pod, container) })
	}
	done := make(chan error, len(ways))
	for _, way := range ways {
		go func() { done <- way(ctx) }()
	}
	var errs []error
	for range ways {
		err := <-done
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("container %q of pod %q not attachable after %s: %w", container, pod.Name, attachTimeout, errors.Join(errs...))
}

// probe opens the attach's SPDY connection, without streams, until the kubelet accepts
// it (the container runs), at most one attempt per interval.
func probe(ctx context.Context, config *rest.Config, client kubernetes.Interface, pod *corev1.Pod, container string, interval time.Duration) error {
	transport, upgrader, err := spdy.RoundTripperFor(config)
	if err != nil {
		return fmt.Errorf("creating the SPDY transport: %w", err)
	}
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, attachURL(client, pod.Namespace, pod.Name, container, false))
	for {
		started := time.Now()
		conn, _, err := dialer.Dial(remotecommandconsts.StreamProtocolV4Name)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the last attach probe: %w", err)
		case <-time.After(time.Until(started.Add(interval))):
		}
	}
}

// watchRunning watches the pod, from the version the write returned, until its status
// reports the container running.
func watchRunning(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, container string) error {
	w, err := client.CoreV1().Pods(pod.Namespace).Watch(ctx, metav1.ListOptions{
		FieldSelector:   fields.OneTermEqualSelector("metadata.name", pod.Name).String(),
		ResourceVersion: pod.ResourceVersion,
	})
	if err != nil {
		return fmt.Errorf("watching pod %q: %w", pod.Name, err)
	}
	defer w.Stop()
	for event := range w.ResultChan() {
		if p, ok := event.Object.(*corev1.Pod); ok && running(p, container) {
			return nil
		}
	}
	return fmt.Errorf("the watch of pod %q ended", pod.Name)
}

// running reports whether the pod's status has the container running.
func running(pod *corev1.Pod, container string) bool {
	for _, statuses := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for _, s := range statuses {
			if s.Name == container && s.State.Running != nil {
				return true
			}
		}
	}
	return false
}

// attach is the terminal session: raw mode, the terminal's size, and the streams.
func attach(ctx context.Context, config *rest.Config, client kubernetes.Interface, namespace, pod, container string) error {
	exec, err := remotecommand.NewWebSocketExecutor(config, http.MethodGet, attachURL(client, namespace, pod, container, true).String())
	if err != nil {
		return fmt.Errorf("creating the WebSocket executor: %w", err)
	}
	fd := os.Stdin.Fd()
	size, err := mobyterm.GetWinsize(fd)
	if err != nil {
		return fmt.Errorf("reading the terminal's size: %w", err)
	}
	state, err := mobyterm.MakeRaw(fd)
	if err != nil {
		return fmt.Errorf("putting the terminal in raw mode: %w", err)
	}
	defer mobyterm.RestoreTerminal(fd, state) //nolint:errcheck // nothing to do about it on the way out
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{
		Stdin: os.Stdin, Stdout: os.Stdout, Tty: true,
		TerminalSizeQueue: &onceSize{size: remotecommand.TerminalSize{Width: size.Width, Height: size.Height}},
	})
	var status interface{ ExitStatus() int }
	if errors.As(err, &status) {
		return remotecommandExit{code: status.ExitStatus()}
	}
	if err != nil {
		return fmt.Errorf("attaching to container %q of pod %q: %w", container, pod, err)
	}
	return nil
}

// remotecommandExit is a session that ended with the container's non-zero exit code.
type remotecommandExit struct{ code int }

func (e remotecommandExit) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// onceSize gives the terminal's size once, as a terminal that is never resized.
type onceSize struct {
	size remotecommand.TerminalSize
	sent bool
}

func (q *onceSize) Next() *remotecommand.TerminalSize {
	if !q.sent {
		q.sent = true
		return &q.size
	}
	// Nil ends the queue: no more sizes.
	return nil
}
