package debug

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// action is the part of an API call a test asserts on.
type action struct {
	Verb, Resource, Subresource, Namespace, Name string
}

func actionsOf(client *fake.Clientset) []action {
	var got []action
	for _, a := range client.Actions() {
		act := action{Verb: a.GetVerb(), Resource: a.GetResource().Resource, Subresource: a.GetSubresource(), Namespace: a.GetNamespace()}
		switch a := a.(type) {
		case k8stesting.GetAction:
			act.Name = a.GetName()
		case k8stesting.PatchAction:
			act.Name = a.GetName()
		case k8stesting.DeleteAction:
			act.Name = a.GetName()
		case k8stesting.CreateAction:
			act.Name = a.GetObject().(metav1.Object).GetName()
		}
		got = append(got, act)
	}
	return got
}

// assertActionsUnordered checks that client saw exactly the API calls want, in any
// order: concurrent requests arrive as they please.
func assertActionsUnordered(t *testing.T, client *fake.Clientset, want []action) {
	t.Helper()
	less := func(a, b action) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	}
	got := actionsOf(client)
	want = slices.Clone(want)
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("actions, in any order (-want +got):\n%s", diff)
	}
}

// assertActions checks that client saw exactly the API calls want, in order.
func assertActions(t *testing.T, client *fake.Clientset, want []action) {
	t.Helper()
	if diff := cmp.Diff(want, actionsOf(client)); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

func TestRunEphemeral(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "--env=B=2,A=1", "--env=B=3", "--target=web")
	if r.err != nil {
		t.Fatal(r.err)
	}
	wantActions := []action{
		{"get", "pods", "", "test", "app"},
		{"patch", "pods", "ephemeralcontainers", "test", "app"},
	}
	assertActions(t, client, wantActions)
	patch := client.Actions()[1].(k8stesting.PatchAction).GetPatch()
	var decoded map[string]any
	if err := json.Unmarshal(patch, &decoded); err != nil {
		t.Fatal(err)
	}
	wantPatch := map[string]any{"metadata": map[string]any{"resourceVersion": "42"}, "spec": map[string]any{
		"ephemeralContainers": []any{map[string]any{
			"name": "debugger-aaaaa", "image": "busybox:1.36", "resources": map[string]any{},
			"env":                      []any{map[string]any{"name": "B", "value": "3"}, map[string]any{"name": "A", "value": "1"}},
			"securityContext":          map[string]any{"capabilities": map[string]any{"add": []any{"SYS_PTRACE"}}},
			"targetContainerName":      "web",
			"terminationMessagePolicy": "File",
		}},
	}}
	if diff := cmp.Diff(wantPatch, decoded); diff != "" {
		t.Errorf("patch (-want +got):\n%s", diff)
	}
	// kubectl debug names the --target container first, as it checks the flags.
	wantOut := "Targeting container \"web\". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n" +
		"Defaulting debug container name to debugger-aaaaa.\n"
	if r.stdout != wantOut {
		t.Errorf("stdout = %q, want %q", r.stdout, wantOut)
	}
	if r.stderr != "" {
		t.Errorf("stderr = %q, want empty", r.stderr)
	}
}

func TestRunEphemeralQuietAndNamedContainer(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "pod/app", "--image=busybox:1.36", "-c", "dbg", "-q", "--target=web")
	if r.err != nil || r.stdout != "" || r.stderr != "" {
		t.Fatalf("err=%v stdout=%q stderr=%q, want a quiet success", r.err, r.stdout, r.stderr)
	}
	pod, err := client.CoreV1().Pods("test").Get(context.Background(), "app", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pod.Spec.EphemeralContainers; len(got) != 1 || got[0].Name != "dbg" || got[0].TargetContainerName != "web" {
		t.Errorf("ephemeral containers = %+v, want one called dbg targeting web", got)
	}
}

func TestRunEphemeralDisabled(t *testing.T) {
	client := fake.NewClientset(appPod())
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		// A missing subresource: a 404 that names nothing.
		return true, nil, &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: 404, Reason: metav1.StatusReasonNotFound, Message: "the server could not find the requested resource"}}
	})
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg")
	want := `ephemeral containers are disabled for this cluster (error from server: "the server could not find the requested resource")`
	if got := errString(r.err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestRunEphemeralForbidden(t *testing.T) {
	client := fake.NewClientset(appPod())
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods/ephemeralcontainers"}, "app", errors.New("RBAC: access denied"))
	})
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg")
	want := `adding debug container "dbg" to pod "app": pods/ephemeralcontainers "app" is forbidden: RBAC: access denied`
	if got := errString(r.err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !apierrors.IsForbidden(r.err) {
		t.Errorf("the server's reason is lost: %v", r.err)
	}
}

func TestRunMissingPod(t *testing.T) {
	client := fake.NewClientset()
	r := runCommand(t, client, "", "ghost", "--image=busybox:1.36")
	if got, want := errString(r.err), `pods "ghost" not found`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	assertActions(t, client, []action{{"get", "pods", "", "test", "ghost"}})
}

func TestRunCopyReplace(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--replace")
	if r.err != nil {
		t.Fatal(r.err)
	}
	wantActions := []action{
		{"get", "pods", "", "test", "app"},
		{"create", "pods", "", "test", "app-copy"},
		{"delete", "pods", "", "test", "app"},
	}
	assertActions(t, client, wantActions)
	del := client.Actions()[2].(k8stesting.DeleteAction)
	if got := del.GetDeleteOptions().GracePeriodSeconds; got == nil || *got != 0 {
		t.Errorf("grace period = %v, want 0", got)
	}
}

func TestRunCopyFailedCreateKeepsOriginal(t *testing.T) {
	taken := appPod()
	taken.Name = "app-copy"
	client := fake.NewClientset(appPod(), taken)
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--replace")
	want := `creating pod "app-copy", a copy of "app": pods "app-copy" already exists`
	if got := errString(r.err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	wantActions := []action{
		{"get", "pods", "", "test", "app"},
		{"create", "pods", "", "test", "app-copy"},
	}
	assertActions(t, client, wantActions)
	if _, err := client.CoreV1().Pods("test").Get(context.Background(), "app", metav1.GetOptions{}); err != nil {
		t.Errorf("the original pod is gone: %v", err)
	}
}

func TestRunCopyWithoutReplace(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--copy-to=app-copy", "-c", "web", "--", "sh")
	if r.err != nil {
		t.Fatal(r.err)
	}
	wantActions := []action{{"get", "pods", "", "test", "app"}, {"create", "pods", "", "test", "app-copy"}}
	assertActions(t, client, wantActions)
	if r.stdout != "" {
		t.Errorf("stdout = %q: editing a named container needs no name notice", r.stdout)
	}
}

func TestRunNode(t *testing.T) {
	client := fake.NewClientset(nodeA())
	r := runCommand(t, client, "", "node/node-a", "--image=busybox:1.36")
	if r.err != nil {
		t.Fatal(r.err)
	}
	wantActions := []action{
		{"get", "nodes", "", "", "node-a"},
		{"create", "pods", "", "test", "node-debugger-node-a-aaaaa"},
	}
	assertActions(t, client, wantActions)
	if want := "Creating debugging pod node-debugger-node-a-aaaaa with container debugger on node node-a.\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
}

func TestRunFromFileMakesNoGet(t *testing.T) {
	manifest := `apiVersion: v1
kind: Pod
metadata: {name: app, namespace: test}
spec:
  containers: [{name: web, image: nginx}]
`
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, manifest, "-f", "-", "--image=busybox:1.36", "-c", "dbg")
	if r.err != nil {
		t.Fatal(r.err)
	}
	assertActions(t, client, []action{{"patch", "pods", "ephemeralcontainers", "test", "app"}})

	nodes := "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n"
	client = fake.NewClientset(nodeA())
	r = runCommand(t, client, nodes, "-f", "-", "--image=busybox:1.36")
	if r.err != nil {
		t.Fatal(r.err)
	}
	assertActions(t, client, []action{{"create", "pods", "", "test", "node-debugger-node-a-aaaaa"}})
}

func TestRunRefusesPodsAndNodesTogether(t *testing.T) {
	manifest := "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n"
	for _, args := range [][]string{
		{"-f", "-", "--image=busybox:1.36"},
		{"app", "node/node-a", "--image=busybox:1.36"},
	} {
		client := fake.NewClientset(appPod(), nodeA())
		r := runCommand(t, client, manifest, args...)
		if got, want := errString(r.err), "pod/app and node/node-a: pods and nodes cannot be debugged in one call"; got != want {
			t.Errorf("%v: error = %q, want %q", args, got, want)
		}
		assertActions(t, client, nil)
	}
}

func TestRunFromFileWithoutSecurityContext(t *testing.T) {
	// A pod from a file may lack spec.securityContext; the non-root check must cope.
	manifest := writeFile(t, "pod.json", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}`)
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "-f", manifest, "--image=busybox:1.36", "-c", "dbg", "--profile=sysadmin", "--copy-to=app-copy")
	if r.err != nil {
		t.Fatal(r.err)
	}
	assertActions(t, client, []action{{"create", "pods", "", "test", "app-copy"}})
}

func TestRunFileNamespaceConflict(t *testing.T) {
	manifest := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: other}\n")
	client := fake.NewClientset()
	r := runCommand(t, client, "", "-f", manifest, "--image=busybox")
	err := r.err
	want := fmt.Sprintf(`-f %s: pod "app" is in namespace "other", not in namespace "test" given with --namespace`, manifest)
	if got := errString(err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API calls were made: %v", client.Actions())
	}
}

func TestRunSeveralTargetsNothingSentWhenOneFails(t *testing.T) {
	other := appPod()
	other.Name = "other"
	client := fake.NewClientset(appPod(), other)
	r := runCommand(t, client, "", "app", "ghost", "other", "--image=busybox:1.36", "-c", "dbg")
	if got, want := errString(r.err), "1 of 3 targets cannot be debugged, so nothing was sent (--keep-going sends the others)"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	wantActions := []action{
		{"get", "pods", "", "test", "app"},
		{"get", "pods", "", "test", "ghost"},
		{"get", "pods", "", "test", "other"},
	}
	assertActionsUnordered(t, client, wantActions)
	wantOut := "TARGET      POD      CONTAINER   RESULT\n" +
		"pod/app     app      dbg         not sent\n" +
		"pod/ghost   <none>   <none>      failed: pods \"ghost\" not found\n" +
		"pod/other   other    dbg         not sent\n"
	if r.stdout != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, wantOut)
	}
}

// Every target that cannot be found has its own row and counts once, however many
// there are: client-go answers a failed GET with an empty object, which must not make
// them one target.
func TestRunEveryMissingTargetCounts(t *testing.T) {
	tests := []struct {
		name     string
		objects  []runtime.Object
		args     []string
		wantErr  string
		wantOut  string
		wantSent []action
	}{
		{
			name:    "pods, --keep-going",
			objects: []runtime.Object{appPod()},
			args:    []string{"app", "b", "c", "--keep-going"},
			wantErr: "2 of 3 targets failed",
			wantOut: "TARGET    POD      CONTAINER   RESULT\n" +
				"pod/app   app      dbg         added\n" +
				"pod/b     <none>   <none>      failed: pods \"b\" not found\n" +
				"pod/c     <none>   <none>      failed: pods \"c\" not found\n",
			wantSent: []action{{"patch", "pods", "ephemeralcontainers", "test", "app"}},
		},
		{
			name:    "pods",
			objects: []runtime.Object{appPod()},
			args:    []string{"app", "b", "c"},
			wantErr: "2 of 3 targets cannot be debugged, so nothing was sent (--keep-going sends the others)",
			wantOut: "TARGET    POD      CONTAINER   RESULT\n" +
				"pod/app   app      dbg         not sent\n" +
				"pod/b     <none>   <none>      failed: pods \"b\" not found\n" +
				"pod/c     <none>   <none>      failed: pods \"c\" not found\n",
		},
		{
			name:    "nodes",
			objects: []runtime.Object{nodeA()},
			args:    []string{"node/node-a", "node/b", "node/c", "--keep-going"},
			wantErr: "2 of 3 targets failed",
			wantOut: "TARGET        POD                          CONTAINER   RESULT\n" +
				"node/node-a   node-debugger-node-a-aaaaa   dbg         created\n" +
				"node/b        <none>                       <none>      failed: nodes \"b\" not found\n" +
				"node/c        <none>                       <none>      failed: nodes \"c\" not found\n",
			wantSent: []action{{"create", "pods", "", "test", "node-debugger-node-a-aaaaa"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(tt.objects...)
			r := runCommand(t, client, "", append(tt.args, "--image=busybox:1.36", "-c", "dbg")...)
			if got := errString(r.err); got != tt.wantErr {
				t.Errorf("error = %q, want %q", got, tt.wantErr)
			}
			if r.stdout != tt.wantOut {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, tt.wantOut)
			}
			var sent []action
			for _, a := range actionsOf(client) {
				if a.Verb != "get" {
					sent = append(sent, a)
				}
			}
			if diff := cmp.Diff(tt.wantSent, sent); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
		})
	}
}

// When the targets span namespaces, every row names its target's namespace, also a
// target that could not be found.
func TestRunTableNamesNamespaceOfFailedTargets(t *testing.T) {
	file := writeFile(t, "targets.yaml", "apiVersion: v1\nkind: List\nitems:\n"+
		"- {apiVersion: v1, kind: Pod, metadata: {name: app, namespace: a}, spec: {containers: [{name: web, image: nginx}]}}\n"+
		"- {apiVersion: v1, kind: Pod, metadata: {name: app, namespace: b}, spec: {containers: [{name: web, image: nginx}]}}\n"+
		"- {apiVersion: apps/v1, kind: Deployment, metadata: {name: ghost, namespace: c}}\n")
	client := fake.NewClientset()
	r := newHarness(t, withKubeconfigNamespace("test")).run(client, "-f", file, "--image=busybox:1.36", "-c", "dbg", "--dry-run=client", "--keep-going")
	if got, want := errString(r.err), "1 of 3 targets failed"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	want := "NAMESPACE   TARGET             POD      CONTAINER   RESULT\n" +
		"a           pod/app            app      dbg         would be added (dry run)\n" +
		"b           pod/app            app      dbg         would be added (dry run)\n" +
		"c           deployment/ghost   <none>   <none>      failed: deployments.apps \"ghost\" not found\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	assertActions(t, client, []action{{"get", "deployments", "", "c", "ghost"}})
}

func TestRunNonRootWarning(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		warn  bool
		other string
	}{
		{"netadmin ephemeral", []string{"nonroot", "--image=busybox", "-c", "dbg", "--profile=netadmin"}, true, ""},
		{"sysadmin copy", []string{"nonroot", "--image=busybox", "-c", "dbg", "--profile=sysadmin", "--copy-to=x"}, true, ""},
		{"baseline adds nothing", []string{"nonroot", "--image=busybox", "-c", "dbg", "--profile=baseline"}, false, ""},
		{"runAsUser 0 from --custom", []string{"nonroot", "--image=busybox", "-c", "dbg", "--profile=netadmin", "--custom=" + writeFile(t, "root.yaml", "securityContext: {runAsUser: 0}\n")}, false,
			"Warning: --custom makes the debug pod more privileged than --profile=netadmin: securityContext.runAsUser: 0\n"},
		{"root pod", []string{"app", "--image=busybox", "-c", "dbg", "--profile=netadmin"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(appPod(), nonrootPod())
			r := runCommand(t, client, "", tt.args...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			want := tt.other
			if tt.warn {
				want = "Warning: " + nonRootWarning + "\n"
			}
			if r.stderr != want {
				t.Errorf("stderr = %q, want %q", r.stderr, want)
			}
		})
	}
}

func TestRunLegacyWarning(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "-c", "dbg", "--profile=legacy")
	want := "--profile=legacy is deprecated and planned to be removed in v1.39. It is recommended to specify other profile, for example \"--profile=general\".\n"
	if r.err != nil || r.stderr != want {
		t.Errorf("err=%v stderr=%q, want stderr %q", r.err, r.stderr, want)
	}
	// kubectl debug prints it whatever --quiet says.
	r = runCommand(t, client, "", "app", "--image=busybox", "-c", "dbg2", "--profile=legacy", "-q")
	if r.err != nil || r.stderr != want {
		t.Errorf("-q: err=%v stderr=%q, want stderr %q", r.err, r.stderr, want)
	}
}

func TestRunRESTMapperTargets(t *testing.T) {
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	run := func(target string) (result, *fake.Clientset) {
		client := fake.NewClientset(appPod())
		return newHarness(t, withMapper(mapper)).run(client, target, "--image=busybox", "-c", "dbg"), client
	}

	r, client := run("pods.v1./app")
	if r.err != nil {
		t.Fatal(r.err)
	}
	assertActions(t, client, []action{{"get", "pods", "", "test", "app"}, {"patch", "pods", "ephemeralcontainers", "test", "app"}})

	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	r, client = run("configmaps/web")
	if got, want := errString(r.err), `ConfigMap "web" is not supported: only pods, nodes and workloads (deployment, replicaset, statefulset, daemonset, job, replicationcontroller, service) can be debugged`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API calls were made: %v", client.Actions())
	}
}

func TestRunAttach(t *testing.T) {
	running := func(p *corev1.Pod, terminated bool) *corev1.Pod {
		p = p.DeepCopy()
		state := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
		if terminated {
			state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}
		}
		p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg"}}}
		p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{{Name: "dbg", State: state}}
		return p
	}
	tests := []struct {
		name        string
		terminated  bool
		attachErr   error
		wantAttach  bool
		wantOut     string
		wantErrText string
	}{
		// Without -t, kubectl attach says nothing of resuming: there is no terminal to resume.
		{name: "running: attach", wantAttach: true, wantErrText: sessionStart},
		{name: "terminated: logs", terminated: true, wantOut: "fake logs", wantErrText: "Container dbg exited with code 0 before it could be attached.\n"},
		// No session was held, so there is none to resume.
		{name: "attach fails: logs", attachErr: errors.New("upgrade refused"), wantAttach: true, wantOut: "fake logs",
			wantErrText: sessionStart + "warning: couldn't attach to pod/app, falling back to streaming logs: upgrade refused\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(appPod())
			watcher := watch.NewFake()
			client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
			streams, _, out, errOut := newTestStreams()
			o := NewDebugOptions(streams)
			o.client = client
			o.stdinIsTerminal = func(io.Reader) bool { return true }
			attached := false
			o.attachFunc = func(_ context.Context, pod *corev1.Pod, container string, _, _ io.Writer) error {
				attached = true
				if pod.Name != "app" || container != "dbg" {
					t.Errorf("attached to %s/%s, want app/dbg", pod.Name, container)
				}
				return tt.attachErr
			}
			go func() {
				// The container is still waiting at first, then runs or ends.
				waiting := running(appPod(), false)
				waiting.Status.EphemeralContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "pull failed"}}
				watcher.Modify(waiting)
				watcher.Modify(running(appPod(), tt.terminated))
			}()
			cmd := newCmdDebug(testGetter("test"), o)
			cmd.SetArgs([]string{"app", "--image=busybox", "-c", "dbg", "-i"})
			cmd.SilenceErrors = true
			if err := cmd.ExecuteContext(context.Background()); err != nil {
				t.Fatal(err)
			}
			if attached != tt.wantAttach {
				t.Errorf("attached = %v, want %v", attached, tt.wantAttach)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out.String(), tt.wantOut)
			}
			wantErr := "Warning: container dbg: pull failed\n" + tt.wantErrText
			if errOut.String() != wantErr {
				t.Errorf("stderr = %q, want %q", errOut.String(), wantErr)
			}
		})
	}
}

func TestRunAttachCancelledWhileWaiting(t *testing.T) {
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	streams, _, _, _ := newTestStreams()
	o := NewDebugOptions(streams)
	o.client = client
	ctx, cancel := context.WithCancel(context.Background())
	o.attachFunc = func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error {
		t.Error("attached after cancellation")
		return nil
	}
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		cancel() // Ctrl-C right after the container was added.
		return false, nil, nil
	})
	cmd := newCmdDebug(testGetter("test"), o)
	cmd.SetArgs([]string{"app", "--image=busybox", "-c", "dbg", "-i"})
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if !strings.Contains(errString(err), `pod "app"`) {
		t.Errorf("error %q does not name the pod", errString(err))
	}
}

func TestRunAttachPodDeleted(t *testing.T) {
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	streams, _, _, _ := newTestStreams()
	o := NewDebugOptions(streams)
	o.client = client
	go watcher.Delete(appPod())
	cmd := newCmdDebug(testGetter("test"), o)
	cmd.SetArgs([]string{"app", "--image=busybox", "-c", "dbg", "--attach", "--quiet"})
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(context.Background())
	if !apierrors.IsNotFound(err) {
		t.Errorf("error = %v, want not found", err)
	}
}

func TestRunEphemeralRefusesExistingName(t *testing.T) {
	for _, name := range []string{"web", "init"} {
		client := fake.NewClientset(appPod())
		r := runCommand(t, client, "", "app", "--image=busybox", "-c", name)
		want := `pod "app" already has a container called "` + name + `": an ephemeral container needs a new name (-c/--container)`
		if got := errString(r.err); got != want {
			t.Errorf("error = %q, want %q", got, want)
		}
		assertActions(t, client, []action{{"get", "pods", "", "test", "app"}})
	}
}

func TestRunShareVolumesWithoutContainers(t *testing.T) {
	empty := appPod()
	empty.Spec.Containers = nil
	client := fake.NewClientset(empty)
	r := runCommand(t, client, "", "app", "--image=busybox", "--share-volumes")
	if got, want := errString(r.err), `--share-volumes: pod "app" has no containers to share volumes with`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// Complete, Validate and Run are all a caller needs, in that order, as kubectl's own
// commands are called; Validate has no side effect, and Run works after Complete alone.
func TestCompleteValidateRun(t *testing.T) {
	for _, validate := range []int{0, 1, 2} {
		client := fake.NewClientset(appPod())
		streams, _, out, _ := newTestStreams()
		o := NewDebugOptions(streams)
		o.client = client
		cmd := newCmdDebug(testGetter("test"), o)
		args := []string{"app", "--image=busybox:1.36", "-c", "dbg", "--profile=netadmin"}
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		if err := o.Complete(testGetter("test"), cmd, cmd.Flags().Args()); err != nil {
			t.Fatal(err)
		}
		for range validate {
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		if err := o.Run(context.Background()); err != nil {
			t.Fatalf("Run after %d Validate calls: %v", validate, err)
		}
		assertActions(t, client, []action{{"get", "pods", "", "test", "app"}, {"patch", "pods", "ephemeralcontainers", "test", "app"}})
		pod, _ := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app")
		if diff := cmp.Diff(netadminSC, pod.(*corev1.Pod).Spec.EphemeralContainers[0].SecurityContext); diff != "" {
			t.Errorf("security context (-want +got):\n%s", diff)
		}
		if out.String() != "" {
			t.Errorf("stdout = %q", out.String())
		}
	}
}

// failingWriter fails the test on any write: no phase but present may print.
type failingWriter struct {
	t     *testing.T
	phase *string
}

func (w failingWriter) Write(p []byte) (int, error) {
	w.t.Errorf("%s wrote %q", *w.phase, p)
	return len(p), nil
}

func TestOnlyPresentPrints(t *testing.T) {
	root := appPod()
	root.Labels = map[string]string{"app": "web"}
	nonroot := nonrootPod()
	nonroot.Labels = map[string]string{"app": "web"}
	priv := writeFile(t, "priv.yaml", "securityContext: {privileged: true}\n")
	for _, args := range [][]string{
		{"-l", "app=web", "--image=busybox:1.36", "--profile=netadmin", "--custom=" + priv, "--share-volumes=main", "--keep-going"},
		{"nonroot", "--image=busybox:1.36", "--profile=netadmin", "--custom=" + priv, "--target=main", "--profile=legacy"},
		{"app", "--image=busybox:1.36", "--copy-to=app-copy", "--replace", "--dry-run=client"},
	} {
		client := fake.NewClientset(root, nonroot)
		o, err := newHarness(t).complete(client, args...)
		if err != nil {
			t.Fatal(err)
		}
		phase := ""
		silent := failingWriter{t: t, phase: &phase}
		o.Out, o.ErrOut = silent, silent

		ctx := context.Background()
		phase = "resolve"
		found, err := o.resolver().resolve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		phase = "plan"
		plans, failed, err := o.planAll(ctx, found)
		if err != nil {
			t.Fatal(err)
		}
		// Present prints where it was built to: a single target is announced before its
		// write, as kubectl debug does.
		var out, errOut bytes.Buffer
		o.Out, o.ErrOut = &out, &errOut
		pr := o.presenter()
		o.Out, o.ErrOut = silent, silent
		if several := o.severalTargets(len(found)); !several && len(plans) == 1 {
			pr.announce(plans[0])
		}
		phase = "execute"
		outcomes := append(failed, sender{client: client, dryRun: o.dryRun}.sendAll(ctx, plans, o.concurrency(), nil)...)

		err = pr.present(ctx, presentation{outcomes: byTarget(outcomes), planFailed: len(failed), several: o.severalTargets(len(found))})
		if out.Len()+errOut.Len() == 0 {
			t.Errorf("%v: present printed nothing (err %v)", args, err)
		}
	}
}

// Ctrl-C while targets are being planned ends the run before the next target, naming
// the step; nothing is sent.
func TestRunInterruptedWhilePlanning(t *testing.T) {
	manifest := writeFile(t, "pods.yaml", `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: test}, spec: {containers: [{name: main, image: nginx}]}}
- {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: test}, spec: {containers: [{name: main, image: nginx}]}}
- {apiVersion: v1, kind: Pod, metadata: {name: c, namespace: test}, spec: {containers: [{name: main, image: nginx}]}}
`)
	client := fake.NewClientset()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Planning the first target names its debug container: the user presses Ctrl-C then.
	h := newHarness(t, withOptions(func(o *DebugOptions) {
		o.nameSuffix = func() string {
			cancel()
			return "aaaaa"
		}
	}))
	o, err := h.complete(client, "-f", manifest, "--image=busybox", "--logs")
	if err != nil {
		t.Fatal(err)
	}
	err = o.Run(ctx)
	if got, want := errString(err), "planning (1 of 3 targets planned, nothing sent): context canceled"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API calls were made: %v", client.Actions())
	}
}
