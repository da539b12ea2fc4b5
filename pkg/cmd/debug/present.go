package debug

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// presentation is what present reports on.
type presentation struct {
	// outcomes has one entry per target, in the order the targets were found.
	outcomes []outcome
	// planFailed counts the targets that could not be resolved or planned.
	planFailed int
	// several reports per target in a table rather than as one session.
	several bool
	// sender is what sent the plans; cleanup deletes through it.
	sender sender
}

// present is the only phase that prints: warnings, notices, the resulting objects or a
// summary, then the session (attach, or --logs). It returns the run's error.
func (o *DebugOptions) present(ctx context.Context, pr presentation) error {
	if !pr.several && len(pr.outcomes) == 1 {
		return o.presentOne(ctx, pr.sender, pr.outcomes[0])
	}
	o.printInvocationWarnings()
	return o.presentMany(ctx, pr)
}

// printInvocationWarnings prints what concerns the invocation rather than a target.
func (o *DebugOptions) printInvocationWarnings() {
	for _, line := range o.deprecations {
		fmt.Fprintln(o.ErrOut, line)
	}
	for _, w := range o.warnings {
		fmt.Fprintf(o.ErrOut, "Warning: %s\n", w)
	}
}

// announce prints, before a single target's write is sent, what kubectl debug prints
// before its own and in its order: the --target container (named while the flags are
// checked), the deprecations, the names chosen, the warnings about the debug container,
// and for a node the pod about to be created. p is nil when the target could not be
// planned.
func (o *DebugOptions) announce(p *plan) {
	if p == nil {
		o.printInvocationWarnings()
		return
	}
	if p.targeting != "" {
		o.notice(p.targeting)
	}
	o.printInvocationWarnings()
	for _, n := range p.notices {
		o.notice(n)
	}
	if p.mode == ModeNode && o.dryRun == dryRunNone {
		o.notice(fmt.Sprintf("Creating debugging pod %s with container %s on node %s.", p.pod.Name, p.container, p.node.Name))
	}
	for _, w := range p.warnings {
		fmt.Fprintf(o.ErrOut, "Warning: %s\n", w)
	}
}

// presentOne reports a single target the way kubectl debug does, after announce: the
// error or the object, then the session, then with --rm the deletion of the debug pod.
func (o *DebugOptions) presentOne(ctx context.Context, s sender, out outcome) (err error) {
	p := out.plan
	if p == nil {
		return out.err
	}
	// A session left with the detach keys keeps its pod, --rm or not.
	detached := false
	if pods := o.removable([]outcome{out}); len(pods) > 0 {
		defer func() {
			if !detached {
				err = withCleanup(err, o.cleanUp(ctx, s, pods))
			}
		}()
	}
	if out.err != nil {
		return out.err
	}
	if o.removes(p) && o.dryRun != dryRunNone {
		fmt.Fprintf(o.ErrOut, "Dry run: --rm would delete pod %s/%s when the session ends.\n", out.pod.Namespace, out.pod.Name)
	}
	if err := o.printResult(out); err != nil {
		return err
	}
	if p.deleteSource && o.dryRun == dryRunClient {
		fmt.Fprintf(o.ErrOut, "Dry run: pod %s/%s would be deleted once its copy %s exists.\n", p.source.Namespace, p.source.Name, p.pod.Name)
	}
	if p.container == "" || o.dryRun != dryRunNone {
		return nil
	}
	switch {
	case o.Logs:
		results, err := o.streamLogs(ctx, []logTarget{{pod: out.pod, container: p.container}}, logListOptions(""))
		if err != nil {
			return err
		}
		return logFailures(results)
	case o.Attach:
		err := o.attach(ctx, out.pod, p.container)
		if errors.Is(err, errDetached) {
			detached = true
			return nil
		}
		return err
	}
	return nil
}

// withCleanup adds the error of a cleanup to err. Either alone is returned as it is, not
// wrapped: kubectl's error handling takes a session's exit status only from an error
// that is one itself.
func withCleanup(err, cleanupErr error) error {
	switch {
	case cleanupErr == nil:
		return err
	case err == nil:
		return cleanupErr
	}
	return errors.Join(err, cleanupErr)
}

// presentMany reports several targets: each warning once, then a table (or with -o the
// objects), then --logs, then with --rm the deletion of the debug pods; the error counts
// the targets that failed.
func (o *DebugOptions) presentMany(ctx context.Context, pr presentation) (err error) {
	o.printWarnings(pr.outcomes)
	nothingSent := pr.planFailed > 0 && !o.KeepGoing
	if pods := o.removable(pr.outcomes); len(pods) > 0 {
		defer func() { err = withCleanup(err, o.cleanUp(ctx, pr.sender, pods)) }()
	}
	// With -o, standard output is for objects: when nothing was sent there are none,
	// and the error says why.
	switch {
	case !o.outputRequested():
		err = o.printTable(pr.outcomes)
	case !nothingSent:
		err = o.printObjects(pr.outcomes)
	}
	if err != nil {
		return err
	}

	total := len(pr.outcomes)
	var failed, stopped int
	var errs []error
	var logs []logTarget
	colour := printers.AllowsColorOutput(o.Out)
	namespaced := o.spansNamespaces(pr.outcomes)
	for _, out := range pr.outcomes {
		switch {
		case out.err == nil:
			if out.plan.container != "" && o.Logs && o.dryRun == dryRunNone {
				t := logTarget{pod: out.pod, container: out.plan.container, mode: out.plan.mode, namespaced: namespaced}
				t.prefix = logPrefix(t.label(), len(logs), colour)
				logs = append(logs, t)
			}
		case errors.Is(out.err, errNotSent), interrupted(out.err):
			stopped++
		default:
			failed++
		}
	}
	switch {
	case nothingSent:
		return fmt.Errorf("%d of %d targets cannot be debugged, so nothing was sent (--keep-going sends the others)", pr.planFailed, total)
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted: %d of %d targets were debugged: %w", total-failed-stopped, total, ctx.Err())
	}
	if len(logs) > 0 {
		// One watch per namespace: node debugging pods carry the label that marks
		// them; the pods a selector chose still match it.
		selector := o.Selector
		if logs[0].mode == ModeNode {
			selector = labels.SelectorFromSet(nodeDebugLabel).String()
		}
		results, err := o.streamLogs(ctx, logs, logListOptions(selector))
		if err != nil {
			return fmt.Errorf("streaming the debug containers' output: %w", err)
		}
		if err := logFailures(results); err != nil {
			errs = append(errs, err)
		}
	}
	if failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d targets failed", failed, total))
	}
	return errors.Join(errs...)
}

// removes tells whether --rm deletes the pod of p: a copy or a node debugging pod.
func (o *DebugOptions) removes(p *plan) bool {
	return o.Remove && p.mode != ModeEphemeral
}

// printWarnings prints each distinct warning of the plans once, naming the targets it
// concerns when it does not concern all of them.
func (o *DebugOptions) printWarnings(outcomes []outcome) {
	var order []string
	targets := map[string][]string{}
	planned := 0
	for _, out := range outcomes {
		if out.plan == nil {
			continue
		}
		planned++
		for _, w := range out.plan.warnings {
			if _, seen := targets[w]; !seen {
				order = append(order, w)
			}
			targets[w] = append(targets[w], out.target)
		}
	}
	for _, w := range order {
		if names := targets[w]; len(names) < planned {
			w += " (" + listSome(names, 3) + ")"
		}
		fmt.Fprintf(o.ErrOut, "Warning: %s\n", w)
	}
}

// listSome names up to n items, then how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// spansNamespaces tells whether the targets are in more than one namespace, or may be
// (-A): the table and the log prefixes then name the namespace of each.
func (o *DebugOptions) spansNamespaces(outcomes []outcome) bool {
	if o.AllNamespaces {
		return true
	}
	first := ""
	for _, out := range outcomes {
		ns := out.namespace
		if p := out.plan; p != nil && p.source != nil {
			ns = p.source.Namespace
		}
		switch {
		case ns == "":
		case first == "":
			first = ns
		case ns != first:
			return true
		}
	}
	return false
}

// printTable prints one line per target: what was debugged, the debug pod and
// container, and the result.
func (o *DebugOptions) printTable(outcomes []outcome) error {
	// The tab writer writes cell by cell: buffered, thousands of rows take a few
	// writes, not a system call per cell.
	buffered := bufio.NewWriter(o.Out)
	w := printers.GetNewTabWriter(buffered)
	withNamespace := o.spansNamespaces(outcomes)
	if withNamespace {
		fmt.Fprint(w, "NAMESPACE\t")
	}
	fmt.Fprintln(w, "TARGET\tPOD\tCONTAINER\tRESULT")
	for _, out := range outcomes {
		pod, container, namespace := "<none>", "<none>", "<none>"
		if out.namespace != "" {
			namespace = out.namespace
		}
		if p := out.plan; p != nil {
			debugPod := p.pod
			if debugPod == nil {
				debugPod = p.source
			}
			pod, namespace = debugPod.Name, debugPod.Namespace
			if p.container != "" {
				container = p.container
			}
		}
		if withNamespace {
			fmt.Fprintf(w, "%s\t", namespace)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", out.target, pod, container, o.resultText(out))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return buffered.Flush()
}

// resultText says in a few words what became of one target.
func (o *DebugOptions) resultText(out outcome) string {
	switch {
	case out.err == nil:
	case errors.Is(out.err, errNotSent):
		return "not sent"
	case interrupted(out.err) && out.sent:
		return "interrupted: the write may have been applied"
	default:
		return "failed: " + strings.ReplaceAll(out.err.Error(), "\n", " ")
	}
	done := "created"
	if out.plan.mode == ModeEphemeral {
		done = "added"
	}
	switch o.dryRun {
	case dryRunClient:
		return "would be " + done + " (dry run)"
	case dryRunServer:
		return done + " (server dry run)"
	}
	if out.deleted {
		done += ", original deleted"
	}
	return done
}

// printResult prints the debug pod with -o, else under --dry-run a short summary.
func (o *DebugOptions) printResult(out outcome) error {
	if o.outputRequested() {
		printer, err := o.PrintFlags.ToPrinter()
		if err != nil {
			return err
		}
		pod, err := withKind(out.pod)
		if err != nil {
			return err
		}
		return printer.PrintObj(pod, o.Out)
	}
	if o.dryRun != dryRunNone {
		return o.printSummary(o.Out, out)
	}
	return nil
}

// printObjects prints the debug pods of the targets that succeeded: one List for json
// and yaml, one object at a time for the other formats.
func (o *DebugOptions) printObjects(outcomes []outcome) error {
	printer, err := o.PrintFlags.ToPrinter()
	if err != nil {
		return err
	}
	var pods []*corev1.Pod
	for _, out := range outcomes {
		if out.err != nil || out.pod == nil {
			continue
		}
		pod, err := withKind(out.pod)
		if err != nil {
			return err
		}
		pods = append(pods, pod)
	}
	switch *o.PrintFlags.OutputFormat {
	case "json", "yaml":
		list := &corev1.List{}
		list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("List"))
		for _, pod := range pods {
			raw, err := json.Marshal(pod)
			if err != nil {
				return err
			}
			list.Items = append(list.Items, runtime.RawExtension{Raw: raw})
		}
		return printer.PrintObj(list, o.Out)
	}
	for _, pod := range pods {
		if err := printer.PrintObj(pod, o.Out); err != nil {
			return err
		}
	}
	return nil
}

// withKind returns a copy of pod with apiVersion and kind, which typed clients leave
// empty.
func withKind(pod *corev1.Pod) (*corev1.Pod, error) {
	gvks, _, err := scheme.Scheme.ObjectKinds(pod)
	if err != nil {
		return nil, err
	}
	pod = pod.DeepCopy()
	pod.GetObjectKind().SetGroupVersionKind(gvks[0])
	return pod, nil
}

// printSummary describes a dry run in a few lines a person reads at a glance.
func (o *DebugOptions) printSummary(w io.Writer, out outcome) error {
	p := out.plan
	var what string
	switch p.mode {
	case ModeEphemeral:
		what = fmt.Sprintf("would add ephemeral container %q to pod %s/%s", p.container, p.source.Namespace, p.source.Name)
	case ModeCopy:
		what = fmt.Sprintf("would create pod %s/%s, a copy of pod %s/%s", out.pod.Namespace, out.pod.Name, p.source.Namespace, p.source.Name)
	case ModeNode:
		what = fmt.Sprintf("would create pod %s/%s on node %s", out.pod.Namespace, out.pod.Name, p.node.Name)
	}
	lines := []string{fmt.Sprintf("Dry run (%s): %s", o.dryRun, what)}
	if p.container != "" {
		image := ""
		if c, _ := podutil.Find(out.pod, p.container); c != nil {
			image = c.Image
		}
		lines = append(lines,
			fmt.Sprintf("  mode:      %s", p.mode),
			fmt.Sprintf("  container: %s", p.container),
			fmt.Sprintf("  image:     %s", image),
			fmt.Sprintf("  profile:   %s", p.profile))
		if len(o.customs) > 0 {
			sources := make([]string, len(o.customs))
			for i, c := range o.customs {
				sources[i] = c.Source()
			}
			lines = append(lines, fmt.Sprintf("  custom:    %s", strings.Join(sources, ", ")))
		}
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}

// notice prints an informational line unless --quiet: on standard output, or on standard
// error when -o keeps standard output for the object.
func (o *DebugOptions) notice(line string) {
	if o.Quiet {
		return
	}
	w := o.Out
	if o.outputRequested() {
		w = o.ErrOut
	}
	fmt.Fprintln(w, line)
}

// logFailures is the error for the streamed containers that failed or exited non-zero.
func logFailures(results []logResult) error {
	var failed []string
	for _, r := range results {
		switch {
		case r.err != nil:
			failed = append(failed, fmt.Sprintf("%s: %v", r.target.label(), r.err))
		case r.exitCode != 0:
			failed = append(failed, fmt.Sprintf("%s exited with code %d", r.target.label(), r.exitCode))
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(results) == 1:
		return errors.New(failed[0])
	}
	return fmt.Errorf("%d of %d debug containers failed: %s", len(failed), len(results), listSome(failed, 5))
}

// progress shows "12/200 debugging..." on a terminal while writes run.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	total   int
	handled int
}

// newProgress returns a progress line on standard error when it is a terminal, there
// are several targets and -q is not given; otherwise one that prints nothing.
func (o *DebugOptions) newProgress(total int) *progress {
	if total < 2 || o.Quiet || !o.isTerminal(o.ErrOut) {
		return &progress{}
	}
	return &progress{w: o.ErrOut, total: total}
}

func (p *progress) done(outcome) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.handled++
	fmt.Fprintf(p.w, "\r%d/%d debugging...", p.handled, p.total)
}

// finish clears the progress line.
func (p *progress) finish() {
	if p.w != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminal tells whether w is a terminal.
func isTerminal(w io.Writer) bool { return printers.IsTerminal(w) }
