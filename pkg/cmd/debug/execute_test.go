package debug

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// failPatchOf makes the server refuse the ephemeral container patch of the named pods.
func failPatchOf(client *fake.Clientset, names ...string) {
	client.PrependReactor("patch", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		name := a.(k8stesting.PatchAction).GetName()
		for _, n := range names {
			if n == name {
				return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, name)
			}
		}
		return false, nil, nil
	})
}

// A pod deleted between the LIST and its PATCH fails alone: the others are debugged, the
// failure is named with its reason, and the exit is non-zero.
func TestSendFailureOnOneTarget(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 3)...)
	failPatchOf(client, "web-1")
	r := runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg")
	if got, want := errString(r.err), "1 of 3 targets failed"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	want := "TARGET      POD     CONTAINER   RESULT\n" +
		"pod/web-0   web-0   dbg         added\n" +
		"pod/web-1   web-1   dbg         failed: adding debug container \"dbg\" to pod \"web-1\": pods \"web-1\" not found\n" +
		"pod/web-2   web-2   dbg         added\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	assertActionsUnordered(t, client, []action{
		{"list", "pods", "", "test", ""},
		{"patch", "pods", "ephemeralcontainers", "test", "web-0"},
		{"patch", "pods", "ephemeralcontainers", "test", "web-1"},
		{"patch", "pods", "ephemeralcontainers", "test", "web-2"},
	})
}

// With --keep-going, targets that cannot be planned are reported and the rest are sent.
func TestKeepGoing(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 2)...)
	r := runCommand(t, client, "", "web-0", "ghost", "web-1", "--image=busybox:1.36", "-c", "dbg", "--keep-going")
	if got, want := errString(r.err), "1 of 3 targets failed"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	want := "TARGET      POD      CONTAINER   RESULT\n" +
		"pod/web-0   web-0    dbg         added\n" +
		"pod/ghost   <none>   <none>      failed: pods \"ghost\" not found\n" +
		"pod/web-1   web-1    dbg         added\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	assertActionsUnordered(t, client, []action{
		{"get", "pods", "", "test", "web-0"},
		{"get", "pods", "", "test", "ghost"},
		{"get", "pods", "", "test", "web-1"},
		{"patch", "pods", "ephemeralcontainers", "test", "web-0"},
		{"patch", "pods", "ephemeralcontainers", "test", "web-1"},
	})
}

// Ctrl-C during the writes: no new write starts, and the report says which were sent.
func TestInterruptStopsNewWrites(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 4)...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var patches atomic.Int32
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if patches.Add(1) == 2 {
			// The user presses Ctrl-C while the second write is in flight, which the
			// cancellation then fails.
			cancel()
			return true, nil, context.Canceled
		}
		return false, nil, nil
	})
	r := newHarness(t, withContext(ctx), withOptions(func(o *DebugOptions) { o.MaxConcurrency = 1 })).
		run(client, "-l", "app=web", "--image=busybox:1.36", "-c", "dbg")
	if got, want := errString(r.err), "interrupted: 1 of 4 targets were debugged: context canceled"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !errors.Is(r.err, context.Canceled) {
		t.Errorf("the error does not say it was cancelled: %v", r.err)
	}
	want := "TARGET      POD     CONTAINER   RESULT\n" +
		"pod/web-0   web-0   dbg         added\n" +
		"pod/web-1   web-1   dbg         interrupted: the write may have been applied\n" +
		"pod/web-2   web-2   dbg         not sent\n" +
		"pod/web-3   web-3   dbg         not sent\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	if got := patches.Load(); got != 2 {
		t.Errorf("%d patches sent, want 2", got)
	}
}

// The sender is the only writer: a client dry run sends nothing and answers with the
// planned objects; a server dry run sends every write with dryRun=All.
func TestSenderDryRuns(t *testing.T) {
	r := resolved{name: "pod/app", pod: appPod()}
	p := planOf(t, r, "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--replace")

	client := fake.NewClientset(appPod())
	out := sender{client: client, dryRun: dryRunClient}.send(context.Background(), p)
	if out.err != nil || out.sent {
		t.Errorf("client dry run: err=%v sent=%v", out.err, out.sent)
	}
	if diff := cmp.Diff(p.pod, out.pod); diff != "" {
		t.Errorf("client dry run answers with the plan (-want +got):\n%s", diff)
	}
	assertActions(t, client, nil)

	client = fake.NewClientset(appPod())
	out = sender{client: client, dryRun: dryRunServer}.send(context.Background(), p)
	if out.err != nil || !out.sent || !out.deleted {
		t.Errorf("server dry run: err=%v sent=%v deleted=%v", out.err, out.sent, out.deleted)
	}
	assertActions(t, client, []action{{"create", "pods", "", "test", "app-copy"}, {"delete", "pods", "", "test", "app"}})
	if diff := cmp.Diff([][]string{{"All"}, {"All"}}, dryRunOf(client)); diff != "" {
		t.Errorf("dryRun options (-want +got):\n%s", diff)
	}
}

// A copy whose original cannot be deleted is reported with the copy it made.
func TestSendCopyDeleteFails(t *testing.T) {
	p := planOf(t, resolved{name: "pod/app", pod: appPod()}, "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--replace")
	client := fake.NewClientset(appPod())
	client.PrependReactor("delete", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "app", errors.New("no"))
	})
	out := sender{client: client}.send(context.Background(), p)
	if got, want := errString(out.err), `deleting pod "app" after creating its copy "app-copy": pods "app" is forbidden: no`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if out.pod == nil || out.pod.Name != "app-copy" || out.deleted {
		t.Errorf("outcome = %+v, want the created copy and no deletion", out)
	}
	if _, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app"); err != nil {
		t.Errorf("the original is gone: %v", err)
	}
}

// A client dry run answers with the planned debug pod, except to a brief sender: a
// report on many targets names the pods from the plans and keeps no copy of each.
func TestSendClientDryRun(t *testing.T) {
	p := planOf(t, appTarget(), "app", "--image=busybox:1.36", "-c", "dbg", "--dry-run=client")
	want := appPod()
	want.Spec.EphemeralContainers = []corev1.EphemeralContainer{*p.ephemeral.DeepCopy()}
	full := sender{dryRun: dryRunClient}.send(context.Background(), p)
	if diff := cmp.Diff(outcome{target: "pod/app", plan: p, pod: want}, full, cmp.AllowUnexported(outcome{}, plan{})); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
	brief := sender{dryRun: dryRunClient, brief: true}.send(context.Background(), p)
	if diff := cmp.Diff(outcome{target: "pod/app", plan: p}, brief, cmp.AllowUnexported(outcome{}, plan{})); diff != "" {
		t.Errorf("brief outcome (-want +got):\n%s", diff)
	}
}
