package debug

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

// Names of the predefined profiles, as --profile takes them.
const (
	ProfileLegacy     = "legacy"
	ProfileGeneral    = "general"
	ProfileBaseline   = "baseline"
	ProfileRestricted = "restricted"
	ProfileNetadmin   = "netadmin"
	ProfileSysadmin   = "sysadmin"
)

// profileNames lists the profiles in the order help and errors show them.
var profileNames = []string{ProfileLegacy, ProfileGeneral, ProfileBaseline, ProfileRestricted, ProfileNetadmin, ProfileSysadmin}

// profile sets the debug container's security context and the pod fields that go with it,
// for one mode. Each profile is a list of named mutations per mode.
type profile interface {
	// mutations returns the changes the profile makes in mode; host is the operating
	// system of the node being debugged in node mode, and empty otherwise.
	mutations(mode Mode, host hostOS) []mutation
}

// hostOS is the operating system a node runs, as its kubernetes.io/os label gives it.
type hostOS string

// hostWindows is the label's value on Windows nodes; every other value, or none, is
// treated as Linux, as the kubelet treats a pod without spec.os.
const hostWindows hostOS = hostOS(corev1.Windows)

// hostOSOf is the operating system node runs.
func hostOSOf(node *corev1.Node) hostOS {
	if node == nil {
		return ""
	}
	return hostOS(node.Labels[corev1.LabelOSStable])
}

// KeepFlags say which parts of the original pod a copy keeps (--keep-*).
type KeepFlags struct {
	Labels, Annotations, Liveness, Readiness, Startup, InitContainers bool
}

// copyCleanup strips what the copy should not inherit, as the --keep-* flags allow.
func (k KeepFlags) copyCleanup() []mutation {
	var ms []mutation
	if !k.Labels {
		ms = append(ms, stripLabels)
	}
	if !k.Annotations {
		ms = append(ms, stripAnnotations)
	}
	if !k.Liveness || !k.Readiness || !k.Startup {
		ms = append(ms, stripProbes(!k.Liveness, !k.Readiness, !k.Startup))
	}
	if !k.InitContainers {
		ms = append(ms, stripInitContainers)
	}
	return ms
}

// newProfile returns the predefined profile called name; names are case sensitive.
func newProfile(name string, keep KeepFlags) (profile, error) {
	switch name {
	case ProfileLegacy:
		return legacyProfile{}, nil
	case ProfileGeneral:
		return generalProfile{keep}, nil
	case ProfileBaseline:
		return baselineProfile{keep}, nil
	case ProfileRestricted:
		return restrictedProfile{keep}, nil
	case ProfileNetadmin:
		return netadminProfile{keep}, nil
	case ProfileSysadmin:
		return sysadminProfile{keep}, nil
	}
	return nil, fmt.Errorf("invalid --profile %q: must be one of %s, %s", name, strings.Join(profileNames, ", "), ProfileAuto)
}

// legacyProfile is kubectl's behaviour before profiles existed; it is deprecated.
type legacyProfile struct{}

func (legacyProfile) mutations(mode Mode, _ hostOS) []mutation {
	switch mode {
	case ModeNode:
		return []mutation{mountHostRoot, useHostNamespaces}
	case ModeCopy:
		// Legacy copies never kept labels, whatever --keep-labels says.
		return []mutation{stripLabels}
	}
	return nil
}

// generalProfile is a reasonable default: process tracing, the host's view on nodes.
type generalProfile struct{ keep KeepFlags }

func (p generalProfile) mutations(mode Mode, _ hostOS) []mutation {
	switch mode {
	case ModeNode:
		return []mutation{mountHostRoot, clearSecurityContext, useHostNamespaces}
	case ModeCopy:
		return append(p.keep.copyCleanup(), addCapabilities("SYS_PTRACE"), shareProcessNamespace)
	}
	return []mutation{addCapabilities("SYS_PTRACE")}
}

// baselineProfile fits Pod Security "baseline": no extra privileges at all.
type baselineProfile struct{ keep KeepFlags }

func (p baselineProfile) mutations(mode Mode, _ hostOS) []mutation {
	ms := []mutation{clearSecurityContext}
	if mode == ModeCopy {
		ms = append(ms, p.keep.copyCleanup()...)
		ms = append(ms, shareProcessNamespace)
	}
	return ms
}

// restrictedProfile fits Pod Security "restricted": non-root, no capabilities, no
// escalation, the runtime's seccomp profile.
type restrictedProfile struct{ keep KeepFlags }

func (p restrictedProfile) mutations(mode Mode, _ hostOS) []mutation {
	ms := []mutation{clearSecurityContext, requireNonRoot, dropAllCapabilities, disallowPrivilegeEscalation, useRuntimeDefaultSeccomp}
	if mode == ModeCopy {
		ms = append(ms, p.keep.copyCleanup()...)
		ms = append(ms, shareProcessNamespace)
	}
	return ms
}

// netadminProfile grants network administration: NET_ADMIN and NET_RAW.
type netadminProfile struct{ keep KeepFlags }

func (p netadminProfile) mutations(mode Mode, _ hostOS) []mutation {
	ms := []mutation{addCapabilities("NET_ADMIN", "NET_RAW")}
	switch mode {
	case ModeNode:
		ms = append(ms, useHostNamespaces)
	case ModeCopy:
		ms = append(ms, p.keep.copyCleanup()...)
		ms = append(ms, shareProcessNamespace)
	}
	return ms
}

// sysadminProfile grants everything: a privileged container, and the host on nodes. On a
// Windows node, where containers cannot be privileged and there are no host namespaces
// to join, everything is a HostProcess pod, which runs on the host as SYSTEM.
type sysadminProfile struct{ keep KeepFlags }

func (p sysadminProfile) mutations(mode Mode, host hostOS) []mutation {
	if mode == ModeNode && host == hostWindows {
		return []mutation{clearSecurityContext, runAsHostProcess, runAsSystemAccount, useHostNetwork}
	}
	ms := []mutation{setPrivileged}
	switch mode {
	case ModeNode:
		ms = append(ms, useHostNamespaces, mountHostRoot)
	case ModeCopy:
		ms = append(ms, p.keep.copyCleanup()...)
		ms = append(ms, shareProcessNamespace)
	}
	return ms
}

// applyMutations runs ms in order on pod and its container called name. The container is
// looked up again for each step, since a step may rebuild the container lists.
func applyMutations(pod *corev1.Pod, name string, ms []mutation) error {
	for _, m := range ms {
		c, _ := podutil.Find(pod, name)
		if c == nil {
			return fmt.Errorf("debug container %q not found in pod %q", name, pod.Name)
		}
		m(pod, c)
	}
	return nil
}
