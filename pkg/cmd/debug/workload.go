package debug

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/kubectl/pkg/util/podutils"
)

// workloadKind is a kind of object that stands for one of its pods: debugging
// deployment/web debugs a pod its selector matches.
type workloadKind struct {
	// singular names the kind in messages, as in deployment/web.
	singular string
	gvk      schema.GroupVersionKind
	// names are the resource's plural, singular and short names.
	names []string
	// selector reads the object and returns the label selector of its pods.
	selector selectorFunc
	// list lists the objects of the kind in a namespace, for completion.
	list func(ctx context.Context, client kubernetes.Interface, namespace string) (runtime.Object, error)
}

// lister lists the objects of one kind.
type lister[T runtime.Object] func(ctx context.Context, opts metav1.ListOptions) (T, error)

// listOf adapts a typed list call to workloadKind.list.
func listOf[T runtime.Object](get func(kubernetes.Interface, string) lister[T]) func(context.Context, kubernetes.Interface, string) (runtime.Object, error) {
	return func(ctx context.Context, c kubernetes.Interface, ns string) (runtime.Object, error) {
		return get(c, ns)(ctx, metav1.ListOptions{})
	}
}

// selectorFunc reads the object called name in namespace and returns the label selector
// of its pods.
type selectorFunc func(ctx context.Context, client kubernetes.Interface, namespace, name string) (labels.Selector, error)

// workloadKinds are the kinds kubectl attach and logs accept besides pods, with their
// short names, so they resolve without API discovery.
var workloadKinds = []*workloadKind{
	{
		singular: "deployment", gvk: appsv1.SchemeGroupVersion.WithKind("Deployment"),
		names: []string{"deployments", "deployment", "deploy"},
		selector: byLabelSelector(func(c kubernetes.Interface, ns string) getter[*appsv1.Deployment] {
			return c.AppsV1().Deployments(ns).Get
		},
			func(d *appsv1.Deployment) *metav1.LabelSelector { return d.Spec.Selector }),
		list: listOf(func(c kubernetes.Interface, ns string) lister[*appsv1.DeploymentList] {
			return c.AppsV1().Deployments(ns).List
		}),
	},
	{
		singular: "replicaset", gvk: appsv1.SchemeGroupVersion.WithKind("ReplicaSet"),
		names: []string{"replicasets", "replicaset", "rs"},
		selector: byLabelSelector(func(c kubernetes.Interface, ns string) getter[*appsv1.ReplicaSet] {
			return c.AppsV1().ReplicaSets(ns).Get
		},
			func(r *appsv1.ReplicaSet) *metav1.LabelSelector { return r.Spec.Selector }),
		list: listOf(func(c kubernetes.Interface, ns string) lister[*appsv1.ReplicaSetList] {
			return c.AppsV1().ReplicaSets(ns).List
		}),
	},
	{
		singular: "statefulset", gvk: appsv1.SchemeGroupVersion.WithKind("StatefulSet"),
		names: []string{"statefulsets", "statefulset", "sts"},
		selector: byLabelSelector(func(c kubernetes.Interface, ns string) getter[*appsv1.StatefulSet] {
			return c.AppsV1().StatefulSets(ns).Get
		},
			func(s *appsv1.StatefulSet) *metav1.LabelSelector { return s.Spec.Selector }),
		list: listOf(func(c kubernetes.Interface, ns string) lister[*appsv1.StatefulSetList] {
			return c.AppsV1().StatefulSets(ns).List
		}),
	},
	{
		singular: "daemonset", gvk: appsv1.SchemeGroupVersion.WithKind("DaemonSet"),
		names: []string{"daemonsets", "daemonset", "ds"},
		selector: byLabelSelector(func(c kubernetes.Interface, ns string) getter[*appsv1.DaemonSet] {
			return c.AppsV1().DaemonSets(ns).Get
		},
			func(d *appsv1.DaemonSet) *metav1.LabelSelector { return d.Spec.Selector }),
		list: listOf(func(c kubernetes.Interface, ns string) lister[*appsv1.DaemonSetList] {
			return c.AppsV1().DaemonSets(ns).List
		}),
	},
	{
		singular: "job", gvk: batchv1.SchemeGroupVersion.WithKind("Job"),
		names: []string{"jobs", "job"},
		selector: byLabelSelector(func(c kubernetes.Interface, ns string) getter[*batchv1.Job] { return c.BatchV1().Jobs(ns).Get },
			func(j *batchv1.Job) *metav1.LabelSelector { return j.Spec.Selector }),
		list: listOf(func(c kubernetes.Interface, ns string) lister[*batchv1.JobList] { return c.BatchV1().Jobs(ns).List }),
	},
	{
		singular: "replicationcontroller", gvk: corev1.SchemeGroupVersion.WithKind("ReplicationController"),
		names: []string{"replicationcontrollers", "replicationcontroller", "rc"},
		selector: byMapSelector(func(c kubernetes.Interface, ns string) getter[*corev1.ReplicationController] {
			return c.CoreV1().ReplicationControllers(ns).Get
		}, func(r *corev1.ReplicationController) map[string]string { return r.Spec.Selector }),
		list: listOf(func(c kubernetes.Interface, ns string) lister[*corev1.ReplicationControllerList] {
			return c.CoreV1().ReplicationControllers(ns).List
		}),
	},
	{
		singular: "service", gvk: corev1.SchemeGroupVersion.WithKind("Service"),
		names: []string{"services", "service", "svc"},
		selector: byMapSelector(func(c kubernetes.Interface, ns string) getter[*corev1.Service] { return c.CoreV1().Services(ns).Get },
			func(s *corev1.Service) map[string]string { return s.Spec.Selector }),
		list: listOf(func(c kubernetes.Interface, ns string) lister[*corev1.ServiceList] {
			return c.CoreV1().Services(ns).List
		}),
	},
}

// getter reads one object of a kind by name.
type getter[T any] func(ctx context.Context, name string, opts metav1.GetOptions) (T, error)

// byLabelSelector reads an object with get and returns the label selector of its pods.
func byLabelSelector[T any](get func(kubernetes.Interface, string) getter[T], of func(T) *metav1.LabelSelector) selectorFunc {
	return func(ctx context.Context, c kubernetes.Interface, ns, name string) (labels.Selector, error) {
		obj, err := get(c, ns)(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		s := of(obj)
		if s == nil || len(s.MatchLabels)+len(s.MatchExpressions) == 0 {
			return nil, errNoSelector
		}
		selector, err := metav1.LabelSelectorAsSelector(s)
		if err != nil {
			return nil, fmt.Errorf("invalid selector: %w", err)
		}
		return selector, nil
	}
}

// byMapSelector is byLabelSelector for kinds that select pods with a plain map.
func byMapSelector[T any](get func(kubernetes.Interface, string) getter[T], of func(T) map[string]string) selectorFunc {
	return func(ctx context.Context, c kubernetes.Interface, ns, name string) (labels.Selector, error) {
		obj, err := get(c, ns)(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		m := of(obj)
		if len(m) == 0 {
			return nil, errNoSelector
		}
		return labels.SelectorFromSet(m), nil
	}
}

// errNoSelector is the error for a workload whose selector matches nothing by design.
var errNoSelector = errors.New("it has no selector, so it has no pods to debug")

// workloadByResource finds the workload kind a TYPE names: a plural, singular or short
// name, optionally with its group or version and group (deployments.apps,
// deployments.v1.apps, services.v1).
func workloadByResource(resource string) *workloadKind {
	base, qualifier, _ := strings.Cut(strings.ToLower(resource), ".")
	for _, w := range workloadKinds {
		for _, name := range w.names {
			if name != base {
				continue
			}
			switch qualifier {
			case "", w.gvk.Group, w.gvk.Version + "." + w.gvk.Group, strings.TrimSuffix(w.gvk.Version+"."+w.gvk.Group, "."):
				return w
			}
		}
	}
	return nil
}

// workloadByKind finds the workload kind of gvk, as the REST mapper resolved it.
func workloadByKind(gvk schema.GroupVersionKind) *workloadKind {
	for _, w := range workloadKinds {
		if w.gvk.Group == gvk.Group && w.gvk.Kind == gvk.Kind {
			return w
		}
	}
	return nil
}

// validName checks a name as the server checks the names of objects of kind w: DNS
// subdomains, but for services DNS labels: RFC 1123 labels, which may start with a
// digit, since Kubernetes 1.37 (RelaxedServiceNameValidation), RFC 1035 labels before.
// The wider rule is taken, so no name a server accepts is refused.
func (w *workloadKind) validName(name string, prefix bool) []string {
	if w.gvk.Kind == "Service" {
		return apivalidation.NameIsDNSLabel(name, prefix)
	}
	return apivalidation.NameIsDNSSubdomain(name, prefix)
}

// workloadKindList names the workload kinds for messages.
func workloadKindList() string {
	names := make([]string, 0, len(workloadKinds))
	for _, w := range workloadKinds {
		names = append(names, w.singular)
	}
	return strings.Join(names, ", ")
}

// podOfWorkload returns the pod that stands for workload t, chosen as kubectl attach
// and logs choose one: assigned, running and ready pods first, then the longest ready,
// the fewest restarts, the oldest. When the workload has no pod yet it waits up to
// timeout for one. The notice names the pod chosen.
func podOfWorkload(ctx context.Context, client kubernetes.Interface, t target, timeout time.Duration) (*corev1.Pod, string, error) {
	selector, err := t.workload.selector(ctx, client, t.namespace, t.name)
	if err != nil {
		if errors.Is(err, errNoSelector) {
			return nil, "", fmt.Errorf("%s: %w", t.describe(), err)
		}
		return nil, "", err
	}
	pods, err := waitForPods(ctx, client, t.namespace, selector.String(), timeout)
	if err != nil {
		return nil, "", serverError(t.describe(), err)
	}
	if len(pods) == 0 {
		return nil, "", fmt.Errorf("%s has no pods: none matched its selector %s within %s (--pod-running-timeout)", t.describe(), selector, timeout)
	}
	chosen := choosePod(pods)
	notice := fmt.Sprintf("Using pod/%s of %s.", chosen.Name, t.describe())
	if len(pods) > 1 {
		notice = fmt.Sprintf("Found %d pods for %s, using pod/%s.", len(pods), t.describe(), chosen.Name)
	}
	return chosen, notice, nil
}

// choosePod returns the pod of a workload that kubectl attach and logs would choose
// among pods, which it reorders; pods must not be empty.
func choosePod(pods []*corev1.Pod) *corev1.Pod {
	sort.Sort(sort.Reverse(podutils.ActivePods(pods)))
	return pods[0]
}

// waitForPods lists the pods selector matches in namespace; when there are none it
// watches for the first one, up to timeout (none: it only lists). It returns no pods and
// no error when the timeout passes.
func waitForPods(ctx context.Context, client kubernetes.Interface, namespace, selector string, timeout time.Duration) ([]*corev1.Pod, error) {
	pods := client.CoreV1().Pods(namespace)
	list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if len(list.Items) > 0 {
			found := make([]*corev1.Pod, len(list.Items))
			for i := range list.Items {
				found[i] = &list.Items[i]
			}
			return found, nil
		}
		w, err := pods.Watch(waitCtx, metav1.ListOptions{LabelSelector: selector, ResourceVersion: list.ResourceVersion})
		if err != nil {
			if errors.Is(waitCtx.Err(), context.DeadlineExceeded) {
				return nil, nil
			}
			return nil, err
		}
		pod, err := firstPodEvent(waitCtx, w)
		w.Stop()
		switch {
		case pod != nil:
			return []*corev1.Pod{pod}, nil
		case errors.Is(waitCtx.Err(), context.DeadlineExceeded):
			return nil, nil
		case err != nil:
			return nil, err
		}
		// The watch closed early (a server timeout, an expired resource version): list
		// again, after a pause so that a failing server is not hammered.
		select {
		case <-waitCtx.Done():
		case <-time.After(200 * time.Millisecond):
		}
		if list, err = pods.List(waitCtx, metav1.ListOptions{LabelSelector: selector}); err != nil {
			if errors.Is(waitCtx.Err(), context.DeadlineExceeded) {
				return nil, nil
			}
			return nil, err
		}
	}
}

// firstPodEvent returns the first pod w reports as added or changed, or nil when w
// closes first.
func firstPodEvent(ctx context.Context, w watch.Interface) (*corev1.Pod, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, nil
			}
			if ev.Type == watch.Added || ev.Type == watch.Modified {
				if pod, ok := ev.Object.(*corev1.Pod); ok {
					return pod, nil
				}
			}
			if ev.Type == watch.Error {
				return nil, nil
			}
		}
	}
}
