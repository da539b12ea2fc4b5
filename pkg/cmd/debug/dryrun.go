package debug

import (
	"fmt"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
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

// serverDryRun is the dryRun field of write requests.
func (d dryRun) serverDryRun() []string {
	if d == dryRunServer {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// outcome is what one target's debug session produced, for printing.
type outcome struct {
	mode      Mode
	target    target
	pod       *corev1.Pod
	container string
}

// printOutcome prints the object with -o, else under --dry-run a short summary.
func (o *DebugOptions) printOutcome(out outcome) error {
	if o.outputRequested() {
		printer, err := o.PrintFlags.ToPrinter()
		if err != nil {
			return err
		}
		pod := out.pod.DeepCopy()
		if err := setKind(pod); err != nil {
			return err
		}
		return printer.PrintObj(pod, o.Out)
	}
	if o.dryRun != dryRunNone {
		return o.printSummary(o.Out, out)
	}
	return nil
}

// setKind fills in apiVersion and kind, which typed clients leave empty.
func setKind(pod *corev1.Pod) error {
	gvks, _, err := scheme.Scheme.ObjectKinds(pod)
	if err != nil {
		return err
	}
	pod.GetObjectKind().SetGroupVersionKind(gvks[0])
	return nil
}

// printSummary describes a dry run in a few lines a person reads at a glance.
func (o *DebugOptions) printSummary(w io.Writer, out outcome) error {
	kind := "client"
	if o.dryRun == dryRunServer {
		kind = "server"
	}
	var what string
	switch out.mode {
	case ModeEphemeral:
		what = fmt.Sprintf("would add ephemeral container %q to pod %s/%s", out.container, out.pod.Namespace, out.pod.Name)
	case ModeCopy:
		what = fmt.Sprintf("would create pod %s/%s, a copy of pod %s/%s", out.pod.Namespace, out.pod.Name, out.target.namespace, out.target.name)
	case ModeNode:
		what = fmt.Sprintf("would create pod %s/%s on node %s", out.pod.Namespace, out.pod.Name, out.target.name)
	}
	lines := []string{fmt.Sprintf("Dry run (%s): %s", kind, what)}
	if out.container != "" {
		image := ""
		if c := findContainer(out.pod, out.container); c != nil {
			image = c.Image
		}
		lines = append(lines,
			fmt.Sprintf("  mode:      %s", out.mode),
			fmt.Sprintf("  container: %s", out.container),
			fmt.Sprintf("  image:     %s", image),
			fmt.Sprintf("  profile:   %s", o.Profile))
		if len(o.CustomFiles) > 0 {
			lines = append(lines, fmt.Sprintf("  custom:    %s", strings.Join(o.CustomFiles, ", ")))
		}
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}
