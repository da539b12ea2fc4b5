package debug

import (
	"fmt"

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
