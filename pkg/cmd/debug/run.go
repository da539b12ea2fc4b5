package debug

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Run debugs the targets: it resolves every one, plans every one, and only when all
// plans hold (or with --keep-going) sends them, concurrently with several targets, a
// single one announced first; then it presents the outcome. It works after Complete
// and Validate, in that order, with nothing else set up.
//
// A run catches Ctrl-C, SIGTERM and SIGHUP itself, since once it has written it may own
// pods to delete and writes to report: the signal stops what is under way, and the run
// ends with the signal's exit code once it has cleaned up.
func (o *DebugOptions) Run(ctx context.Context) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stopCatching := o.catchSignals(ctx)
	defer func() {
		stopCatching()
		err = withSignal(err, o.stop.signal())
	}()
	// Present is built once the signals are caught: its session's cleanup outlives the
	// stop they record.
	pr := o.presenter()
	found, err := o.resolver().resolve(ctx)
	if err != nil {
		return err
	}
	found = distinct(found)
	planAll := o.planAll
	if o.Profile == ProfileAuto {
		planAll = o.planAuto
	}
	plans, outcomes, err := planAll(ctx, found)
	if err != nil {
		return err
	}
	if o.Check {
		results, err := o.runCheck(ctx, plans, outcomes)
		if err != nil {
			return err
		}
		return pr.presentCheck(results)
	}
	failed := len(found) - len(plans)
	if !o.severalTargets(len(found)) {
		var p *plan
		if len(plans) == 1 {
			p = plans[0]
		}
		pr.announce(p)
	}

	s := sender{dryRun: o.dryRun, brief: o.severalTargets(len(found)) && !o.outputRequested(), remote: o.remote}
	switch {
	case failed > 0 && !o.KeepGoing:
		// One bad target stops all: nothing is sent.
		for _, p := range plans {
			outcomes = append(outcomes, outcome{index: p.index, target: p.target, plan: p, err: errNotSent})
		}
	case len(plans) > 0:
		if s.needsClient() {
			if s.client, err = o.clientset(); err != nil {
				return err
			}
		}
		progress := pr.progress(len(plans))
		sent := s.sendAll(ctx, plans, o.concurrency(), progress.done)
		progress.finish()
		outcomes = append(outcomes, sent...)
	}
	return pr.present(ctx, presentation{
		outcomes:   byTarget(outcomes),
		planFailed: failed,
		several:    o.severalTargets(len(found)),
		sender:     s,
	})
}

// distinct drops the targets found twice (pod/web and a service that chose it, the same
// name given twice): each pod or node is debugged once. Only targets that were found are
// compared: a failed GET still returns an empty object, and every target that failed
// keeps its own row and count.
func distinct(found []resolved) []resolved {
	seen := make(map[string]bool, len(found))
	kept := found[:0:0]
	for _, r := range found {
		key := ""
		switch {
		case r.err != nil:
		case r.pod != nil:
			key = "pod/" + r.pod.Namespace + "/" + r.pod.Name
		case r.node != nil:
			key = "node/" + r.node.Name
		}
		if key != "" && seen[key] {
			continue
		}
		seen[key] = true
		kept = append(kept, r)
	}
	return kept
}

// planAll plans every resolved target; failures become outcomes. The targets share what
// the profiles make of the same input, which they run once. Ctrl-C between two targets
// ends it, before anything is sent.
func (o *DebugOptions) planAll(ctx context.Context, found []resolved) ([]*plan, []outcome, error) {
	plans := make([]*plan, 0, len(found))
	var failed []outcome
	profiled := newProfiledContainers()
	pl := o.planner()
	for i, r := range found {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("planning (%d of %d targets planned, nothing sent): %w", i, len(found), err)
		}
		if r.err != nil {
			failed = append(failed, outcome{index: i, target: r.name, namespace: r.namespace, err: r.err})
			continue
		}
		p, err := pl.planTarget(r, profiled)
		if err != nil {
			failed = append(failed, outcome{index: i, target: r.name, namespace: r.namespace, err: err})
			continue
		}
		p.index = i
		plans = append(plans, p)
	}
	return plans, failed, nil
}

// byTarget puts the outcomes in the order the targets were found.
func byTarget(outcomes []outcome) []outcome {
	slices.SortStableFunc(outcomes, func(a, b outcome) int { return a.index - b.index })
	return outcomes
}

// severalTargets tells whether the run reports per target in a table: more than one
// target named or found, or a selector, which may match any number.
func (o *DebugOptions) severalTargets(found int) bool {
	return found > 1 || len(o.targets) > 1 || o.Selector != ""
}

// interrupted tells whether err comes from the user stopping the run.
func interrupted(err error) bool {
	return errors.Is(err, context.Canceled)
}
