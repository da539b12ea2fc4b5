package debug

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// pullEvent is an event of the kubelet about container dbg of pod app.
func pullEvent(uid, pod, path, reason, message string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: uid, Namespace: "test", UID: types.UID(uid)},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod, FieldPath: path},
		Reason:         reason, Message: message,
	}
}

// The pull of the debug container's image is shown as the kubelet reports it; Pulled
// only after Pulling (an image already there says nothing), each event once, and
// nothing about other containers or pods.
func TestShowPulls(t *testing.T) {
	client := fake.NewClientset()
	events := watch.NewFake()
	var selector string
	client.PrependWatchReactor("events", func(a k8stesting.Action) (bool, watch.Interface, error) {
		selector = a.(k8stesting.WatchAction).GetWatchRestrictions().Fields.String()
		return true, events, nil
	})
	var errOut bytes.Buffer
	s := &session{console: console{errOut: &errOut}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.showPulls(ctx, client, "test", "app", "dbg")
	}()
	const dbg = "spec.ephemeralContainers{dbg}"
	events.Add(pullEvent("1", "app", dbg, "Pulled", `Container image "busybox:1.36" already present on machine`))
	events.Add(pullEvent("2", "app", "spec.containers{web}", "Pulling", `Pulling image "nginx:1.27"`))
	events.Add(pullEvent("3", "other", dbg, "Pulling", `Pulling image "busybox:1.36"`))
	events.Add(pullEvent("4", "app", dbg, "Pulling", `Pulling image "busybox:1.37"`))
	events.Modify(pullEvent("4", "app", dbg, "Pulling", `Pulling image "busybox:1.37"`))
	events.Add(pullEvent("5", "app", dbg, "Pulled", `Successfully pulled image "busybox:1.37" in 2.1s`))
	events.Add(pullEvent("6", "app", dbg, "Created", `Created container dbg`))
	cancel()
	<-done
	want := "container dbg: Pulling image \"busybox:1.37\"\n" +
		"container dbg: Successfully pulled image \"busybox:1.37\" in 2.1s\n"
	if diff := cmp.Diff(want, errOut.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("involvedObject.kind=Pod,involvedObject.name=app", selector); diff != "" {
		t.Errorf("field selector (-want +got):\n%s", diff)
	}
}
