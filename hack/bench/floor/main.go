// Command floor is the benchmark's lower bound for an ephemeral debug fan-out: the
// least a client-go program must do for the job kubectl-debugger does with -l. It loads
// the kubeconfig, lists the pods matching a selector (pages of 500, as ours), then adds
// one ephemeral container to each with a strategic merge patch of the
// pods/ephemeralcontainers subresource, at most -max-concurrency at a time. No flags
// parsing library, no printers, no plan: what is left is the client's and the server's
// cost. hack/bench.sh builds it and hack/bench runs it:
//
//	floor -kubeconfig FILE -n NS -l app=fan [-dry-run] [-list-only [-json]]
//
// -dry-run sends the patches as server dry runs, so the same pods serve many runs. With
// -list-only it only lists, and prints the number of pods and the bytes of the LIST
// responses as received (after decompression): the size of the pod list itself.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
)

// listChunkSize matches the project's page size, so both make the same LIST requests.
const listChunkSize = 500

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file")
	namespace := flag.String("n", "default", "namespace of the pods")
	selector := flag.String("l", "", "label selector choosing the pods")
	image := flag.String("image", "busybox:1.36", "image of the debug container")
	container := flag.String("c", "dbg", "name of the debug container")
	concurrency := flag.Int("max-concurrency", 16, "patches in flight at once")
	listOnly := flag.Bool("list-only", false, "only list the pods, and print their count and the bytes received")
	asJSON := flag.Bool("json", false, "with -list-only, ask for JSON instead of protobuf")
	dryRun := flag.Bool("dry-run", false, "send the patches as server dry runs")
	flag.Parse()
	if err := run(*kubeconfig, *namespace, *selector, *image, *container, *concurrency, *listOnly, *asJSON, *dryRun); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, namespace, selector, image, container string, concurrency int, listOnly, asJSON, dryRun bool) error {
	ctx := context.Background()
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("loading the kubeconfig: %w", err)
	}
	// The same client settings as the project: protobuf both ways, and no client-side
	// rate limit, so the concurrency alone bounds the requests in flight.
	config.ContentType = runtime.ContentTypeProtobuf
	config.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	if asJSON {
		config.ContentType = runtime.ContentTypeJSON
		config.AcceptContentTypes = runtime.ContentTypeJSON
	}
	config.QPS = -1
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return fmt.Errorf("creating the client: %w", err)
	}

	pods, size, err := listPods(ctx, client, namespace, selector)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if listOnly {
		fmt.Fprintf(out, "pods=%d bytes=%d\n", len(pods), size)
		return nil
	}

	// The body the project sends for a pod without ephemeral containers, under its
	// default profile (general, which adds SYS_PTRACE): the same bytes for every pod.
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{
		"ephemeralContainers": []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name:                     container,
			Image:                    image,
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{
				Add: []corev1.Capability{"SYS_PTRACE"},
			}},
		}}},
	}})
	if err != nil {
		return fmt.Errorf("encoding the patch: %w", err)
	}
	var opts metav1.PatchOptions
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	results := make([]error, len(pods))
	var g errgroup.Group
	g.SetLimit(concurrency)
	for i := range pods {
		g.Go(func() error {
			_, results[i] = client.CoreV1().Pods(namespace).Patch(ctx, pods[i].Name, types.StrategicMergePatchType,
				patch, opts, "ephemeralcontainers")
			return nil
		})
	}
	_ = g.Wait()
	failed := 0
	for i, err := range results {
		if err != nil {
			failed++
			fmt.Fprintf(out, "pod/%s\t%s\terror: %v\n", pods[i].Name, container, err)
			continue
		}
		fmt.Fprintf(out, "pod/%s\t%s\tadded\n", pods[i].Name, container)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d patches failed", failed, len(pods))
	}
	return nil
}

// listPods lists the pods in pages, as the typed client's List does, keeping the raw
// responses' size on the way.
func listPods(ctx context.Context, client kubernetes.Interface, namespace, selector string) ([]corev1.Pod, int, error) {
	var pods []corev1.Pod
	size := 0
	opts := metav1.ListOptions{LabelSelector: selector, Limit: listChunkSize}
	for {
		result := client.CoreV1().RESTClient().Get().Namespace(namespace).Resource("pods").
			VersionedParams(&opts, scheme.ParameterCodec).Do(ctx)
		raw, err := result.Raw()
		if err != nil {
			return nil, 0, fmt.Errorf("listing pods with selector %s: %w", selector, err)
		}
		size += len(raw)
		var list corev1.PodList
		if err := result.Into(&list); err != nil {
			return nil, 0, fmt.Errorf("decoding the pod list: %w", err)
		}
		pods = append(pods, list.Items...)
		if list.Continue == "" {
			return pods, size, nil
		}
		opts.Continue = list.Continue
	}
}
