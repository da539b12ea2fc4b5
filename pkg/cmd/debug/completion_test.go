package debug

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// completions runs cobra's __complete with words against client and returns the
// completions offered, without the directive line.
func completions(t *testing.T, client *fake.Clientset, words ...string) []string {
	t.Helper()
	o, _, _ := newHarness(t).options(client)
	cmd := newCmdDebug(testGetter("test"), o)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs(append([]string{"__complete"}, words...))
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line != "" && !strings.HasPrefix(line, ":") && !strings.HasPrefix(line, "Completion ended") {
			got = append(got, line)
		}
	}
	return got
}

func TestCompleteTargets(t *testing.T) {
	objs := append(labelledPods("test", 2), labelledNodes(1)...)
	objs = append(objs, webWorkloads()...)
	objs = append(objs, webPod("web-9", "Running", true, time.Now()))
	client := fake.NewClientset(objs...)
	kinds := []string{"node/", "pod/", "deployment/", "replicaset/", "statefulset/", "daemonset/", "job/", "replicationcontroller/", "service/"}
	tests := []struct {
		words []string
		want  []string
	}{
		{[]string{""}, append([]string{"other", "web-0", "web-1", "web-9"}, kinds...)},
		{[]string{"web-"}, []string{"web-0", "web-1", "web-9"}},
		{[]string{"no"}, []string{"node/"}},
		{[]string{"node/"}, []string{"node/cpu0", "node/n0"}},
		{[]string{"node/n"}, []string{"node/n0"}},
		{[]string{"deployment/"}, []string{"deployment/web"}},
		{[]string{"svc/w"}, []string{"svc/web"}},
		{[]string{"web-0", ""}, append([]string{"other", "web-0", "web-1", "web-9"}, kinds...)},
		{[]string{"-l", "app=web", ""}, []string{"pods", "nodes"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, completions(t, client, tt.words...)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.words, diff)
		}
	}
	for _, a := range client.Actions() {
		if a.GetVerb() != "list" && a.GetVerb() != "get" {
			t.Errorf("completion wrote: %v", a)
		}
	}
}

func TestCompleteFlags(t *testing.T) {
	client := fake.NewClientset([]runtime.Object{appPod()}...)
	dir := t.TempDir()
	t.Setenv("KUBECTL_DEBUGGER_PROFILES", dir)
	for _, name := range []string{"sre.yaml", "net.json", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	t.Chdir(work)
	for _, name := range []string{"mine.yaml", "README.md"} {
		if err := os.WriteFile(name, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir("profiles", 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		words []string
		want  []string
	}{
		{[]string{"app", "-c", ""}, []string{"init", "web", "sidecar"}},
		{[]string{"app", "--target", "w"}, []string{"web"}},
		{[]string{"app", "--share-volumes=s"}, []string{"sidecar"}},
		{[]string{"node/x", "-c", ""}, nil},
		{[]string{"app", "--profile", "s"}, []string{"sysadmin"}},
		{[]string{"app", "--profile", ""}, profileNames},
		{[]string{"app", "--image-pull-policy", ""}, []string{"Always", "IfNotPresent", "Never"}},
		{[]string{"app", "--dry-run="}, []string{"none", "client", "server"}},
		{[]string{"app", "-o", "j"}, []string{"json", "jsonpath", "jsonpath-as-json", "jsonpath-file"}},
		{[]string{"app", "--run-as", ""}, []string{"target", "root"}},
		{[]string{"app", "--custom", ""}, []string{"net", "sre", "mine.yaml", "profiles/"}},
		{[]string{"app", "--custom", "s"}, []string{"sre"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, completions(t, client, tt.words...)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.words, diff)
		}
	}
}

// -c completes a workload target with the containers of the pod the command would
// choose for it, and with nothing when the workload has no pod (no waiting).
func TestCompleteContainersOfWorkload(t *testing.T) {
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	chosen := webPod("web-old", corev1.PodRunning, true, old)
	chosen.Spec.Containers = append(chosen.Spec.Containers, corev1.Container{Name: "proxy", Image: "envoy"})
	other := webPod("web-new", corev1.PodRunning, true, old.Add(time.Hour))
	other.Spec.Containers[0].Name = "other"
	client := fake.NewClientset(append(webWorkloads(), chosen, other)...)
	for _, arg := range []string{"deployment/web", "svc/web", "rc/web"} {
		if diff := cmp.Diff([]string{"main", "proxy"}, completions(t, client, arg, "-c", "")); diff != "" {
			t.Errorf("%s -c (-want +got):\n%s", arg, diff)
		}
	}
	empty := fake.NewClientset(webWorkloads()...)
	if got := completions(t, empty, "deployment/web", "--target", ""); got != nil {
		t.Errorf("a workload without pods completes %q, want nothing", got)
	}
}
