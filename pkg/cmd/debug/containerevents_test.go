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

// podEvent is an event of the kubelet about a container of pod app (UID uid-1) or
// another pod.
func podEvent(uid, pod, path, reason, message string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: uid, Namespace: "test", UID: types.UID(uid)},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: pod, UID: "uid-1", FieldPath: path},
		Reason:         reason, Message: message,
	}
}

// followEvents runs followContainerEvents on pod app's container dbg until the events
// sent by send are handled, and returns what it printed, how many times it said the
// container started, and the field selector of its watch.
func followEvents(t *testing.T, showPulls bool, send func(*watch.FakeWatcher)) (printed string, starts int, selector string) {
	t.Helper()
	client := fake.NewClientset()
	events := watch.NewFake()
	client.PrependWatchReactor("events", func(a k8stesting.Action) (bool, watch.Interface, error) {
		selector = a.(k8stesting.WatchAction).GetWatchRestrictions().Fields.String()
		return true, events, nil
	})
	var errOut bytes.Buffer
	s := &session{console: console{errOut: &errOut}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	w, err := watchContainerEvents(ctx, client, appPod())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(done)
		s.followContainerEvents(ctx, w, appPod(), "dbg", showPulls, func() { starts++ })
	}()
	send(events)
	// The fake watcher hands over one event at a time: one more means the last was
	// handled.
	events.Add(podEvent("sync", "app", "spec.containers{web}", "Killing", ""))
	cancel()
	<-done
	return errOut.String(), starts, selector
}

// The pull of the debug container's image is shown as the kubelet reports it; Pulled
// only after Pulling (an image already there says nothing), each event once, and
// nothing about other containers or pods, or about an earlier pod of the same name.
func TestContainerEventsShowPulls(t *testing.T) {
	const dbg = "spec.ephemeralContainers{dbg}"
	printed, _, selector := followEvents(t, true, func(events *watch.FakeWatcher) {
		events.Add(podEvent("1", "app", dbg, "Pulled", `Container image "busybox:1.36" already present on machine`))
		events.Add(podEvent("2", "app", "spec.containers{web}", "Pulling", `Pulling image "nginx:1.27"`))
		events.Add(podEvent("3", "other", dbg, "Pulling", `Pulling image "busybox:1.36"`))
		earlier := podEvent("3b", "app", dbg, "Pulling", `Pulling image "busybox:1.35"`)
		earlier.InvolvedObject.UID = "uid-0"
		events.Add(earlier)
		events.Add(podEvent("4", "app", dbg, "Pulling", `Pulling image "busybox:1.37"`))
		events.Modify(podEvent("4", "app", dbg, "Pulling", `Pulling image "busybox:1.37"`))
		events.Add(podEvent("5", "app", dbg, "Pulled", `Successfully pulled image "busybox:1.37" in 2.1s`))
		events.Add(podEvent("6", "app", dbg, "Created", `Created container dbg`))
	})
	want := "container dbg: Pulling image \"busybox:1.37\"\n" +
		"container dbg: Successfully pulled image \"busybox:1.37\" in 2.1s\n"
	if diff := cmp.Diff(want, printed); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("involvedObject.kind=Pod,involvedObject.name=app,involvedObject.uid=uid-1", selector); diff != "" {
		t.Errorf("field selector (-want +got):\n%s", diff)
	}
}

// The kubelet's Started event of the debug container is told once, whether it is an
// ephemeral container or a pod's; those of other containers, other pods and an earlier
// pod of the same name are not, and without showPulls nothing is printed.
func TestContainerEventsStarted(t *testing.T) {
	tests := []struct {
		name   string
		events []*corev1.Event
		want   int
	}{
		{name: "ephemeral container", want: 1, events: []*corev1.Event{
			podEvent("1", "app", "spec.ephemeralContainers{dbg}", "Pulling", `Pulling image "busybox:1.37"`),
			podEvent("2", "app", "spec.ephemeralContainers{dbg}", "Started", "Started container dbg"),
		}},
		{name: "a pod's container, told once", want: 1, events: []*corev1.Event{
			podEvent("1", "app", "spec.containers{dbg}", "Started", "Started container dbg"),
			podEvent("2", "app", "spec.containers{dbg}", "Started", "Started container dbg"),
		}},
		{name: "other containers and pods", events: []*corev1.Event{
			podEvent("1", "app", "spec.containers{web}", "Started", "Started container web"),
			podEvent("2", "other", "spec.ephemeralContainers{dbg}", "Started", "Started container dbg"),
			podEvent("3", "app", "spec.ephemeralContainers{dbg}", "Created", "Created container dbg"),
			func() *corev1.Event {
				e := podEvent("4", "app", "spec.containers{dbg}", "Started", "Started container dbg")
				e.InvolvedObject.UID = "uid-0"
				return e
			}(),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			printed, starts, _ := followEvents(t, false, func(events *watch.FakeWatcher) {
				for _, e := range tt.events {
					events.Add(e)
				}
			})
			if starts != tt.want {
				t.Errorf("started told %d times, want %d", starts, tt.want)
			}
			if printed != "" {
				t.Errorf("printed %q without showPulls", printed)
			}
		})
	}
}
