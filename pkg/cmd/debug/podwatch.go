package debug

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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

// relistPause is how long watchPods waits before listing again after the server
// reported an error, so that a server that keeps failing is not hammered.
var relistPause = time.Second

// watchPods lists the pods opts selects, then watches them from that list's resource
// version, handing everything to events until it has seen enough or ctx ends. A watch
// the server closes (its timeout, a --request-timeout, a network blip) is not an
// error: the watch starts again from the last resource version seen, and only an
// expired version or an error from the server makes it list again.
func watchPods(ctx context.Context, pods corev1client.PodInterface, opts metav1.ListOptions, events podEvents) error {
	version := ""
	for {
		if version == "" {
			list, err := pods.List(ctx, opts)
			if err != nil {
				return err
			}
			if events.listed(list.Items) {
				return nil
			}
			version = list.ResourceVersion
		}
		watchOpts := opts
		watchOpts.ResourceVersion = version
		watchOpts.AllowWatchBookmarks = true
		w, err := pods.Watch(ctx, watchOpts)
		if err != nil {
			if ctx.Err() == nil && (apierrors.IsResourceExpired(err) || apierrors.IsGone(err)) {
				version = ""
				continue
			}
			return err
		}
		started := time.Now()
		r := followWatch(ctx, w, events)
		w.Stop()
		switch {
		case r.done:
			return nil
		case r.err != nil:
			return r.err
		case r.version != "":
			version = r.version
		}
		if !r.relist && time.Since(started) > 100*time.Millisecond {
			continue
		}
		if r.relist {
			version = ""
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(relistPause):
		}
	}
}

// watchResult is how one watch ended.
type watchResult struct {
	// done is true when events has seen enough.
	done bool
	// version is the last resource version the watch reported.
	version string
	// relist is true when the server reported an error, after which the version
	// cannot be trusted.
	relist bool
	err    error
}

// followWatch hands w's pod events to events until it has seen enough, ctx ends, or w
// closes or reports an error.
func followWatch(ctx context.Context, w watch.Interface, events podEvents) watchResult {
	var r watchResult
	for {
		select {
		case <-ctx.Done():
			r.err = ctx.Err()
			return r
		case ev, ok := <-w.ResultChan():
			if !ok {
				return r
			}
			if ev.Type == watch.Error {
				r.relist = true
				return r
			}
			pod, isPod := ev.Object.(*corev1.Pod)
			if !isPod {
				continue
			}
			r.version = pod.ResourceVersion
			if ev.Type == watch.Bookmark {
				continue
			}
			if events.changed(pod, ev.Type == watch.Deleted) {
				r.done = true
				return r
			}
		}
	}
}
