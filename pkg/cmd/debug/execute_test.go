package debug

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// serverPreconditions makes the fake server refuse a patch whose resourceVersion is not
// the pod's, as the API server does; before each patch, meanwhile changes the pod, as
// another writer would.
func serverPreconditions(t *testing.T, client *fake.Clientset, meanwhile func(pod *corev1.Pod)) {
	pods := corev1.SchemeGroupVersion.WithResource("pods")
	client.PrependReactor("patch", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		patch := a.(k8stesting.PatchAction)
		obj, err := client.Tracker().Get(pods, patch.GetNamespace(), patch.GetName())
		if err != nil {
			return true, nil, err
		}
		pod := obj.(*corev1.Pod).DeepCopy()
		if meanwhile != nil {
			meanwhile(pod)
			if err := client.Tracker().Update(pods, pod, pod.Namespace); err != nil {
				t.Fatal(err)
			}
		}
		var body struct {
			Metadata struct{ ResourceVersion string } `json:"metadata"`
		}
		if err := json.Unmarshal(patch.GetPatch(), &body); err != nil {
			t.Fatal(err)
		}
		if v := body.Metadata.ResourceVersion; v != "" && v != pod.ResourceVersion {
			return true, nil, apierrors.NewConflict(schema.GroupResource{Resource: "pods"}, pod.Name, errors.New("the object has been modified; please apply your changes to the latest version and try again"))
		}
		return false, nil, nil
	})
}

// addedBy changes pod as a debug session adding ephemeral container name would, the
// resourceVersion with it.
func addedBy(pod *corev1.Pod, name string) {
	pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: "busybox:1.36"}})
	v, _ := strconv.Atoi(pod.ResourceVersion)
	pod.ResourceVersion = strconv.Itoa(v + 1)
}

func ephemeralNames(t *testing.T, client *fake.Clientset) []string {
	t.Helper()
	obj, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range obj.(*corev1.Pod).Spec.EphemeralContainers {
		names = append(names, c.Name)
	}
	return names
}

// Two sessions add a container of the same name at once: the one whose patch comes
// second finds the name taken and says so, rather than reporting the other's container
// as its own.
func TestSendSameNameRace(t *testing.T) {
	client := fake.NewClientset(appPod())
	raced := false
	serverPreconditions(t, client, func(pod *corev1.Pod) {
		if !raced {
			raced = true
			addedBy(pod, "dbg")
		}
	})
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg")
	want := `adding debug container "dbg" to pod "app": another debug session added a container called "dbg" first: give another name with -c/--container`
	if got := errString(r.err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	assertActions(t, client, []action{
		{"get", "pods", "", "test", "app"},
		{"patch", "pods", "ephemeralcontainers", "test", "app"},
		{"get", "pods", "", "test", "app"},
	})
	if diff := cmp.Diff([]string{"dbg"}, ephemeralNames(t, client)); diff != "" {
		t.Errorf("ephemeral containers (-want +got):\n%s", diff)
	}
}

// A pod changed between its GET and the PATCH by another container is read again, and
// the patch rebuilt for it: the other container stays, in its place.
func TestSendRetriesOnAChangedPod(t *testing.T) {
	client := fake.NewClientset(appPod())
	raced := false
	serverPreconditions(t, client, func(pod *corev1.Pod) {
		if !raced {
			raced = true
			addedBy(pod, "other")
		}
	})
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "-q")
	if r.err != nil {
		t.Fatal(r.err)
	}
	assertActions(t, client, []action{
		{"get", "pods", "", "test", "app"},
		{"patch", "pods", "ephemeralcontainers", "test", "app"},
		{"get", "pods", "", "test", "app"},
		{"patch", "pods", "ephemeralcontainers", "test", "app"},
	})
	want := `{"metadata":{"resourceVersion":"43"},"spec":{"$setElementOrder/ephemeralContainers":[{"name":"other"},{"name":"dbg"}],` +
		`"ephemeralContainers":[{"name":"dbg","image":"busybox:1.36","resources":{},"terminationMessagePolicy":"File","securityContext":{"capabilities":{"add":["SYS_PTRACE"]}}}]}}`
	if got := string(client.Actions()[3].(k8stesting.PatchAction).GetPatch()); got != want {
		t.Errorf("second patch:\n got: %s\nwant: %s", got, want)
	}
	if diff := cmp.Diff([]string{"other", "dbg"}, ephemeralNames(t, client)); diff != "" {
		t.Errorf("ephemeral containers (-want +got):\n%s", diff)
	}
}

// A pod that changes before every patch is given up on after a few tries, with the
// server's word.
func TestSendGivesUpOnAPodThatKeepsChanging(t *testing.T) {
	client := fake.NewClientset(appPod())
	n := 0
	serverPreconditions(t, client, func(pod *corev1.Pod) {
		n++
		addedBy(pod, fmt.Sprintf("other-%d", n))
	})
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg")
	want := `adding debug container "dbg" to pod "app": Operation cannot be fulfilled on pods "app": the object has been modified; please apply your changes to the latest version and try again`
	if got := errString(r.err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !apierrors.IsConflict(r.err) {
		t.Errorf("the server's reason is lost: %v", r.err)
	}
	get := action{"get", "pods", "", "test", "app"}
	patch := action{"patch", "pods", "ephemeralcontainers", "test", "app"}
	assertActions(t, client, []action{get, patch, get, patch, get, patch, get, patch})
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

// The sender deletes the debug pods --rm removes: a pod already gone counts as deleted, a
// refused delete is tried twice and reported, and a delete the server never answers is
// reported as unanswered once ctx ends, without waiting for it.
func TestSenderDeletePods(t *testing.T) {
	pod := func(name string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "test"}}
	}
	client := fake.NewClientset(pod("copy-a"), pod("refused"), pod("stuck"))
	refused := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "refused", errors.New("no"))
	entered, stuck := make(chan struct{}), make(chan struct{})
	client.PrependReactor("delete", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		switch a.(k8stesting.DeleteAction).GetName() {
		case "refused":
			return true, nil, refused
		case "stuck":
			close(entered)
			<-stuck
		}
		return false, nil, nil
	})

	got := sender{client: client}.deletePods(context.Background(), []*corev1.Pod{pod("copy-a"), pod("gone"), pod("refused")}, 4)
	if diff := cmp.Diff([]error{nil, nil, refused}, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("per pod (-want +got):\n%s", diff)
	}
	if n := deletesOf(client, "refused"); n != 2 {
		t.Errorf("%d deletes of the refused pod, want 2", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-entered
		cancel()
	}()
	got = sender{client: client}.deletePods(ctx, []*corev1.Pod{pod("stuck")}, 4)
	close(stuck)
	if diff := cmp.Diff([]error{errNoAnswer}, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("a delete never answered (-want +got):\n%s", diff)
	}
}

// A write the server refuses is reported as the server's error, itself, not wrapped:
// kubectl prints only such an error as one from the server ("Error from server
// (Forbidden): ..."). Its message says what was being done.
func TestServerErrorsStayTheServers(t *testing.T) {
	refuse := func(verb string) *fake.Clientset {
		client := fake.NewClientset(appPod(), nodeA())
		client.PrependReactor(verb, "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "x", errors.New("no"))
		})
		return client
	}
	tests := []struct {
		verb string
		args []string
		want string
	}{
		{"create", []string{"node/node-a", "--image=busybox:1.36"},
			`creating pod "node-debugger-node-a-aaaaa" to debug node/node-a: pods "x" is forbidden: no`},
		{"create", []string{"app", "--image=busybox:1.36", "--copy-to=app-copy"},
			`creating pod "app-copy", a copy of "app": pods "x" is forbidden: no`},
		{"patch", []string{"app", "--image=busybox:1.36", "-c", "dbg"},
			`adding debug container "dbg" to pod "app": pods "x" is forbidden: no`},
	}
	for _, tt := range tests {
		r := runCommand(t, refuse(tt.verb), "", tt.args...)
		status, ok := r.err.(*apierrors.StatusError)
		if !ok {
			t.Errorf("%v: error %T %v, want the server's status error", tt.args, r.err, r.err)
			continue
		}
		if got := status.Status().Reason; got != metav1.StatusReasonForbidden {
			t.Errorf("%v: reason %q, want Forbidden", tt.args, got)
		}
		if got := status.Error(); got != tt.want {
			t.Errorf("%v: message %q, want %q", tt.args, got, tt.want)
		}
	}

	// Any other error is wrapped.
	cause := errors.New("connection refused")
	if err := serverError("reading", cause); !errors.Is(err, cause) || err.Error() != "reading: connection refused" {
		t.Errorf("serverError = %v, want %q wrapping the cause", err, "reading: connection refused")
	}
}
