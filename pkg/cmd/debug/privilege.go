package debug

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// nonRootWarning tells the user that capabilities may not take effect: the kernel grants
// added capabilities to root processes only, unless the binary carries file capabilities.
const nonRootWarning = `Non-root user is configured for the entire target Pod, and some capabilities granted by debug profile may not work. Please consider using "--custom" with a custom profile that specifies "securityContext.runAsUser: 0".`

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

// privileges is what a debug pod grants and restricts, copied out of it so that it can
// be compared after later changes to the pod.
type privileges struct {
	container                     corev1.SecurityContext
	pod                           corev1.PodSecurityContext
	hostPID, hostNetwork, hostIPC bool
	// hostUsers is the pod's hostUsers: nil or true runs in the host's user namespace.
	hostUsers *bool
	// hostPaths maps each hostPath volume's name to its path.
	hostPaths map[string]string
	// hostPorts are the debug container's ports bound on the node.
	hostPorts []hostPort
	// automountToken is the pod's automountServiceAccountToken; serviceAccount the
	// service account whose token the pod may get.
	automountToken *bool
	serviceAccount string
	// tokenVolumes are the names of the volumes that project a service account token.
	tokenVolumes map[string]bool
}

// hostPort is one port of the debug container bound on the node: its place in the
// container's list, and what identifies the binding.
type hostPort struct {
	index int
	port  corev1.ContainerPort
}

// binding is what makes two host ports the same: the node address, port and protocol.
func (h hostPort) binding() string {
	return fmt.Sprintf("%s:%d/%s", h.port.HostIP, h.port.HostPort, h.port.Protocol)
}

// privilegesOf copies the privileges of pod and its debug container called container.
func privilegesOf(pod *corev1.Pod, container string) privileges {
	p := privileges{hostPID: pod.Spec.HostPID, hostNetwork: pod.Spec.HostNetwork, hostIPC: pod.Spec.HostIPC, hostUsers: pod.Spec.HostUsers,
		automountToken: pod.Spec.AutomountServiceAccountToken, serviceAccount: serviceAccountOf(pod)}
	if c, _ := podutil.Find(pod, container); c != nil {
		if c.SecurityContext != nil {
			p.container = *c.SecurityContext.DeepCopy()
		}
		for i, port := range c.Ports {
			if port.HostPort != 0 {
				p.hostPorts = append(p.hostPorts, hostPort{index: i, port: port})
			}
		}
	}
	if pod.Spec.SecurityContext != nil {
		p.pod = *pod.Spec.SecurityContext.DeepCopy()
	}
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil {
			if p.hostPaths == nil {
				p.hostPaths = map[string]string{}
			}
			p.hostPaths[v.Name] = v.HostPath.Path
		}
		if projectsToken(v) {
			if p.tokenVolumes == nil {
				p.tokenVolumes = map[string]bool{}
			}
			p.tokenVolumes[v.Name] = true
		}
	}
	return p
}

// serviceAccountOf is the service account pod runs as: serviceAccountName, else the
// deprecated serviceAccount, else the namespace's "default", which the API server
// assigns to a pod that names none.
func serviceAccountOf(pod *corev1.Pod) string {
	switch {
	case pod.Spec.ServiceAccountName != "":
		return pod.Spec.ServiceAccountName
	case pod.Spec.DeprecatedServiceAccount != "":
		return pod.Spec.DeprecatedServiceAccount
	}
	return "default"
}

// projectsToken tells whether v puts a service account token in the pod.
func projectsToken(v corev1.Volume) bool {
	if v.Projected == nil {
		return false
	}
	for _, source := range v.Projected.Sources {
		if source.ServiceAccountToken != nil {
			return true
		}
	}
	return false
}

// privilegeChecks is the one table of what counts as raising privileges: each row
// compares before with after and names the raise, if any, as field: new value.
var privilegeChecks = []func(b, a *privileges) []string{
	func(b, a *privileges) []string {
		return raisedTrue("securityContext.privileged", b.container.Privileged, a.container.Privileged)
	},
	func(b, a *privileges) []string {
		added := newEntries(capabilityNames(b.container.Capabilities, true), capabilityNames(a.container.Capabilities, true))
		if len(added) == 0 {
			return nil
		}
		return []string{"securityContext.capabilities.add: " + strings.Join(added, ", ")}
	},
	func(b, a *privileges) []string {
		removed := newEntries(capabilityNames(a.container.Capabilities, false), capabilityNames(b.container.Capabilities, false))
		if len(removed) == 0 {
			return nil
		}
		return []string{"securityContext.capabilities.drop: " + strings.Join(removed, ", ") + " no longer dropped"}
	},
	func(b, a *privileges) []string {
		if isFalse(b.container.AllowPrivilegeEscalation) && !isFalse(a.container.AllowPrivilegeEscalation) ||
			isTrue(a.container.AllowPrivilegeEscalation) && !isTrue(b.container.AllowPrivilegeEscalation) {
			return []string{"securityContext.allowPrivilegeEscalation: " + boolText(a.container.AllowPrivilegeEscalation)}
		}
		return nil
	},
	func(b, a *privileges) []string {
		return raisedNonRoot("securityContext.runAsNonRoot", b.container.RunAsNonRoot, a.container.RunAsNonRoot)
	},
	func(b, a *privileges) []string {
		return raisedRoot("securityContext.runAsUser", b.container.RunAsUser, a.container.RunAsUser)
	},
	func(b, a *privileges) []string {
		return raisedRoot("securityContext.runAsGroup", b.container.RunAsGroup, a.container.RunAsGroup)
	},
	func(b, a *privileges) []string {
		return raisedUnconfined("securityContext.seccompProfile.type", seccompType(b.container.SeccompProfile), seccompType(a.container.SeccompProfile), string(corev1.SeccompProfileTypeUnconfined))
	},
	func(b, a *privileges) []string {
		return raisedUnconfined("securityContext.appArmorProfile.type", appArmorType(b.container.AppArmorProfile), appArmorType(a.container.AppArmorProfile), string(corev1.AppArmorProfileTypeUnconfined))
	},
	func(b, a *privileges) []string {
		return raisedUnconfined("securityContext.procMount", procMount(b.container.ProcMount), procMount(a.container.ProcMount), string(corev1.UnmaskedProcMount))
	},
	func(b, a *privileges) []string {
		return raisedTrue("securityContext.windowsOptions.hostProcess", hostProcess(b.container.WindowsOptions), hostProcess(a.container.WindowsOptions))
	},
	func(b, a *privileges) []string {
		// The container's Windows account, else the pod's: an administrator's is Windows'
		// root.
		if after := windowsAccount(a); windowsAdministrator(after) && !windowsAdministrator(windowsAccount(b)) {
			return []string{"securityContext.windowsOptions.runAsUserName: " + after}
		}
		return nil
	},
	func(b, a *privileges) []string {
		return raisedUnconfined("securityContext.seLinuxOptions.type", seLinuxType(b.container.SELinuxOptions), seLinuxType(a.container.SELinuxOptions), spcType)
	},
	func(b, a *privileges) []string {
		bound := make(map[string]bool, len(b.hostPorts))
		for _, h := range b.hostPorts {
			bound[h.binding()] = true
		}
		var raised []string
		for _, h := range a.hostPorts {
			if !bound[h.binding()] {
				raised = append(raised, fmt.Sprintf("ports[%d].hostPort: %d", h.index, h.port.HostPort))
			}
		}
		return raised
	},
	func(b, a *privileges) []string {
		return raisedNonRoot("spec.securityContext.runAsNonRoot", b.pod.RunAsNonRoot, a.pod.RunAsNonRoot)
	},
	func(b, a *privileges) []string {
		return raisedTrue("spec.securityContext.windowsOptions.hostProcess", hostProcess(b.pod.WindowsOptions), hostProcess(a.pod.WindowsOptions))
	},
	func(b, a *privileges) []string {
		return raisedUnconfined("spec.securityContext.seLinuxOptions.type", seLinuxType(b.pod.SELinuxOptions), seLinuxType(a.pod.SELinuxOptions), spcType)
	},
	func(b, a *privileges) []string {
		// Leaving the pod's own user namespace: hostUsers false was the confinement.
		if isFalse(b.hostUsers) && !isFalse(a.hostUsers) {
			return []string{"hostUsers: " + boolText(a.hostUsers)}
		}
		return nil
	},
	func(b, a *privileges) []string {
		return raisedRoot("spec.securityContext.runAsUser", b.pod.RunAsUser, a.pod.RunAsUser)
	},
	func(b, a *privileges) []string {
		return raisedRoot("spec.securityContext.runAsGroup", b.pod.RunAsGroup, a.pod.RunAsGroup)
	},
	func(b, a *privileges) []string {
		return raisedRoot("spec.securityContext.fsGroup", b.pod.FSGroup, a.pod.FSGroup)
	},
	func(b, a *privileges) []string {
		if slices.Contains(a.pod.SupplementalGroups, 0) && !slices.Contains(b.pod.SupplementalGroups, 0) {
			return []string{"spec.securityContext.supplementalGroups: 0"}
		}
		return nil
	},
	func(b, a *privileges) []string {
		// Each sysctl is one kernel setting of the pod's namespaces; a new or changed
		// value is the profile's doing.
		had := make(map[string]string, len(b.pod.Sysctls))
		for _, s := range b.pod.Sysctls {
			had[s.Name] = s.Value
		}
		var set []string
		for _, s := range a.pod.Sysctls {
			if value, ok := had[s.Name]; !ok || value != s.Value {
				set = append(set, s.Name+"="+s.Value)
			}
		}
		if len(set) == 0 {
			return nil
		}
		return []string{"spec.securityContext.sysctls: " + strings.Join(set, ", ")}
	},
	func(b, a *privileges) []string {
		return raisedUnconfined("spec.securityContext.seccompProfile.type", seccompType(b.pod.SeccompProfile), seccompType(a.pod.SeccompProfile), string(corev1.SeccompProfileTypeUnconfined))
	},
	func(b, a *privileges) []string {
		return raisedUnconfined("spec.securityContext.appArmorProfile.type", appArmorType(b.pod.AppArmorProfile), appArmorType(a.pod.AppArmorProfile), string(corev1.AppArmorProfileTypeUnconfined))
	},
	func(b, a *privileges) []string {
		var raised []string
		for _, v := range slices.Sorted(maps.Keys(a.hostPaths)) {
			if path, had := b.hostPaths[v]; !had || path != a.hostPaths[v] {
				raised = append(raised, fmt.Sprintf("volume %q: hostPath %s", v, a.hostPaths[v]))
			}
		}
		return raised
	},
	func(b, a *privileges) []string {
		// An explicit true mounts the token even when the service account says not to.
		return raisedTrue("automountServiceAccountToken", b.automountToken, a.automountToken)
	},
	func(b, a *privileges) []string {
		if a.serviceAccount != b.serviceAccount {
			return []string{"serviceAccountName: " + a.serviceAccount}
		}
		return nil
	},
	func(b, a *privileges) []string {
		var raised []string
		for _, v := range slices.Sorted(maps.Keys(a.tokenVolumes)) {
			if !b.tokenVolumes[v] {
				raised = append(raised, fmt.Sprintf("volume %q: projected service account token", v))
			}
		}
		return raised
	},
	func(b, a *privileges) []string {
		var raised []string
		for _, ns := range []struct {
			field         string
			before, after bool
		}{
			{"hostPID", b.hostPID, a.hostPID},
			{"hostNetwork", b.hostNetwork, a.hostNetwork},
			{"hostIPC", b.hostIPC, a.hostIPC},
		} {
			if ns.after && !ns.before {
				raised = append(raised, ns.field+": true")
			}
		}
		return raised
	},
}

// privilegeRaises lists, row by row of privilegeChecks, what after grants that before
// did not. It is linear in the size of the security contexts and volumes.
func privilegeRaises(before, after privileges) []string {
	var raised []string
	for _, check := range privilegeChecks {
		raised = append(raised, check(&before, &after)...)
	}
	return raised
}

// joinRaises lists the raises in one line.
func joinRaises(raised []string) string { return strings.Join(raised, "; ") }

func raisedTrue(field string, before, after *bool) []string {
	if isTrue(after) && !isTrue(before) {
		return []string{field + ": true"}
	}
	return nil
}

// raisedNonRoot reports a runAsNonRoot: true that is gone.
func raisedNonRoot(field string, before, after *bool) []string {
	if isTrue(before) && !isTrue(after) {
		return []string{field + ": " + boolText(after)}
	}
	return nil
}

// raisedRoot reports a user or group that became 0.
func raisedRoot(field string, before, after *int64) []string {
	if after != nil && *after == 0 && (before == nil || *before != 0) {
		return []string{field + ": 0"}
	}
	return nil
}

// raisedUnconfined reports a value that became the unconfined one.
func raisedUnconfined(field, before, after, unconfined string) []string {
	if after == unconfined && before != unconfined {
		return []string{field + ": " + unconfined}
	}
	return nil
}

// spcType is the SELinux type of super-privileged containers, which SELinux does not
// confine.
const spcType = "spc_t"

func seLinuxType(o *corev1.SELinuxOptions) string {
	if o == nil {
		return ""
	}
	return o.Type
}

func hostProcess(o *corev1.WindowsSecurityContextOptions) *bool {
	if o == nil {
		return nil
	}
	return o.HostProcess
}

// windowsAccount is the Windows account the debug container runs as, when the container
// or the pod names one.
func windowsAccount(p *privileges) string {
	for _, o := range []*corev1.WindowsSecurityContextOptions{p.container.WindowsOptions, p.pod.WindowsOptions} {
		if o != nil && o.RunAsUserName != nil {
			return *o.RunAsUserName
		}
	}
	return ""
}

// windowsAdministrator tells whether account administers the host or the container: the
// system account, or an administrator.
func windowsAdministrator(account string) bool {
	_, user, _ := strings.Cut(account, `\`)
	if user == "" {
		user = account
	}
	return strings.EqualFold(account, windowsSystemAccount) || strings.EqualFold(user, "Administrator") || strings.EqualFold(user, "ContainerAdministrator")
}

func seccompType(p *corev1.SeccompProfile) string {
	if p == nil {
		return ""
	}
	return string(p.Type)
}

func appArmorType(p *corev1.AppArmorProfile) string {
	if p == nil {
		return ""
	}
	return string(p.Type)
}

func procMount(p *corev1.ProcMountType) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// capabilityNames lists the added (or dropped) capabilities, blank names left out.
func capabilityNames(c *corev1.Capabilities, added bool) []string {
	if c == nil {
		return nil
	}
	list := c.Drop
	if added {
		list = c.Add
	}
	names := make([]string, 0, len(list))
	for _, name := range list {
		if name != "" {
			names = append(names, string(name))
		}
	}
	return names
}

// newEntries lists the entries of after that before lacks, each once, in after's order.
func newEntries(before, after []string) []string {
	seen := make(map[string]bool, len(before)+len(after))
	for _, s := range before {
		seen[s] = true
	}
	var added []string
	for _, s := range after {
		if !seen[s] {
			added = append(added, s)
			seen[s] = true
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
