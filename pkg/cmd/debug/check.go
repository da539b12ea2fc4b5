package debug

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// access is one permission a debug needs: a verb on pods or one of their subresources,
// in a namespace.
type access struct {
	verb, subresource, namespace string
}

// String names the permission as kubectl auth can-i does: verb and resource.
func (a access) String() string {
	if a.subresource == "" {
		return a.verb + " pods"
	}
	return a.verb + " pods/" + a.subresource
}

// accessVerdict is the server's answer to whether the caller holds an access.
type accessVerdict struct {
	access
	allowed bool
	// reason is the authorizer's, when it gives one.
	reason string
	// err is set when the review itself failed: the answer is unknown.
	err error
}

// imageVerdict says whether the debug image can start on its node as far as the node
// tells: the node lists the images it holds in its status.
type imageVerdict int

const (
	// imageNotChecked: no node to look at yet, or the image is pulled whatever the node
	// holds.
	imageNotChecked imageVerdict = iota
	// imagePresent: the node holds the image.
	imagePresent
	// imagePulled: the node does not hold it, and the kubelet will pull it.
	imagePulled
	// imageNeverPulled: the node does not hold it and the pull policy is Never: the
	// container can never start.
	imageNeverPulled
	// imageUnreported: the node lists no images at all, or could not be read.
	imageUnreported
)

// imageCheck is what --check found about a debug container's image.
type imageCheck struct {
	image  string
	policy corev1.PullPolicy
	node   string
	// why says why the image was not checked, or why the node could not tell.
	why     string
	verdict imageVerdict
}

// checkResult is what --check found for one target. A target that could not be
// resolved or planned has only err.
type checkResult struct {
	index     int
	target    string
	namespace string
	err       error
	access    []accessVerdict
	// admission is the server dry run's refusal; nil when the dry run passed.
	admission error
	image     imageCheck
	// warnings are the plan's.
	warnings []string
}

// fails tells whether the debug this result describes would fail.
func (r checkResult) fails() bool {
	if r.err != nil || r.admission != nil || r.image.verdict == imageNeverPulled {
		return true
	}
	return slices.ContainsFunc(r.access, func(v accessVerdict) bool { return !v.allowed })
}

// checker answers --check: whether the planned debugs would succeed, with reads and
// server dry runs only. It asks the server about each permission and node once, however
// many targets need them.
type checker struct {
	client kubernetes.Interface
	limit  int
	// session is what follows the write: attach (-i or --attach) or stream logs
	// (--logs); each needs a permission of its own.
	attach, logs bool
	// remove is --rm, which deletes the debug pod afterwards.
	remove bool
}

// neededAccess lists the permissions p needs, in the order the command uses them.
func (c checker) neededAccess(p *plan) []access {
	var needed []access
	switch p.mode {
	case ModeEphemeral:
		if !p.reattach {
			needed = append(needed, access{"patch", "ephemeralcontainers", p.source.Namespace})
		}
		if c.remove {
			// --rm ends the container from inside it.
			needed = append(needed, access{"create", "exec", p.source.Namespace})
		}
	default:
		needed = append(needed, access{"create", "", p.pod.Namespace})
		if p.deleteSource || c.remove {
			needed = append(needed, access{"delete", "", p.pod.Namespace})
		}
	}
	ns := debugNamespace(p)
	if c.attach && p.container != "" {
		needed = append(needed, access{"create", "attach", ns})
	}
	if c.logs && p.container != "" {
		needed = append(needed, access{"get", "log", ns})
	}
	return needed
}

// check runs the checks for plans; failed are the targets that could not be resolved or
// planned, already results.
func (c checker) check(ctx context.Context, plans []*plan, failed []checkResult) ([]checkResult, error) {
	// Every distinct permission and node is asked about once.
	var reviews []access
	seenAccess := map[access]bool{}
	var nodes []string
	seenNode := map[string]bool{}
	for _, p := range plans {
		for _, a := range c.neededAccess(p) {
			if !seenAccess[a] {
				seenAccess[a] = true
				reviews = append(reviews, a)
			}
		}
		if n := debugNode(p); n != "" && !seenNode[n] {
			seenNode[n] = true
			nodes = append(nodes, n)
		}
	}

	verdicts := make(map[access]accessVerdict, len(reviews))
	nodeImages := make(map[string]nodeImages, len(nodes))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.limit)
	for _, a := range reviews {
		g.Go(func() error {
			v := sender{client: c.client}.reviewAccess(gctx, a)
			mu.Lock()
			verdicts[a] = v
			mu.Unlock()
			return gctx.Err()
		})
	}
	for _, n := range nodes {
		g.Go(func() error {
			imgs := c.images(gctx, n)
			mu.Lock()
			nodeImages[n] = imgs
			mu.Unlock()
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("checking: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("checking: %w", err)
	}

	// The server's own verdict on each write: validation and every admission plugin,
	// Pod Security included, with nothing persisted.
	dry := sender{client: c.client, dryRun: dryRunServer, brief: true}
	sent := dry.sendAll(ctx, plans, c.limit, nil)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("checking: %w", err)
	}

	results := slices.Clone(failed)
	for i, p := range plans {
		r := checkResult{index: p.index, target: p.target, namespace: debugNamespace(p), warnings: p.warnings, admission: sent[i].err}
		for _, a := range c.neededAccess(p) {
			r.access = append(r.access, verdicts[a])
		}
		r.image = imageOf(p, nodeImages)
		results = append(results, r)
	}
	slices.SortStableFunc(results, func(a, b checkResult) int { return a.index - b.index })
	return results, nil
}

// nodeImages is what a node says it holds: its images' names, or why it cannot tell.
type nodeImages struct {
	names map[string]bool
	why   string
}

// images reads the images node holds.
func (c checker) images(ctx context.Context, node string) nodeImages {
	n, err := c.client.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		return nodeImages{why: fmt.Sprintf("node %s could not be read: %v", node, err)}
	}
	if len(n.Status.Images) == 0 {
		return nodeImages{why: fmt.Sprintf("node %s reports no images", node)}
	}
	names := map[string]bool{}
	for _, img := range n.Status.Images {
		for _, name := range img.Names {
			names[name] = true
		}
	}
	return nodeImages{names: names}
}

// debugNode is the node the debug container will run on, when it is known before the
// write: the target's node, the copy's with --same-node, or the node debugged.
func debugNode(p *plan) string {
	switch {
	case p.container == "":
		return ""
	case p.mode == ModeEphemeral:
		return p.source.Spec.NodeName
	}
	return p.pod.Spec.NodeName
}

// debugNamespace is the namespace of the pod the debug container runs in.
func debugNamespace(p *plan) string {
	if p.mode == ModeEphemeral {
		return p.source.Namespace
	}
	return p.pod.Namespace
}

// plannedDebugContainer is the debug container's spec as planned.
func plannedDebugContainer(p *plan) *corev1.Container {
	if p.mode == ModeEphemeral {
		c := corev1.Container(p.ephemeral.EphemeralContainerCommon)
		return &c
	}
	for i := range p.pod.Spec.Containers {
		if p.pod.Spec.Containers[i].Name == p.container {
			return &p.pod.Spec.Containers[i]
		}
	}
	return nil
}

// imageOf decides what the debug container's image means on its node.
func imageOf(p *plan, nodes map[string]nodeImages) imageCheck {
	dc := plannedDebugContainer(p)
	if p.container == "" || dc == nil {
		return imageCheck{why: "no debug container"}
	}
	ic := imageCheck{image: dc.Image, policy: dc.ImagePullPolicy, node: debugNode(p)}
	if ic.policy == "" {
		ic.policy = defaultPullPolicy(dc.Image)
	}
	switch {
	case ic.node == "":
		ic.why = "the pod is not on a node yet"
		return ic
	case ic.policy == corev1.PullAlways:
		ic.why = "pulled on every start (imagePullPolicy Always)"
		return ic
	}
	held := nodes[ic.node]
	switch {
	case held.names == nil:
		ic.verdict, ic.why = imageUnreported, held.why
	case held.names[normalizedImage(dc.Image)]:
		ic.verdict = imagePresent
	case ic.policy == corev1.PullNever:
		ic.verdict = imageNeverPulled
	default:
		ic.verdict = imagePulled
	}
	return ic
}

// runCheck answers --check for the targets found: plans are those that could be
// planned, planFailed the outcomes of those that could not.
func (o *DebugOptions) runCheck(ctx context.Context, plans []*plan, planFailed []outcome) ([]checkResult, error) {
	failed := make([]checkResult, 0, len(planFailed))
	for _, f := range planFailed {
		failed = append(failed, checkResult{index: f.index, target: f.target, namespace: f.namespace, err: f.err})
	}
	if len(plans) == 0 {
		return failed, nil
	}
	client, err := o.clientset()
	if err != nil {
		return nil, err
	}
	c := checker{client: client, limit: o.concurrency(), attach: o.Attach, logs: o.Logs, remove: o.Remove}
	return c.check(ctx, plans, failed)
}
