package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestPrivilegeRaises(t *testing.T) {
	before := appPod()
	before.Spec.Containers = append(before.Spec.Containers, corev1.Container{Name: "dbg", SecurityContext: restrictedSC.DeepCopy()})
	after := before.DeepCopy()
	sc := after.Spec.Containers[2].SecurityContext
	sc.Privileged = ptr.To(true)
	sc.Capabilities.Add = []corev1.Capability{"SYS_ADMIN", "NET_ADMIN"}
	sc.AllowPrivilegeEscalation = nil
	sc.RunAsNonRoot = ptr.To(false)
	sc.RunAsUser = ptr.To[int64](0)
	after.Spec.HostPID = true
	after.Spec.HostNetwork = true
	after.Spec.Volumes = append(after.Spec.Volumes, corev1.Volume{Name: "root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}})
	want := []string{
		"securityContext.privileged: true",
		"securityContext.capabilities.add: SYS_ADMIN, NET_ADMIN",
		"securityContext.allowPrivilegeEscalation: unset",
		"securityContext.runAsNonRoot: false",
		"securityContext.runAsUser: 0",
		`volume "root": hostPath /`,
		"hostPID: true",
		"hostNetwork: true",
	}
	if diff := cmp.Diff(want, privilegeRaises(privilegesOf(before, "dbg"), privilegesOf(after, "dbg"))); diff != "" {
		t.Errorf("raises (-want +got):\n%s", diff)
	}
	if got := privilegeRaises(privilegesOf(before, "dbg"), privilegesOf(before.DeepCopy(), "dbg")); len(got) != 0 {
		t.Errorf("raises for an unchanged pod: %v", got)
	}
}

// Each row of the table names its raise once, container and pod level alike; lowering
// or keeping a privilege raises nothing.
func TestPrivilegeRaiseTable(t *testing.T) {
	unconfined := &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	tests := []struct {
		name   string
		change func(p *corev1.Pod, c *corev1.Container)
		want   []string
	}{
		{"drop ALL removed", func(_ *corev1.Pod, c *corev1.Container) { c.SecurityContext.Capabilities.Drop = nil },
			[]string{"securityContext.capabilities.drop: ALL no longer dropped"}},
		{"blank and repeated capabilities", func(_ *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.Capabilities.Add = []corev1.Capability{"", "NET_RAW", "NET_RAW"}
		}, []string{"securityContext.capabilities.add: NET_RAW"}},
		{"seccomp unconfined", func(_ *corev1.Pod, c *corev1.Container) { c.SecurityContext.SeccompProfile = unconfined },
			[]string{"securityContext.seccompProfile.type: Unconfined"}},
		{"apparmor unconfined", func(_ *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
		}, []string{"securityContext.appArmorProfile.type: Unconfined"}},
		{"proc mount unmasked", func(_ *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.ProcMount = ptr.To(corev1.UnmaskedProcMount)
		},
			[]string{"securityContext.procMount: Unmasked"}},
		{"run as group 0", func(_ *corev1.Pod, c *corev1.Container) { c.SecurityContext.RunAsGroup = ptr.To[int64](0) },
			[]string{"securityContext.runAsGroup: 0"}},
		{"pod runs as root", func(p *corev1.Pod, _ *corev1.Container) {
			p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](0), RunAsGroup: ptr.To[int64](0), RunAsNonRoot: ptr.To(false), SeccompProfile: unconfined}
		}, []string{"spec.securityContext.runAsNonRoot: false", "spec.securityContext.runAsUser: 0", "spec.securityContext.runAsGroup: 0", "spec.securityContext.seccompProfile.type: Unconfined"}},
		{"host IPC", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.HostIPC = true }, []string{"hostIPC: true"}},
		{"host user namespace", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.HostUsers = nil }, []string{"hostUsers: unset"}},
		{"host process", func(_ *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr.To(true)}
		}, []string{"securityContext.windowsOptions.hostProcess: true"}},
		{"windows system account", func(_ *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr.To(`nt authority\system`)}
		}, []string{`securityContext.windowsOptions.runAsUserName: nt authority\system`}},
		{"windows container administrator from the pod", func(p *corev1.Pod, _ *corev1.Container) {
			p.Spec.SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr.To("ContainerAdministrator")}
		}, []string{"securityContext.windowsOptions.runAsUserName: ContainerAdministrator"}},
		{"windows domain administrator", func(_ *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr.To(`CORP\Administrator`)}
		}, []string{`securityContext.windowsOptions.runAsUserName: CORP\Administrator`}},
		{"windows local service", func(_ *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr.To(`NT AUTHORITY\LOCAL SERVICE`)}
		}, nil},
		{"SELinux spc_t", func(p *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
			p.Spec.SecurityContext.SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
		}, []string{"securityContext.seLinuxOptions.type: spc_t", "spec.securityContext.seLinuxOptions.type: spc_t"}},
		{"a host path moved", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.Volumes[1].HostPath.Path = "/etc" }, []string{`volume "logs": hostPath /etc`}},
		{"root group", func(p *corev1.Pod, _ *corev1.Container) {
			p.Spec.SecurityContext.FSGroup = ptr.To[int64](0)
			p.Spec.SecurityContext.SupplementalGroups = []int64{1000, 0}
		}, []string{"spec.securityContext.fsGroup: 0", "spec.securityContext.supplementalGroups: 0"}},
		{"host ports", func(_ *corev1.Pod, c *corev1.Container) {
			c.Ports = []corev1.ContainerPort{{ContainerPort: 80}, {ContainerPort: 53, HostPort: 53, Protocol: corev1.ProtocolUDP}, {ContainerPort: 9090, HostPort: 9090}}
		}, []string{"ports[1].hostPort: 53", "ports[2].hostPort: 9090"}},
		{"sysctls", func(p *corev1.Pod, _ *corev1.Container) {
			p.Spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "net.ipv4.ip_unprivileged_port_start", Value: "0"}, {Name: "kernel.msgmax", Value: "65536"}}
		}, []string{"spec.securityContext.sysctls: net.ipv4.ip_unprivileged_port_start=0, kernel.msgmax=65536"}},
		{"service account token", func(p *corev1.Pod, _ *corev1.Container) {
			p.Spec.AutomountServiceAccountToken = ptr.To(true)
			p.Spec.ServiceAccountName = "admin"
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", Audience: "vault"}}},
			}}})
		}, []string{"automountServiceAccountToken: true", "serviceAccountName: admin", `volume "token": projected service account token`}},
		{"the default service account named", func(p *corev1.Pod, _ *corev1.Container) { p.Spec.ServiceAccountName = "default" }, nil},
		{"privileges lowered", func(p *corev1.Pod, c *corev1.Container) {
			c.SecurityContext.Capabilities.Drop = append(c.SecurityContext.Capabilities.Drop, "NET_RAW")
			p.Spec.Volumes = p.Spec.Volumes[:1]
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := nonrootPod()
			before.Spec.Volumes = []corev1.Volume{
				{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}},
			}
			before.Spec.HostUsers = ptr.To(false)
			before.Spec.Containers = append(before.Spec.Containers, corev1.Container{Name: "dbg", SecurityContext: restrictedSC.DeepCopy()})
			after := before.DeepCopy()
			tt.change(after, &after.Spec.Containers[1])
			if diff := cmp.Diff(tt.want, privilegeRaises(privilegesOf(before, "dbg"), privilegesOf(after, "dbg"))); diff != "" {
				t.Errorf("raises (-want +got):\n%s", diff)
			}
		})
	}
}

// What the pod already had is no raise: the same host port, sysctl, service account
// and token volume; a sysctl given a new value is one.
func TestPrivilegeRaisesKeptGrants(t *testing.T) {
	before := nonrootPod()
	before.Spec.ServiceAccountName = "app"
	before.Spec.AutomountServiceAccountToken = ptr.To(true)
	before.Spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}}
	before.Spec.SecurityContext.SupplementalGroups = []int64{0}
	before.Spec.SecurityContext.FSGroup = ptr.To[int64](0)
	before.Spec.Volumes = []corev1.Volume{{Name: "token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}}},
	}}}}
	before.Spec.Containers = append(before.Spec.Containers, corev1.Container{Name: "dbg", Ports: []corev1.ContainerPort{{ContainerPort: 8080, HostPort: 8080}}})
	after := before.DeepCopy()
	after.Spec.Containers[1].Ports = append([]corev1.ContainerPort{{ContainerPort: 22}}, after.Spec.Containers[1].Ports...)
	if got := privilegeRaises(privilegesOf(before, "dbg"), privilegesOf(after, "dbg")); len(got) != 0 {
		t.Errorf("raises for grants the pod had: %v", got)
	}
	after.Spec.SecurityContext.Sysctls[0].Value = "65535"
	want := []string{"spec.securityContext.sysctls: net.core.somaxconn=65535"}
	if diff := cmp.Diff(want, privilegeRaises(privilegesOf(before, "dbg"), privilegesOf(after, "dbg"))); diff != "" {
		t.Errorf("raises (-want +got):\n%s", diff)
	}
}
