package debug

import (
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// poisonedBy lists the ephemeral containers already in p's pod that a Pod Security
// refusal of p's patch names. Pod Security judges the whole pod, and ephemeral
// containers cannot be removed: once one breaks the namespace's policy, every later
// patch of the pod is refused, whatever the new container is (kubernetes#118961).
func poisonedBy(p *plan, err error) []string {
	if !apierrors.IsForbidden(err) || p.source == nil {
		return nil
	}
	msg := err.Error()
	if !strings.Contains(msg, "violates PodSecurity") {
		return nil
	}
	named := quotedContainerNames(msg)
	var offenders []string
	for _, ec := range p.source.Spec.EphemeralContainers {
		if ec.Name != p.container && named[ec.Name] {
			offenders = append(offenders, fmt.Sprintf("%q", ec.Name))
		}
	}
	return offenders
}

// quotedContainerNames collects the names Pod Security quotes after `container ` or
// `containers `, as in `(containers "a", "b" and "c" must not ...)`.
func quotedContainerNames(msg string) map[string]bool {
	names := map[string]bool{}
	for _, lead := range []string{`container "`, `containers "`} {
		rest := msg
		for {
			i := strings.Index(rest, lead)
			if i < 0 {
				break
			}
			rest = rest[i+len(lead)-1:]
			// A list of quoted names joined by ", " and " and ".
			for strings.HasPrefix(rest, `"`) {
				end := strings.IndexByte(rest[1:], '"')
				if end < 0 {
					return names
				}
				names[rest[1:end+1]] = true
				rest = rest[end+2:]
				switch {
				case strings.HasPrefix(rest, ", "):
					rest = rest[2:]
				case strings.HasPrefix(rest, " and "):
					rest = rest[5:]
				}
			}
		}
	}
	return names
}

// poisonedHint is what to tell the user when poisonedBy found offenders.
func poisonedHint(pod string, offenders []string) string {
	list := strings.Join(offenders, ", ")
	return fmt.Sprintf("pod %q already holds ephemeral containers that break this policy (%s), which cannot be removed, so every new one is refused: debug a copy of the pod instead, with --copy-to", pod, list)
}
