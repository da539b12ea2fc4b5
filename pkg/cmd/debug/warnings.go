package debug

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// nonRootWarning tells the user that capabilities may not take effect: the kernel grants
// added capabilities to root processes only, unless the binary carries file capabilities.
const nonRootWarning = `Warning: Non-root user is configured for the entire target Pod, and some capabilities granted by debug profile may not work. Please consider using "--custom" with a custom profile that specifies "securityContext.runAsUser: 0".`

// warnNonRoot prints nonRootWarning when pod runs as a non-root user, the debug container
// does not override that with runAsUser 0, and it is privileged or adds capabilities.
func (o *DebugOptions) warnNonRoot(pod *corev1.Pod, debug *corev1.Container) {
	if needsNonRootWarning(pod, debug) {
		fmt.Fprintln(o.ErrOut, nonRootWarning)
	}
}

// needsNonRootWarning decides the non-root warning; it is checked after the custom
// profiles, which may set runAsUser 0 or drop the capabilities.
func needsNonRootWarning(pod *corev1.Pod, debug *corev1.Container) bool {
	if debug == nil || debug.SecurityContext == nil {
		return false
	}
	podSC := pod.Spec.SecurityContext
	if podSC == nil || podSC.RunAsUser == nil || *podSC.RunAsUser == 0 {
		return false
	}
	sc := debug.SecurityContext
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		return false
	}
	privileged := sc.Privileged != nil && *sc.Privileged
	addsCapabilities := sc.Capabilities != nil && len(sc.Capabilities.Add) > 0
	return privileged || addsCapabilities
}

// privilegeRaises lists, field by field, what the custom profiles made more powerful in
// after than the predefined profile alone made it in before.
func privilegeRaises(before, after *corev1.Pod, container string) []string {
	var raised []string
	add := func(format string, args ...any) { raised = append(raised, fmt.Sprintf(format, args...)) }

	b, a := securityOf(findContainer(before, container)), securityOf(findContainer(after, container))
	if isTrue(a.Privileged) && !isTrue(b.Privileged) {
		add("securityContext.privileged: true")
	}
	if caps := newCapabilities(b, a); len(caps) > 0 {
		add("securityContext.capabilities.add: %s", strings.Join(caps, ", "))
	}
	if isFalse(b.AllowPrivilegeEscalation) && !isFalse(a.AllowPrivilegeEscalation) || isTrue(a.AllowPrivilegeEscalation) && !isTrue(b.AllowPrivilegeEscalation) {
		add("securityContext.allowPrivilegeEscalation: %s", boolText(a.AllowPrivilegeEscalation))
	}
	if isTrue(b.RunAsNonRoot) && !isTrue(a.RunAsNonRoot) {
		add("securityContext.runAsNonRoot: %s", boolText(a.RunAsNonRoot))
	}
	if a.RunAsUser != nil && *a.RunAsUser == 0 && (b.RunAsUser == nil || *b.RunAsUser != 0) {
		add("securityContext.runAsUser: 0")
	}

	hostPaths := map[string]bool{}
	for _, v := range before.Spec.Volumes {
		if v.HostPath != nil {
			hostPaths[v.Name+"\x00"+v.HostPath.Path] = true
		}
	}
	for _, v := range after.Spec.Volumes {
		if v.HostPath != nil && !hostPaths[v.Name+"\x00"+v.HostPath.Path] {
			add("volume %q: hostPath %s", v.Name, v.HostPath.Path)
		}
	}
	for _, ns := range []struct {
		field         string
		before, after bool
	}{
		{"hostPID", before.Spec.HostPID, after.Spec.HostPID},
		{"hostNetwork", before.Spec.HostNetwork, after.Spec.HostNetwork},
		{"hostIPC", before.Spec.HostIPC, after.Spec.HostIPC},
	} {
		if ns.after && !ns.before {
			add("%s: true", ns.field)
		}
	}
	return raised
}

// securityOf returns c's security context, or an empty one.
func securityOf(c *corev1.Container) *corev1.SecurityContext {
	if c == nil || c.SecurityContext == nil {
		return &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

// newCapabilities lists the capabilities a adds that b does not.
func newCapabilities(b, a *corev1.SecurityContext) []string {
	had := map[corev1.Capability]bool{}
	if b.Capabilities != nil {
		for _, c := range b.Capabilities.Add {
			had[c] = true
		}
	}
	var added []string
	if a.Capabilities != nil {
		for _, c := range a.Capabilities.Add {
			if !had[c] {
				added = append(added, string(c))
				had[c] = true
			}
		}
	}
	return added
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

func boolText(b *bool) string {
	if b == nil {
		return "unset"
	}
	return fmt.Sprint(*b)
}

// warnRaisedPrivileges prints one warning naming every field in which after, built with
// the custom profiles, is more powerful than before, built without them. It is not
// silenced by --quiet: it is about safety, not progress.
func (o *DebugOptions) warnRaisedPrivileges(before, after *corev1.Pod, container string) {
	if raised := privilegeRaises(before, after, container); len(raised) > 0 {
		fmt.Fprintf(o.ErrOut, "Warning: --custom makes the debug pod more privileged than --profile=%s: %s\n", o.Profile, strings.Join(raised, "; "))
	}
}
