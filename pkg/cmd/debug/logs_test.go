package debug

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// withDebugState returns pod with its debug container dbg running, or terminated with
// code when code >= 0.
func withDebugState(pod *corev1.Pod, code int32) *corev1.Pod {
	pod = pod.DeepCopy()
	state := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	if code >= 0 {
		state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}
	}
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg"}}}
	pod.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: state}}
	return pod
}

func TestLogsFromSeveralTargets(t *testing.T) {
	objs := labelledPods("test", 2)
	client := fake.NewClientset(objs...)
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go func() {
		// Both run, then web-0 ends well and web-1 with code 3.
		watcher.Modify(withDebugState(objs[0].(*corev1.Pod), -1))
		watcher.Modify(withDebugState(objs[1].(*corev1.Pod), -1))
		watcher.Modify(withDebugState(objs[0].(*corev1.Pod), 0))
		watcher.Modify(withDebugState(objs[1].(*corev1.Pod), 3))
	}()
	r := runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg", "--logs")
	if got, want := errString(r.err), "1 of 2 debug containers failed: pod/web-1/dbg exited with code 3"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	table := "TARGET      POD     CONTAINER   RESULT\n" +
		"pod/web-0   web-0   dbg         added\n" +
		"pod/web-1   web-1   dbg         added\n"
	if !strings.HasPrefix(r.stdout, table) {
		t.Fatalf("stdout:\n%s\nwant it to start with:\n%s", r.stdout, table)
	}
	// The two containers' lines come in any order, each whole and prefixed.
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(r.stdout, table), "\n"), "\n")
	slices.Sort(lines)
	if diff := cmp.Diff([]string{"[pod/web-0/dbg] fake logs", "[pod/web-1/dbg] fake logs"}, lines); diff != "" {
		t.Errorf("streamed lines (-want +got):\n%s", diff)
	}
	// One LIST and one watch for both waits, besides the debug LIST and the logs.
	var lists, watches int
	for _, a := range client.Actions() {
		switch {
		case a.GetVerb() == "list" && a.GetResource().Resource == "pods":
			lists++
		case a.GetVerb() == "watch":
			watches++
		}
	}
	if lists != 2 || watches != 1 {
		t.Errorf("%d lists and %d watches, want 2 and 1", lists, watches)
	}
}

// Across namespaces the prefixes and the failures name the namespace: two pods may
// have one name there.
func TestLogsAcrossNamespaces(t *testing.T) {
	objs := append(labelledPods("a", 1), labelledPods("b", 1)...)
	client := fake.NewClientset(objs...)
	watchers := map[string]*watch.FakeWatcher{"a": watch.NewFake(), "b": watch.NewFake()}
	client.PrependWatchReactor("pods", func(action k8stesting.Action) (bool, watch.Interface, error) {
		return true, watchers[action.GetNamespace()], nil
	})
	inA, inB := objs[0].(*corev1.Pod), objs[2].(*corev1.Pod)
	go func() {
		watchers["a"].Modify(withDebugState(inA, -1))
		watchers["b"].Modify(withDebugState(inB, -1))
		watchers["a"].Modify(withDebugState(inA, 0))
		watchers["b"].Modify(withDebugState(inB, 3))
	}()
	r := runCommand(t, client, "", "-l", "app=web", "-A", "--image=busybox:1.36", "-c", "dbg", "--logs")
	if got, want := errString(r.err), "1 of 2 debug containers failed: pod/b/web-0/dbg exited with code 3"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	table := "NAMESPACE   TARGET      POD     CONTAINER   RESULT\n" +
		"a           pod/web-0   web-0   dbg         added\n" +
		"b           pod/web-0   web-0   dbg         added\n"
	if !strings.HasPrefix(r.stdout, table) {
		t.Fatalf("stdout:\n%s\nwant it to start with:\n%s", r.stdout, table)
	}
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(r.stdout, table), "\n"), "\n")
	slices.Sort(lines)
	if diff := cmp.Diff([]string{"[pod/a/web-0/dbg] fake logs", "[pod/b/web-0/dbg] fake logs"}, lines); diff != "" {
		t.Errorf("streamed lines (-want +got):\n%s", diff)
	}
}

func TestLogsFromOneTarget(t *testing.T) {
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go func() {
		watcher.Modify(withDebugState(appPod(), -1))
		watcher.Modify(withDebugState(appPod(), 0))
	}()
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--logs", "-q")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.stdout != "fake logs\n" {
		t.Errorf("stdout = %q, want the logs without a prefix", r.stdout)
	}
}

func TestLogsFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"app", "--image=busybox", "--logs", "-i"}, "--logs streams the debug containers' output and cannot give them standard input: drop -i/--stdin, or --logs to attach"},
		{[]string{"app", "--image=busybox", "--logs", "--attach"}, "--logs and --attach are two ways to follow a debug container: choose one"},
		{[]string{"app", "--copy-to=x", "--set-image=*=busybox", "--logs"}, "--logs needs a container: give -c/--container or create a new one with --image"},
	}
	for _, tt := range tests {
		client := fake.NewClientset(appPod())
		r := runCommand(t, client, "", tt.args...)
		if got := errString(r.err); got != tt.want {
			t.Errorf("%v: error = %q, want %q", tt.args, got, tt.want)
		}
		assertActions(t, client, nil)
	}
}

// Lines from many writers reach the output whole, a partial last line included.
func TestPrefixWriter(t *testing.T) {
	var buf bytes.Buffer
	out := &lineWriter{w: &buf}
	a, b := out.prefixed("a: "), out.prefixed("b: ")
	a.Write([]byte("one\ntw"))
	b.Write([]byte("three\n"))
	a.Write([]byte("o\nfour"))
	a.Close()
	b.Close()
	if want := "a: one\nb: three\na: two\na: four\n"; buf.String() != want {
		t.Errorf("output = %q, want %q", buf.String(), want)
	}
}

// node -l --logs follows the node debugging pods, which carry the debug label, not the
// nodes' labels.
func TestLogsFromNodesBySelector(t *testing.T) {
	client := fake.NewClientset(labelledNodes(2)...)
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	nodePod := func(name string, code int32) *corev1.Pod {
		p := withDebugState(appPod(), code)
		p.Name, p.Labels = name, map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug"}
		p.Spec.EphemeralContainers = nil
		p.Status.ContainerStatuses, p.Status.EphemeralContainerStatuses = p.Status.EphemeralContainerStatuses, nil
		p.Status.ContainerStatuses[0].Name = "debugger"
		return p
	}
	go func() {
		watcher.Modify(nodePod("node-debugger-n0-aaaaa", 0))
		watcher.Modify(nodePod("node-debugger-n1-bbbbb", 0))
	}()
	r := runCommand(t, client, "", "nodes", "-l", "pool=gpu", "--image=busybox:1.36", "--logs", "-q")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stdout)
	}
	var watched string
	for _, a := range client.Actions() {
		if a.GetVerb() == "watch" {
			watched = a.(k8stesting.WatchAction).GetWatchRestrictions().Labels.String()
		}
	}
	if watched != "app.kubernetes.io/managed-by=kubectl-debug" {
		t.Errorf("watched pods with selector %q", watched)
	}
}

// A pod named twice, or by a workload and by name, is debugged once.
func TestSameTargetTwice(t *testing.T) {
	client := fake.NewClientset(append(webWorkloads(), webPod("web-1", corev1.PodRunning, true, time.Now()))...)
	r := runCommand(t, client, "", "web-1", "pod/web-1", "svc/web", "--image=busybox:1.36", "-c", "dbg")
	if r.err != nil {
		t.Fatal(r.err)
	}
	patches := 0
	for _, a := range client.Actions() {
		if a.GetVerb() == "patch" {
			patches++
		}
	}
	if patches != 1 {
		t.Errorf("%d patches, want 1", patches)
	}
	want := "TARGET      POD     CONTAINER   RESULT\npod/web-1   web-1   dbg         added\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}
