package debug

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// resolved is one target found on the cluster or in a -f file: the pod or the node to
// debug, or why it could not be found.
type resolved struct {
	// name is how messages and the table name the target: pod/web-1, node/n1.
	name string
	// namespace is the target's namespace, known also when it could not be found;
	// empty for nodes.
	namespace string
	pod       *corev1.Pod
	node      *corev1.Node
	// workload names the workload pod stands for (job/web); empty for a pod named or
	// selected.
	workload string
	// notices say how the target was chosen, e.g. which pod stands for a deployment.
	notices []string
	err     error
}

// listChunkSize bounds each page of a selector's LIST, as kubectl get's --chunk-size
// does, so a namespace of thousands of pods is not held twice while it is decoded.
const listChunkSize = 500

// resolver is the resolve phase with all it depends on: the targets of a validated run,
// how to reach the cluster, and the flags that bound the lookups.
type resolver struct {
	targets []target
	// client returns the API client, built on first use: a client dry run of -f
	// objects needs no cluster.
	client func() (kubernetes.Interface, error)
	// mapper returns the REST mapper, whose API discovery only TYPEs that are neither
	// pods, nodes nor known workloads need.
	mapper func() (meta.RESTMapper, error)
	// checkMapped checks the flags against targets whose kind the mapper told.
	checkMapped func([]target) error
	// podRunningTimeout bounds the wait for a workload's first pod.
	podRunningTimeout time.Duration
	// limit bounds the lookups in flight.
	limit int
}

// resolver returns the resolve phase of a validated run.
func (o *DebugOptions) resolver() *resolver {
	return &resolver{
		targets:           o.targets,
		client:            o.clientset,
		mapper:            o.restClientGetter.ToRESTMapper,
		checkMapped:       o.validateTargets,
		podRunningTimeout: o.PodRunningTimeout,
		limit:             o.concurrency(),
	}
}

// resolve turns the targets into pods and nodes: a GET per name, one LIST (in pages)
// per selector, a GET and a LIST per workload, nothing for -f objects. A target that
// cannot be found is returned with its error; an error that leaves nothing to debug
// (a failed LIST, a selector that matches nothing) ends the run.
func (rs *resolver) resolve(ctx context.Context) ([]resolved, error) {
	var (
		client kubernetes.Interface
		found  [][]resolved
	)
	needsClient := false
	for _, t := range rs.targets {
		if t.object == nil {
			needsClient = true
		}
	}
	// A client dry run of -f objects needs no cluster, not even a kubeconfig.
	if needsClient {
		var err error
		if client, err = rs.client(); err != nil {
			return nil, err
		}
	}
	targets, err := rs.mapUnknownKinds(ctx, rs.targets)
	if err != nil {
		return nil, err
	}
	found = make([][]resolved, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(rs.limit)
	for i, t := range targets {
		if t.selector != "" {
			// A selector's failure leaves nothing to debug; it ends the run.
			g.Go(func() error {
				var err error
				found[i], err = selectTargets(gctx, client, t)
				return err
			})
			continue
		}
		g.Go(func() error {
			found[i] = []resolved{rs.resolveOne(gctx, client, t)}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []resolved
	for _, r := range found {
		all = append(all, r...)
	}
	return all, nil
}

// mapUnknownKinds resolves the TYPEs that are neither pods, nodes nor known workloads
// with the REST mapper (API discovery, done only when needed), then checks the flags
// against what they turned out to be.
func (rs *resolver) mapUnknownKinds(ctx context.Context, targets []target) ([]target, error) {
	var mapped []target
	for i, t := range targets {
		if t.kind != kindUnknown {
			continue
		}
		if mapped == nil {
			mapped = append([]target(nil), targets...)
		}
		var err error
		if mapped[i], err = rs.mapKind(ctx, t); err != nil {
			return nil, err
		}
	}
	if mapped == nil {
		return targets, nil
	}
	if err := rs.checkMapped(mapped); err != nil {
		return nil, err
	}
	return mapped, nil
}

// mapKind resolves the TYPE of t with the REST mapper. The mapper's API discovery, and
// the version check a getter may make first, take no context: Ctrl-C ends the wait.
func (rs *resolver) mapKind(ctx context.Context, t target) (target, error) {
	mapped, err := untilDone(ctx, func() (target, error) {
		mapper, err := rs.mapper()
		if err != nil {
			return target{}, fmt.Errorf("resolving %q: %w", t.describe(), err)
		}
		return mapTarget(t, mapper)
	})
	if ctx.Err() != nil {
		return target{}, fmt.Errorf("resolving %q with API discovery: %w", t.describe(), ctx.Err())
	}
	return mapped, err
}

// untilDone runs step, which cannot be given ctx, and returns what it returns, or as
// soon as ctx ends, ctx's error. A step cut short is left to finish on its own: the
// command is about to end, and nothing waits for it.
func untilDone[T any](ctx context.Context, step func() (T, error)) (T, error) {
	type answer struct {
		value T
		err   error
	}
	done := make(chan answer, 1)
	go func() {
		value, err := step()
		done <- answer{value, err}
	}()
	select {
	case a := <-done:
		return a.value, a.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// resolveOne finds the pod or node one named target stands for.
func (rs *resolver) resolveOne(ctx context.Context, client kubernetes.Interface, t target) resolved {
	r := resolved{name: t.describe(), namespace: t.namespace}
	switch obj := t.object.(type) {
	case *corev1.Pod:
		r.pod = obj
		return r
	case *corev1.Node:
		r.node = obj
		return r
	}
	switch t.kind {
	case kindPod:
		r.pod, r.err = client.CoreV1().Pods(t.namespace).Get(ctx, t.name, metav1.GetOptions{})
	case kindNode:
		r.node, r.err = client.CoreV1().Nodes().Get(ctx, t.name, metav1.GetOptions{})
	case kindWorkload:
		r.workload = t.describe()
		var notice string
		r.pod, notice, r.err = podOfWorkload(ctx, client, t, rs.podRunningTimeout)
		if notice != "" {
			r.notices = append(r.notices, notice)
		}
	}
	return r
}

// selectTargets lists what a selector target matches, in pages; matching nothing is an
// error, since a user who asks for every pod labelled x expects some.
func selectTargets(ctx context.Context, client kubernetes.Interface, t target) ([]resolved, error) {
	var found []resolved
	opts := metav1.ListOptions{LabelSelector: t.selector, Limit: listChunkSize}
	for {
		var cont string
		if t.kind == kindNode {
			list, err := client.CoreV1().Nodes().List(ctx, opts)
			if err != nil {
				return nil, serverError("listing nodes with selector "+briefText(t.selector), err)
			}
			for i := range list.Items {
				node := &list.Items[i]
				found = append(found, resolved{name: "node/" + node.Name, node: node})
			}
			cont = list.Continue
		} else {
			list, err := client.CoreV1().Pods(t.namespace).List(ctx, opts)
			if err != nil {
				return nil, serverError("listing pods with selector "+briefText(t.selector), err)
			}
			for i := range list.Items {
				pod := &list.Items[i]
				found = append(found, resolved{name: "pod/" + pod.Name, namespace: pod.Namespace, pod: pod})
			}
			cont = list.Continue
		}
		if cont == "" {
			break
		}
		opts.Continue = cont
	}
	if len(found) == 0 {
		where := ""
		switch {
		case t.kind == kindNode:
		case t.namespace == "":
			where = " in any namespace"
		default:
			where = fmt.Sprintf(" in namespace %q", t.namespace)
		}
		return nil, fmt.Errorf("no %s match selector %s%s", map[bool]string{true: "nodes", false: "pods"}[t.kind == kindNode], briefText(t.selector), where)
	}
	return found, nil
}

// concurrency is --max-concurrency, at least 1.
func (o *DebugOptions) concurrency() int {
	return max(o.MaxConcurrency, 1)
}
