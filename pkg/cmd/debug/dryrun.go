package debug

import (
	"fmt"
	"strings"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// dryRun is --dry-run: what a debug call may change.
type dryRun int

const (
	// dryRunNone sends every request.
	dryRunNone dryRun = iota
	// dryRunClient sends no write at all and prints what would be sent.
	dryRunClient
	// dryRunServer sends the writes with dryRun=All: the server validates, admits and
	// defaults them, and persists nothing.
	dryRunServer
)

// parseDryRun reads the --dry-run value.
func parseDryRun(value string) (dryRun, error) {
	switch value {
	case "none", "":
		return dryRunNone, nil
	case "client", "true":
		return dryRunClient, nil
	case "false":
		return dryRunNone, nil
	case "server":
		return dryRunServer, nil
	}
	return dryRunNone, fmt.Errorf(`invalid --dry-run %q: must be "none", "server" or "client"`, value)
}

// String names the dry run as summaries show it.
func (d dryRun) String() string {
	switch d {
	case dryRunClient:
		return "client"
	case dryRunServer:
		return "server"
	}
	return "none"
}

// report words what became of the writes. Which one a run uses is decided once, with
// the session, when its presenter is built: present itself never asks whether the run
// is a dry one.
type report interface {
	// creating is the notice naming a debugging pod about to be created, as kubectl
	// debug says it; empty when no pod will be.
	creating(p *plan) string
	// before and after are the lines framing a single target's result on standard
	// error: what --rm and --replace would have done.
	before(out outcome) []string
	after(out outcome) []string
	// result is a target's RESULT cell in the table.
	result(out outcome) string
	// summary describes a single target's result on standard output when -o does not
	// ask for the object; none when the result speaks for itself.
	summary(out outcome) []string
}

// applied reports writes that were sent and kept: the pod is announced before its
// create, and the result is simply done.
type applied struct{}

func (applied) creating(p *plan) string {
	if p.mode != ModeNode {
		return ""
	}
	return fmt.Sprintf("Creating debugging pod %s with container %s on node %s.", p.pod.Name, p.container, p.node.Name)
}

func (applied) before(outcome) []string  { return nil }
func (applied) after(outcome) []string   { return nil }
func (applied) summary(outcome) []string { return nil }

func (applied) result(out outcome) string {
	if out.deleted {
		return made(out.plan) + ", original deleted"
	}
	return made(out.plan)
}

// rehearsal reports a dry run: what would have been done, as a summary a person reads
// at a glance, since nothing is left on the cluster to look at.
type rehearsal struct {
	mode dryRun
	// remove is --rm, which a dry run only mentions.
	remove bool
	// customs name the --custom sources in the summary.
	customs []string
}

func (rehearsal) creating(*plan) string { return "" }

func (r rehearsal) before(out outcome) []string {
	if !r.remove || !createsPod(out.plan) {
		return nil
	}
	return []string{fmt.Sprintf("Dry run: --rm would delete pod %s/%s when the session ends.", out.pod.Namespace, out.pod.Name)}
}

// after names the pod --replace would delete. A server dry run sent that delete too,
// with dryRun=All, and the table says so; a client one sent nothing.
func (r rehearsal) after(out outcome) []string {
	p := out.plan
	if !p.deleteSource || r.mode != dryRunClient {
		return nil
	}
	return []string{fmt.Sprintf("Dry run: pod %s/%s would be deleted once its copy %s exists.", p.source.Namespace, p.source.Name, p.pod.Name)}
}

func (r rehearsal) result(out outcome) string {
	if r.mode == dryRunServer {
		return made(out.plan) + " (server dry run)"
	}
	return "would be " + made(out.plan) + " (dry run)"
}

func (r rehearsal) summary(out outcome) []string {
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
	lines := []string{fmt.Sprintf("Dry run (%s): %s", r.mode, what)}
	if p.container == "" {
		return lines
	}
	image := ""
	if c, _ := podutil.Find(out.pod, p.container); c != nil {
		image = c.Image
	}
	lines = append(lines,
		fmt.Sprintf("  mode:      %s", p.mode),
		fmt.Sprintf("  container: %s", p.container),
		fmt.Sprintf("  image:     %s", image),
		fmt.Sprintf("  profile:   %s", p.profile))
	if len(r.customs) > 0 {
		lines = append(lines, fmt.Sprintf("  custom:    %s", strings.Join(r.customs, ", ")))
	}
	return lines
}

// made says what the write of p does: a container is added, a pod created.
func made(p *plan) string {
	if p.mode == ModeEphemeral {
		return "added"
	}
	return "created"
}

// createsPod tells whether p creates a pod of its own, a copy or a node debugging pod,
// which --rm deletes; an ephemeral container lives in the target's.
func createsPod(p *plan) bool { return p.mode != ModeEphemeral }
