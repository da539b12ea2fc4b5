package debug

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// labelledPods are n pods called web-0... in namespace ns, labelled app=web, plus one
// pod called other that the selector does not match.
func labelledPods(ns string, n int) []runtime.Object {
	var objs []runtime.Object
	for i := range n {
		pod := appPod()
		pod.Name, pod.Namespace, pod.Labels = fmt.Sprintf("web-%d", i), ns, map[string]string{"app": "web"}
		objs = append(objs, pod)
	}
	other := appPod()
	other.Name, other.Namespace, other.Labels = "other", ns, map[string]string{"app": "db"}
	return append(objs, other)
}

// labelledNodes are nodes n0... labelled pool=gpu, plus one node cpu0 that is not.
func labelledNodes(n int) []runtime.Object {
	var objs []runtime.Object
	for i := range n {
		objs = append(objs, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("n%d", i), Labels: map[string]string{"pool": "gpu"}}})
	}
	return append(objs, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cpu0", Labels: map[string]string{"pool": "cpu"}}})
}

func TestSelectorDebugsEveryMatchingPod(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 3)...)
	r := runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg")
	if r.err != nil {
		t.Fatal(r.err)
	}
	// One LIST, then one PATCH per pod, concurrently.
	assertActionsUnordered(t, client, []action{
		{"list", "pods", "", "test", ""},
		{"patch", "pods", "ephemeralcontainers", "test", "web-0"},
		{"patch", "pods", "ephemeralcontainers", "test", "web-1"},
		{"patch", "pods", "ephemeralcontainers", "test", "web-2"},
	})
	if got := client.Actions()[0].(k8stesting.ListAction).GetListRestrictions().Labels.String(); got != "app=web" {
		t.Errorf("selector sent = %q, want app=web", got)
	}
	want := "TARGET      POD     CONTAINER   RESULT\n" +
		"pod/web-0   web-0   dbg         added\n" +
		"pod/web-1   web-1   dbg         added\n" +
		"pod/web-2   web-2   dbg         added\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	if r.stderr != "" {
		t.Errorf("stderr = %q, want nothing", r.stderr)
	}
	for _, name := range []string{"web-0", "web-1", "web-2"} {
		pod, _ := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", name)
		if got := pod.(*corev1.Pod).Spec.EphemeralContainers; len(got) != 1 || got[0].Name != "dbg" {
			t.Errorf("%s: ephemeral containers %v, want one called dbg", name, got)
		}
	}
	other, _ := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "other")
	if got := other.(*corev1.Pod).Spec.EphemeralContainers; len(got) != 0 {
		t.Errorf("the unselected pod got ephemeral containers: %v", got)
	}
}

func TestSelectorAllNamespaces(t *testing.T) {
	client := fake.NewClientset(append(labelledPods("a", 1), labelledPods("b", 1)...)...)
	r := runCommand(t, client, "", "-l", "app=web", "-A", "--image=busybox:1.36", "-c", "dbg", "--dry-run=server")
	if r.err != nil {
		t.Fatal(r.err)
	}
	assertActionsUnordered(t, client, []action{
		{"list", "pods", "", "", ""},
		{"patch", "pods", "ephemeralcontainers", "a", "web-0"},
		{"patch", "pods", "ephemeralcontainers", "b", "web-0"},
	})
	want := "NAMESPACE   TARGET      POD     CONTAINER   RESULT\n" +
		"a           pod/web-0   web-0   dbg         added (server dry run)\n" +
		"b           pod/web-0   web-0   dbg         added (server dry run)\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

// With -A, a pod that cannot be debugged is named with its namespace.
func TestSelectorAllNamespacesFailedRow(t *testing.T) {
	inB := labelledPods("b", 1)
	inB[0].(*corev1.Pod).Spec.Containers[0].Name = "api"
	client := fake.NewClientset(append(labelledPods("a", 1), inB...)...)
	r := runCommand(t, client, "", "-l", "app=web", "-A", "--image=busybox:1.36", "-c", "dbg", "--target=web", "--dry-run=client")
	if got, want := errString(r.err), "1 of 2 targets cannot be debugged, so nothing was sent (--keep-going sends the others)"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	want := "NAMESPACE   TARGET      POD      CONTAINER   RESULT\n" +
		"a           pod/web-0   web-0    dbg         not sent\n" +
		"b           pod/web-0   <none>   <none>      failed: --target: container \"web\" not found in pod \"web-0\"\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestSelectorOverNodes(t *testing.T) {
	for _, resource := range []string{"node", "nodes", "no"} {
		client := fake.NewClientset(labelledNodes(2)...)
		r := runCommand(t, client, "", resource, "-l", "pool=gpu", "--image=busybox:1.36", "--", "chroot", "/host", "df")
		if r.err != nil {
			t.Fatal(r.err)
		}
		assertActionsUnordered(t, client, []action{
			{"list", "nodes", "", "", ""},
			{"create", "pods", "", "test", "node-debugger-n0-aaaaa"},
			{"create", "pods", "", "test", "node-debugger-n1-bbbbb"},
		})
		want := "TARGET    POD                      CONTAINER   RESULT\n" +
			"node/n0   node-debugger-n0-aaaaa   debugger    created\n" +
			"node/n1   node-debugger-n1-bbbbb   debugger    created\n"
		if r.stdout != want {
			t.Errorf("%s: stdout:\n%s\nwant:\n%s", resource, r.stdout, want)
		}
	}
}

func TestSelectorErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
		// listed is true when the error comes after the LIST.
		listed bool
	}{
		{"no pod matches", []string{"-l", "app=nothing"}, `no pods match selector app=nothing in namespace "test"`, true},
		{"no pod matches anywhere", []string{"-l", "app=nothing", "-A"}, "no pods match selector app=nothing in any namespace", true},
		{"no node matches", []string{"nodes", "-l", "pool=none"}, "no nodes match selector pool=none", true},
		{"a name with a selector", []string{"pod/web-0", "-l", "app=web"}, "-l/--selector cannot be used with a name (pod/web-0): give either names or a selector", false},
		{"two words with a selector", []string{"pods", "nodes", "-l", "app=web"}, "-l/--selector chooses the targets: give at most one TYPE (pods or nodes) with it, not 2 names", false},
		{"a workload type with a selector", []string{"deployments", "-l", "app=web"}, `-l/--selector selects pods or nodes: "deployments" is neither (give TYPE pods or nodes, or names without a selector)`, false},
		{"a bad selector", []string{"-l", "=web"}, `invalid -l/--selector "=web": found '=', expected: !, identifier, or 'end of string'`, false},
		{"a selector with -f", []string{"-l", "app=web", "-f", "-"}, "-l/--selector cannot be used with -f: the files name the targets", false},
		{"a name with -f", []string{"web-0", "-f", "-"}, "resource/name arguments cannot be provided when a path is specified", false},
		{"TYPE/NAME with -f", []string{"node/a", "-f", "-"}, "resource/name arguments cannot be provided when a path is specified", false},
		{"-A without a selector", []string{"web-0", "-A"}, "-A/--all-namespaces needs -l/--selector: names are looked up in one namespace", false},
		{"-A over nodes", []string{"nodes", "-l", "pool=gpu", "-A"}, "-A/--all-namespaces selects pods in every namespace; nodes are in none", false},
		{"attach with a selector", []string{"-l", "app=web", "-i"}, "-i/-t/--attach attach to one debug container, and this call has several targets or -l/--selector: use --logs to stream the output of each", false},
		{"attach with several names", []string{"web-0", "web-1", "--attach"}, "-i/-t/--attach attach to one debug container, and this call has several targets or -l/--selector: use --logs to stream the output of each", false},
		{"a copy of several", []string{"web-0", "web-1", "--copy-to=x"}, `--copy-to creates one copy called "x", so it takes exactly one target, not several or -l/--selector`, false},
		{"a copy by selector", []string{"-l", "app=web", "--copy-to=x", "--replace"}, `--copy-to creates one copy called "x", so it takes exactly one target, not several or -l/--selector`, false},
		{"no concurrency", []string{"-l", "app=web", "--max-concurrency=0"}, "invalid --max-concurrency 0: must be at least 1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(append(labelledPods("test", 2), labelledNodes(1)...)...)
			r := runCommand(t, client, "apiVersion: v1\nkind: Pod\nmetadata: {name: web-0}\n", append(tt.args, "--image=busybox:1.36")...)
			if got := errString(r.err); got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.want)
			}
			var u *UsageError
			if errors.As(r.err, &u) == tt.listed {
				t.Errorf("usage error = %v, want %v", !tt.listed, tt.listed)
			}
			if got := len(client.Actions()); tt.listed && got != 1 || !tt.listed && got != 0 {
				t.Errorf("API calls: %v", client.Actions())
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

// A failed LIST leaves nothing to debug.
func TestSelectorListFails(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 2)...)
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("etcd is on fire")
	})
	r := runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36")
	if got, want := errString(r.err), "listing pods with selector app=web: etcd is on fire"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	assertActions(t, client, []action{{"list", "pods", "", "test", ""}})
}

// blockedMapper is a REST mapper whose discovery never answers: KindFor tells the test
// it has started, then waits until the test ends (or, should the command wait for it,
// gives up after a while, which fails the test).
type blockedMapper struct {
	meta.RESTMapper
	started chan struct{}
	release chan struct{}
}

func (m *blockedMapper) KindFor(schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	close(m.started)
	select {
	case <-m.release:
	case <-time.After(10 * time.Second):
	}
	return schema.GroupVersionKind{}, errors.New("discovery gave up")
}

// Ctrl-C during API discovery for a TYPE/NAME target returns at once, naming the step.
func TestResolveInterruptedDuringDiscovery(t *testing.T) {
	mapper := &blockedMapper{started: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { close(mapper.release) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-mapper.started
		cancel()
	}()
	client := fake.NewClientset(appPod())
	r := newHarness(t, withMapper(mapper), withContext(ctx)).run(client, "widgets/app", "--image=busybox")
	if got, want := errString(r.err), `resolving "widgets/app" with API discovery: context canceled`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API calls were made: %v", client.Actions())
	}
}

// The resolve phase stands alone: built from its targets and a client, with no options
// or flags, it reads a pod and a node by name, lists a selector, and keeps a missing
// target with its error, one request each.
func TestResolverAlone(t *testing.T) {
	client := fake.NewClientset(appPod(), nodeA())
	rs := &resolver{
		targets: []target{
			{kind: kindPod, name: "app", namespace: "test"},
			{kind: kindNode, name: "node-a"},
			{kind: kindPod, name: "gone", namespace: "test"},
			{kind: kindPod, namespace: "test", selector: "app=web"},
		},
		client: func() (kubernetes.Interface, error) { return client, nil },
		limit:  1,
	}
	found, err := rs.resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range found {
		got = append(got, fmt.Sprintf("%s pod=%v node=%v err=%v", r.name, r.pod != nil, r.node != nil, r.err))
	}
	want := []string{
		"pod/app pod=true node=false err=<nil>",
		"node/node-a pod=false node=true err=<nil>",
		`pod/gone pod=true node=false err=pods "gone" not found`,
		"pod/app pod=true node=false err=<nil>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved (-want +got):\n%s", diff)
	}
	assertActions(t, client, []action{
		{"get", "pods", "", "test", "app"},
		{"get", "nodes", "", "", "node-a"},
		{"get", "pods", "", "test", "gone"},
		{"list", "pods", "", "test", ""},
	})
}
