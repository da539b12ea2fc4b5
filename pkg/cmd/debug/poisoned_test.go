package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

func TestQuotedContainerNames(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want map[string]bool
	}{
		{`violates PodSecurity "baseline:latest": privileged (container "a" must not set securityContext.privileged=true)`, map[string]bool{"a": true}},
		{`privileged (containers "a", "b" and "c" must not set ...), non-default capabilities (container "d" must not include "SYS_ADMIN")`, map[string]bool{"a": true, "b": true, "c": true, "d": true}},
		{`host namespaces (hostPID=true)`, map[string]bool{}},
		{`(container "unterminated`, map[string]bool{}},
	} {
		if diff := cmp.Diff(tc.want, quotedContainerNames(tc.msg)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.msg, diff)
		}
	}
}

// A pod already holding an ephemeral container that breaks the namespace's policy has
// every later patch refused: the error names it and points to a copy.
func TestPoisonedPodNamesItsOffenders(t *testing.T) {
	pod := appPod()
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{
		{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger-old", Image: "busybox:1.36",
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}},
		{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger-fine", Image: "busybox:1.36"}},
	}
	client := fake.NewClientset(pod)
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "app",
			errorString(`violates PodSecurity "baseline:latest": privileged (container "debugger-old" must not set securityContext.privileged=true)`))
	})
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--profile=baseline", "--attach=false")
	want := `adding debug container "dbg" to pod "app": pods "app" is forbidden: violates PodSecurity "baseline:latest": privileged (container "debugger-old" must not set securityContext.privileged=true); pod "app" already holds ephemeral containers that break this policy ("debugger-old"), which cannot be removed, so every new one is refused: debug a copy of the pod instead, with --copy-to`
	if diff := cmp.Diff(want, errString(r.err)); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if !apierrors.IsForbidden(r.err) {
		t.Errorf("the error is no longer the server's Forbidden: %T", r.err)
	}

	// The new container alone breaking the policy is no poisoning: no hint.
	pod.Spec.EphemeralContainers = nil
	client = fake.NewClientset(pod)
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "app",
			errorString(`violates PodSecurity "baseline:latest": privileged (container "dbg" must not set securityContext.privileged=true)`))
	})
	r = runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--profile=sysadmin", "--attach=false")
	want = `adding debug container "dbg" to pod "app": pods "app" is forbidden: violates PodSecurity "baseline:latest": privileged (container "dbg" must not set securityContext.privileged=true)`
	if diff := cmp.Diff(want, errString(r.err)); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}
