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
