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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/scheme"
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

// console is where present and its session print.
type console struct {
	out, errOut io.Writer
	// quiet is --quiet, which silences notices.
	quiet bool
	// objects is set when -o keeps standard output for the objects.
	objects bool
}

// notice prints an informational line unless --quiet: on standard output, or on standard
// error when -o keeps standard output for the object.
func (c *console) notice(line string) {
	if c.quiet {
		return
	}
	w := c.out
	if c.objects {
		w = c.errOut
	}
	fmt.Fprintln(w, line)
}

// presenter is the present phase with all it depends on: where it prints, what the
// invocation warns about, how -o prints objects, how the writes' results are worded,
// and the session that follows them. It is the only phase that prints; a test builds
// it on its own.
type presenter struct {
	console
	// deprecations are printed as they are, --quiet or not; warnings are about the
	// invocation rather than a target.
	deprecations, warnings []string
	// output is -o's format, empty without -o; toPrinter builds its printer.
	output    string
	toPrinter func() (printers.ResourcePrinter, error)
	// keepGoing is --keep-going; allNamespaces is -A, whose table names namespaces.
	keepGoing, allNamespaces bool
	// isTerminal tells whether a stream is a terminal, for the progress line.
	isTerminal func(w io.Writer) bool
	report     report
	// session follows the writes: attach, --logs and --rm's cleanup; nil when nothing
	// does, under a dry run.
	session *session
}

// presenter returns the present phase of a run whose signals are caught (the session's
// cleanup outlives the stop they record). Here, and only here, --dry-run decides what
// present shows and whether a session follows: a dry run left nothing on the cluster to
// attach to, stream or delete, so it is only described.
func (o *DebugOptions) presenter() *presenter {
	pr := &presenter{
		console:       o.console(),
		deprecations:  o.deprecations,
		warnings:      o.warnings,
		toPrinter:     o.PrintFlags.ToPrinter,
		keepGoing:     o.KeepGoing,
		allNamespaces: o.AllNamespaces,
		isTerminal:    o.isTerminal,
	}
	if o.outputRequested() {
		pr.output = *o.PrintFlags.OutputFormat
	}
	if o.dryRun == dryRunNone {
		pr.report, pr.session = applied{}, o.session()
		return pr
	}
	customs := make([]string, len(o.customs))
	for i, c := range o.customs {
		customs[i] = c.Source()
	}
	pr.report = rehearsal{mode: o.dryRun, remove: o.Remove, customs: customs}
	return pr
}

// console returns where the run prints.
func (o *DebugOptions) console() console {
	return console{out: o.Out, errOut: o.ErrOut, quiet: o.Quiet, objects: o.outputRequested()}
}

// present prints warnings, notices, the resulting objects or a summary, then runs the
// session (attach, or --logs). It returns the run's error.
func (pr *presenter) present(ctx context.Context, res presentation) error {
	if !res.several && len(res.outcomes) == 1 {
		return pr.presentOne(ctx, res.sender, res.outcomes[0])
	}
	pr.printInvocationWarnings()
	return pr.presentMany(ctx, res)
}

// printInvocationWarnings prints what concerns the invocation rather than a target.
func (pr *presenter) printInvocationWarnings() {
	for _, line := range pr.deprecations {
		fmt.Fprintln(pr.errOut, line)
	}
	for _, w := range pr.warnings {
		fmt.Fprintf(pr.errOut, "Warning: %s\n", w)
	}
}

// announce prints, before a single target's write is sent, what kubectl debug prints
// before its own and in its order: the --target container (named while the flags are
// checked), the deprecations, the names chosen, the warnings about the debug container,
// and for a node the pod about to be created. p is nil when the target could not be
// planned.
func (pr *presenter) announce(p *plan) {
	if p == nil {
		pr.printInvocationWarnings()
		return
	}
	if p.targeting != "" {
		pr.notice(p.targeting)
	}
	pr.printInvocationWarnings()
	for _, n := range p.notices {
		pr.notice(n)
	}
	if line := pr.report.creating(p); line != "" {
		pr.notice(line)
	}
	for _, w := range p.warnings {
		fmt.Fprintf(pr.errOut, "Warning: %s\n", w)
	}
}

// presentOne reports a single target the way kubectl debug does, after announce: the
// error or the object, then the session, then with --rm the deletion of the debug pod.
func (pr *presenter) presentOne(ctx context.Context, snd sender, out outcome) (err error) {
	if out.plan == nil {
		return out.err
	}
	s := pr.session
	if s == nil {
		return pr.printOne(out)
	}
	// A session left with the detach keys keeps its pod, --rm or not.
	detached := false
	if pods := s.removable([]outcome{out}); len(pods) > 0 {
		defer func() {
			if !detached {
				err = withCleanup(err, s.cleanUp(ctx, snd, pods))
			}
		}()
	}
	if refs := s.stoppable([]outcome{out}); len(refs) > 0 {
		defer func() {
			if !detached {
				err = withCleanup(err, s.stopContainers(ctx, snd, refs))
			}
		}()
	}
	if err := pr.printOne(out); err != nil || out.plan.container == "" {
		return err
	}
	err = s.follow(ctx, out.pod, out.plan.container)
	if errors.Is(err, errDetached) {
		detached = true
		return nil
	}
	return err
}

// printOne prints a single target's error, or its result framed by what the report
// says around it.
func (pr *presenter) printOne(out outcome) error {
	if out.err != nil {
		return out.err
	}
	for _, line := range pr.report.before(out) {
		fmt.Fprintln(pr.errOut, line)
	}
	if err := pr.printResult(out); err != nil {
		return err
	}
	for _, line := range pr.report.after(out) {
		fmt.Fprintln(pr.errOut, line)
	}
	return nil
}

// presentMany reports several targets: each warning once, then a table (or with -o the
// objects), then --logs, then with --rm the deletion of the debug pods; the error counts
// the targets that failed.
func (pr *presenter) presentMany(ctx context.Context, res presentation) (err error) {
	pr.printWarnings(res.outcomes)
	nothingSent := res.planFailed > 0 && !pr.keepGoing
	s := pr.session
	if s != nil {
		if pods := s.removable(res.outcomes); len(pods) > 0 {
			defer func() { err = withCleanup(err, s.cleanUp(ctx, res.sender, pods)) }()
		}
		if refs := s.stoppable(res.outcomes); len(refs) > 0 {
			defer func() { err = withCleanup(err, s.stopContainers(ctx, res.sender, refs)) }()
		}
	}
	// With -o, standard output is for objects: when nothing was sent there are none,
	// and the error says why.
	switch {
	case pr.output == "":
		err = pr.printTable(res.outcomes)
	case !nothingSent:
		err = pr.printObjects(res.outcomes)
	}
	if err != nil {
		return err
	}

	total := len(res.outcomes)
	var failed, stopped int
	for _, out := range res.outcomes {
		switch {
		case out.err == nil:
		case errors.Is(out.err, errNotSent), interrupted(out.err):
			stopped++
		default:
			failed++
		}
	}
	switch {
	case nothingSent:
		return fmt.Errorf("%d of %d targets cannot be debugged, so nothing was sent (--keep-going sends the others)", res.planFailed, total)
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted: %d of %d targets were debugged: %w", total-failed-stopped, total, ctx.Err())
	}
	var errs []error
	if s != nil {
		logsFailed, err := s.followLogs(ctx, res.outcomes, pr.spansNamespaces(res.outcomes))
		if err != nil {
			return fmt.Errorf("streaming the debug containers' output: %w", err)
		}
		if logsFailed != nil {
			errs = append(errs, logsFailed)
		}
	}
	if failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d targets failed", failed, total))
	}
	return errors.Join(errs...)
}

// printWarnings prints each distinct warning of the plans once, naming the targets it
// concerns when it does not concern all of them.
func (pr *presenter) printWarnings(outcomes []outcome) {
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
		fmt.Fprintf(pr.errOut, "Warning: %s\n", w)
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
func (pr *presenter) spansNamespaces(outcomes []outcome) bool {
	if pr.allNamespaces {
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
func (pr *presenter) printTable(outcomes []outcome) error {
	// The tab writer writes cell by cell: buffered, thousands of rows take a few
	// writes, not a system call per cell.
	buffered := bufio.NewWriter(pr.out)
	w := printers.GetNewTabWriter(buffered)
	withNamespace := pr.spansNamespaces(outcomes)
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
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", out.target, pod, container, pr.resultText(out))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return buffered.Flush()
}

// resultText says in a few words what became of one target.
func (pr *presenter) resultText(out outcome) string {
	switch {
	case out.err == nil:
		return pr.report.result(out)
	case errors.Is(out.err, errNotSent):
		return "not sent"
	case interrupted(out.err) && out.sent:
		return "interrupted: the write may have been applied"
	}
	return "failed: " + strings.ReplaceAll(out.err.Error(), "\n", " ")
}

// printResult prints the debug pod with -o, else the report's summary, if any.
func (pr *presenter) printResult(out outcome) error {
	if pr.output != "" {
		printer, err := pr.toPrinter()
		if err != nil {
			return err
		}
		pod, err := withKind(out.pod)
		if err != nil {
			return err
		}
		return printer.PrintObj(pod, pr.out)
	}
	if lines := pr.report.summary(out); len(lines) > 0 {
		_, err := fmt.Fprintln(pr.out, strings.Join(lines, "\n"))
		return err
	}
	return nil
}

// printObjects prints the debug pods of the targets that succeeded: one List for json
// and yaml, one object at a time for the other formats.
func (pr *presenter) printObjects(outcomes []outcome) error {
	printer, err := pr.toPrinter()
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
	switch pr.output {
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
		return printer.PrintObj(list, pr.out)
	}
	for _, pod := range pods {
		if err := printer.PrintObj(pod, pr.out); err != nil {
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

// progress shows "12/200 debugging..." on a terminal while writes run.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	total   int
	handled int
}

// progress returns a progress line on standard error when it is a terminal, there are
// several targets and -q is not given; otherwise one that prints nothing.
func (pr *presenter) progress(total int) *progress {
	if total < 2 || pr.quiet || !pr.isTerminal(pr.errOut) {
		return &progress{}
	}
	return &progress{w: pr.errOut, total: total}
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
