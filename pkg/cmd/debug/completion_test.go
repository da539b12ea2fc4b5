package debug

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
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
	t.Setenv("KUBECTL_DEBUG_PROFILES", dir)
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
		{[]string{"app", "--target", ""}, []string{"init", "web", "sidecar", "auto"}},
		{[]string{"app", "--target", "a"}, []string{"auto"}},
		{[]string{"app", "--share-volumes=s"}, []string{"sidecar"}},
		// After a bare --share-volumes a target would be refused: the flag with a
		// container instead, never a pod.
		{[]string{"app", "--share-volumes", ""}, []string{"--share-volumes=init", "--share-volumes=web", "--share-volumes=sidecar"}},
		{[]string{"app", "--share-volumes", "--share-volumes=w"}, []string{"web"}},
		{[]string{"--share-volumes", ""}, nil},
		{[]string{"node/x", "-c", ""}, nil},
		{[]string{"app", "--profile", "s"}, []string{"sysadmin"}},
		{[]string{"app", "--profile", ""}, append(slices.Clone(profileNames), "auto")},
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

// slowGetter is a kubeconfig getter whose client configuration waits until release, as
// one that first checks the server's version against a server that never answers.
type slowGetter struct {
	*genericclioptions.TestConfigFlags
	release chan struct{}
}

func (g slowGetter) ToRESTConfig() (*rest.Config, error) {
	<-g.release
	return g.TestConfigFlags.ToRESTConfig()
}

// A completion ends with its context, even while the getter is still building the
// client: it offers nothing rather than keep the shell waiting.
func TestCompletionEndsWithItsContext(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for _, words := range [][]string{{""}, {"app", "-c", ""}} {
		o, _, _ := newHarness(t).options(nil)
		cmd := newCmdDebug(slowGetter{testGetter("test"), release}, o)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&bytes.Buffer{})
		cmd.SetArgs(append([]string{"__complete"}, words...))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(ctx) }()
		select {
		case err := <-done:
			if err != nil || out.String() != ":4\n" {
				t.Errorf("%q: err=%v stdout=%q, want nothing offered", words, err, out.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: completion still waiting for the client 10 s after its 50 ms limit", words)
		}
		cancel()
	}
}
