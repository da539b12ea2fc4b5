package debug

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// A mutation is one small change a profile makes: to the debug pod, to its debug
// container, or both. debug points at the debug container wherever it lives (init,
// regular or ephemeral container).
type mutation func(pod *corev1.Pod, debug *corev1.Container)

// hostRootVolume is the volume through which node debugging sees the host's filesystem.
const hostRootVolume = "host-root"

// mountHostRoot mounts the node's root filesystem at /host in the debug container.
func mountHostRoot(pod *corev1.Pod, debug *corev1.Container) {
	pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{
		Name:         hostRootVolume,
		VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}},
	})
	debug.VolumeMounts = append(debug.VolumeMounts, corev1.VolumeMount{Name: hostRootVolume, MountPath: "/host"})
}

// useHostNamespaces runs the pod in the host's network, PID and IPC namespaces.
func useHostNamespaces(pod *corev1.Pod, _ *corev1.Container) {
	pod.Spec.HostNetwork = true
	pod.Spec.HostPID = true
	pod.Spec.HostIPC = true
}

// useHostNetwork runs the pod in the host's network namespace only.
func useHostNetwork(pod *corev1.Pod, _ *corev1.Container) {
	pod.Spec.HostNetwork = true
}

// windowsSystemAccount is the account HostProcess debugging runs as: the host's own.
const windowsSystemAccount = `NT AUTHORITY\SYSTEM`

// runAsHostProcess makes the pod a Windows HostProcess pod, run as the system account.
// HostProcess is decided for the whole pod: every container of such a pod must be one.
func runAsHostProcess(pod *corev1.Pod, _ *corev1.Container) {
	pod.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
	if pod.Spec.SecurityContext == nil {
		pod.Spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	if pod.Spec.SecurityContext.WindowsOptions == nil {
		pod.Spec.SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{}
	}
	pod.Spec.SecurityContext.WindowsOptions.HostProcess = ptr.To(true)
	pod.Spec.SecurityContext.WindowsOptions.RunAsUserName = ptr.To(windowsSystemAccount)
}

// runAsSystemAccount names the system account on the debug container too. The pod's
// account already applies; set on the container as well, it is where --custom, which
// changes the container only, can put a less privileged account in its place.
func runAsSystemAccount(_ *corev1.Pod, debug *corev1.Container) {
	sc := securityContext(debug)
	if sc.WindowsOptions == nil {
		sc.WindowsOptions = &corev1.WindowsSecurityContextOptions{}
	}
	sc.WindowsOptions.RunAsUserName = ptr.To(windowsSystemAccount)
}

// shareProcessNamespace lets containers see each other's processes, unless the pod or
// --share-processes already decided.
func shareProcessNamespace(pod *corev1.Pod, _ *corev1.Container) {
	if pod.Spec.ShareProcessNamespace == nil {
		pod.Spec.ShareProcessNamespace = ptr.To(true)
	}
}

// clearSecurityContext removes whatever security context the debug container had.
func clearSecurityContext(_ *corev1.Pod, debug *corev1.Container) {
	debug.SecurityContext = nil
}

// securityContext returns the debug container's security context, creating it.
func securityContext(c *corev1.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

// capabilities returns the debug container's capabilities, creating them.
func capabilities(c *corev1.Container) *corev1.Capabilities {
	sc := securityContext(c)
	if sc.Capabilities == nil {
		sc.Capabilities = &corev1.Capabilities{}
	}
	return sc.Capabilities
}

// addCapabilities appends capabilities to those the debug container already adds.
func addCapabilities(caps ...corev1.Capability) mutation {
	return func(_ *corev1.Pod, debug *corev1.Container) {
		c := capabilities(debug)
		c.Add = append(c.Add, caps...)
	}
}

// dropAllCapabilities drops every capability and adds none.
func dropAllCapabilities(_ *corev1.Pod, debug *corev1.Container) {
	c := capabilities(debug)
	c.Drop = []corev1.Capability{"ALL"}
	c.Add = nil
}

// setPrivileged makes the debug container privileged.
func setPrivileged(_ *corev1.Pod, debug *corev1.Container) {
	securityContext(debug).Privileged = ptr.To(true)
}

// requireNonRoot makes the runtime refuse to start the debug container as root.
func requireNonRoot(_ *corev1.Pod, debug *corev1.Container) {
	securityContext(debug).RunAsNonRoot = ptr.To(true)
}

// disallowPrivilegeEscalation stops processes gaining more privileges than their parent.
func disallowPrivilegeEscalation(_ *corev1.Pod, debug *corev1.Container) {
	securityContext(debug).AllowPrivilegeEscalation = ptr.To(false)
}

// useRuntimeDefaultSeccomp confines the debug container with the runtime's seccomp profile.
func useRuntimeDefaultSeccomp(_ *corev1.Pod, debug *corev1.Container) {
	securityContext(debug).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
}

// stripLabels drops the copied pod's labels, so services and controllers ignore the copy.
func stripLabels(pod *corev1.Pod, _ *corev1.Container) {
	pod.Labels = nil
}

// stripAnnotations drops the copied pod's annotations.
func stripAnnotations(pod *corev1.Pod, _ *corev1.Container) {
	pod.Annotations = nil
}

// stripProbes removes the chosen probes of regular and sidecar containers, so a paused or
// broken process under debug is not restarted.
func stripProbes(liveness, readiness, startup bool) mutation {
	strip := func(c *corev1.Container) {
		if liveness {
			c.LivenessProbe = nil
		}
		if readiness {
			c.ReadinessProbe = nil
		}
		if startup {
			c.StartupProbe = nil
		}
	}
	return func(pod *corev1.Pod, _ *corev1.Container) {
		for i := range pod.Spec.Containers {
			strip(&pod.Spec.Containers[i])
		}
		for i := range pod.Spec.InitContainers {
			if c := &pod.Spec.InitContainers[i]; c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
				strip(c)
			}
		}
	}
}

// stripInitContainers drops init containers, except the debug container when -c chose one.
func stripInitContainers(pod *corev1.Pod, debug *corev1.Container) {
	var kept []corev1.Container
	for _, c := range pod.Spec.InitContainers {
		if c.Name == debug.Name {
			kept = append(kept, c)
		}
	}
	pod.Spec.InitContainers = kept
}
