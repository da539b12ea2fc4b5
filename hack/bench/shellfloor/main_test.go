package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestEphemeralPatch(t *testing.T) {
	// As a client dry run prints it: the pod with the new container last.
	pod := `{"kind": "Pod", "metadata": {"name": "app", "resourceVersion": "7"},
	  "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}],
	    "ephemeralContainers": [
	      {"name": "old", "image": "busybox:1.36"},
	      {"name": "dbg", "image": "busybox:1.36", "stdin": true, "tty": true,
	       "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}, "targetContainerName": "main"}]},
	  "status": {"phase": "Running"}}`
	name, patch, err := ephemeralPatch([]byte(pod), "dbg")
	if err != nil {
		t.Fatal(err)
	}
	if name != "app" {
		t.Errorf("pod name %q, want app", name)
	}
	// Only the new container, with its fields as printed.
	want := `{"spec":{"ephemeralContainers":[{"name":"dbg","image":"busybox:1.36","stdin":true,"tty":true,"securityContext":{"capabilities":{"add":["SYS_PTRACE"]}},"targetContainerName":"main"}]}}`
	if diff := cmp.Diff(want, string(patch)); diff != "" {
		t.Errorf("patch (-want +got):\n%s", diff)
	}

	_, _, err = ephemeralPatch([]byte(pod), "missing")
	if want := `pod "app" in the file has no ephemeral container "missing"`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	_, _, err = ephemeralPatch([]byte(`{"spec": [}`), "dbg")
	if want := "decoding the pod: invalid character '}' looking for beginning of value"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestRunning(t *testing.T) {
	running1 := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	waiting := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	for _, tc := range []struct {
		name   string
		status corev1.PodStatus
		want   bool
	}{
		{"no statuses yet", corev1.PodStatus{}, false},
		{"the container waits", corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "dbg", State: waiting}}}, false},
		{"another container runs", corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "main", State: running1}, {Name: "dbg", State: waiting}}}, false},
		{"the container runs", corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "main", State: running1}, {Name: "dbg", State: running1}}}, true},
		{"the ephemeral container runs", corev1.PodStatus{
			ContainerStatuses:          []corev1.ContainerStatus{{Name: "main", State: running1}},
			EphemeralContainerStatuses: []corev1.ContainerStatus{{Name: "dbg", State: running1}},
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := running(&corev1.Pod{Status: tc.status}, "dbg"); got != tc.want {
				t.Errorf("running = %v, want %v", got, tc.want)
			}
		})
	}
}
