package debug

import (
	"fmt"
)

// presentCheck prints what --check found, one block per target, and returns the error
// that makes the command fail when any target would.
func (pr *presenter) presentCheck(results []checkResult) error {
	pr.printInvocationWarnings()
	out := pr.out
	failed := 0
	for _, r := range results {
		verdict := "would succeed"
		if r.fails() {
			verdict = "would fail"
			failed++
		}
		if r.err != nil {
			fmt.Fprintf(out, "%s: %s: %v\n", r.target, verdict, r.err)
			continue
		}
		fmt.Fprintf(out, "%s: %s\n", r.target, verdict)
		for _, w := range r.warnings {
			fmt.Fprintf(out, "  warning: %s\n", w)
		}
		for _, v := range r.access {
			switch {
			case v.err != nil:
				fmt.Fprintf(out, "  unknown: %s in namespace %s: %v\n", v.access, v.namespace, v.err)
			case v.allowed:
				fmt.Fprintf(out, "  allowed: %s in namespace %s\n", v.access, v.namespace)
			case v.reason != "":
				fmt.Fprintf(out, "  forbidden: %s in namespace %s: %s\n", v.access, v.namespace, v.reason)
			default:
				fmt.Fprintf(out, "  forbidden: %s in namespace %s\n", v.access, v.namespace)
			}
		}
		if r.admission != nil {
			fmt.Fprintf(out, "  refused by the server: %v\n", r.admission)
		} else {
			fmt.Fprintf(out, "  admitted by the server (dry run)\n")
		}
		if line := r.image.line(); line != "" {
			fmt.Fprintf(out, "  %s\n", line)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d targets would fail", failed, len(results))
	}
	return nil
}

// line says what the image check found, in one line; empty without a debug container.
func (ic imageCheck) line() string {
	switch ic.verdict {
	case imagePresent:
		return fmt.Sprintf("image %s: present on node %s", ic.image, ic.node)
	case imagePulled:
		return fmt.Sprintf("image %s: not on node %s yet, will be pulled (imagePullPolicy %s)", ic.image, ic.node, ic.policy)
	case imageNeverPulled:
		return fmt.Sprintf("image %s: not on node %s, and imagePullPolicy is Never: the container could never start; pull it on the node or use another --image-pull-policy", ic.image, ic.node)
	case imageUnreported:
		return fmt.Sprintf("image %s: not checked: %s", ic.image, ic.why)
	}
	if ic.image == "" {
		return ""
	}
	return fmt.Sprintf("image %s: not checked: %s", ic.image, ic.why)
}
