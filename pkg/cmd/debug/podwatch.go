package debug

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// podEvents receives what watchPods sees. Each method returns true when the caller has
// seen enough.
type podEvents interface {
	// listed gets every pod of a (re)list: a pod missing from it is gone.
	listed(pods []corev1.Pod) bool
	// changed gets one pod added, modified or deleted since.
	changed(pod *corev1.Pod, deleted bool) bool
}

// relistPause is how long watchPods waits before listing again after a watch ended
// without an answer, so that a server that keeps failing is not hammered.
var relistPause = time.Second

// watchPods lists the pods opts selects, then watches them from that list's resource
// version, handing everything to events until it has seen enough or ctx ends. A watch
// that closes early (a server timeout, an expired resource version, a network blip)
// is not an error: it lists and watches again.
func watchPods(ctx context.Context, pods corev1client.PodInterface, opts metav1.ListOptions, events podEvents) error {
	for {
		list, err := pods.List(ctx, opts)
		if err != nil {
			return err
		}
		if events.listed(list.Items) {
			return nil
		}
		watchOpts := opts
		watchOpts.ResourceVersion = list.ResourceVersion
		w, err := pods.Watch(ctx, watchOpts)
		if err != nil {
			return err
		}
		done, err := followWatch(ctx, w, events)
		w.Stop()
		if done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(relistPause):
		}
	}
}

// followWatch hands w's pod events to events until it has seen enough (done), ctx ends
// (an error) or w closes or reports an error (neither: list again).
func followWatch(ctx context.Context, w watch.Interface, events podEvents) (bool, error) {
	for {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok || ev.Type == watch.Error {
				return false, nil
			}
			pod, isPod := ev.Object.(*corev1.Pod)
			if !isPod {
				continue
			}
			if events.changed(pod, ev.Type == watch.Deleted) {
				return true, nil
			}
		}
	}
}
