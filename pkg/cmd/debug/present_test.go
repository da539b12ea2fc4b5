package debug

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// On a terminal, progress goes to standard error and is cleared before the table.
func TestProgressOnATerminal(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 3)...)
	r := newHarness(t, withTerminal(), withOptions(func(o *DebugOptions) { o.MaxConcurrency = 1 })).
		run(client, "-l", "app=web", "--image=busybox:1.36", "-c", "dbg")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "\r1/3 debugging...\r2/3 debugging...\r3/3 debugging...\r\033[K"; r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}

	// -q, or a single target, shows none.
	for _, args := range [][]string{
		{"-l", "app=web", "--image=busybox:1.36", "-c", "dbg2", "-q"},
		{"web-0", "--image=busybox:1.36", "-c", "dbg3", "-q"},
	} {
		r = newHarness(t, withTerminal()).run(client, args...)
		if r.err != nil || r.stderr != "" {
			t.Errorf("%v: err=%v stderr=%q, want no progress", args, r.err, r.stderr)
		}
	}
}

// With several targets, -o yaml and json print one List; other formats print each object.
func TestOutputForSeveralTargets(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 2)...)
	r := runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg", "--dry-run=client", "-o", "jsonpath={.kind}:{.items[*].metadata.name}")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "Pod:Pod:"; r.stdout != want {
		t.Errorf("jsonpath output = %q, want %q (one object at a time)", r.stdout, want)
	}

	r = runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg", "--dry-run=client", "-o", "name")
	if want := "pod/web-0\npod/web-1\n"; r.err != nil || r.stdout != want {
		t.Errorf("-o name: err=%v stdout=%q, want %q", r.err, r.stdout, want)
	}

	r = runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg", "--dry-run=client", "-o", "yaml")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{"apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n", "    name: web-0\n", "    name: web-1\n", "kind: List\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-o yaml output lacks %q:\n%s", want, r.stdout)
		}
	}
	assertActions(t, client, []action{{"list", "pods", "", "test", ""}, {"list", "pods", "", "test", ""}, {"list", "pods", "", "test", ""}})
}

// A warning that several plans share is printed once; one that concerns only some of
// them names those.
func TestWarningsOncePerRun(t *testing.T) {
	root := appPod()
	root.Name, root.Labels = "root", map[string]string{"app": "web"}
	nonroot := nonrootPod()
	nonroot.Labels = map[string]string{"app": "web"}
	client := fake.NewClientset(root, nonroot)
	priv := writeFile(t, "priv.yaml", "securityContext: {privileged: true}\n")
	r := runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg", "--profile=netadmin", "--custom="+priv, "--dry-run=client")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "Warning: --custom makes the debug pod more privileged than --profile=netadmin: securityContext.privileged: true\n" +
		"Warning: " + nonRootWarning + " (pod/nonroot)\n"
	if r.stderr != want {
		t.Errorf("stderr:\n%q\nwant:\n%q", r.stderr, want)
	}
	wantOut := "TARGET        POD       CONTAINER   RESULT\n" +
		"pod/nonroot   nonroot   dbg         would be added (dry run)\n" +
		"pod/root      root      dbg         would be added (dry run)\n"
	if r.stdout != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, wantOut)
	}
}

func TestLogPrefix(t *testing.T) {
	web := logTarget{pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "a"}}, container: "dbg"}
	if got, want := logPrefix(web.label(), 0, false), "[pod/web-0/dbg] "; got != want {
		t.Errorf("plain prefix = %q, want %q", got, want)
	}
	if got, want := logPrefix(web.label(), 13, true), "\033[32m[pod/web-0/dbg]\033[0m "; got != want {
		t.Errorf("coloured prefix = %q, want %q", got, want)
	}
	web.namespaced = true
	if got, want := logPrefix(web.label(), 0, false), "[pod/a/web-0/dbg] "; got != want {
		t.Errorf("prefix across namespaces = %q, want %q", got, want)
	}
}

// With -o and a target that cannot be planned, nothing is sent and nothing printed but
// the error: no empty List.
func TestOutputWhenNothingSent(t *testing.T) {
	client := fake.NewClientset(labelledPods("test", 1)...)
	r := runCommand(t, client, "", "web-0", "ghost", "--image=busybox:1.36", "-c", "dbg", "-o", "json")
	if got, want := errString(r.err), "1 of 2 targets cannot be debugged, so nothing was sent (--keep-going sends the others)"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
}

// A single target's notices and warnings come in kubectl debug's order, on one terminal:
// the --target container, the deprecations, the name chosen, then the warnings about
// the debug container.
func TestAnnounceOrder(t *testing.T) {
	targeting := "Targeting container \"main\". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n"
	tests := []struct {
		profile, want string
	}{
		{"legacy", targeting +
			"--profile=legacy is deprecated and planned to be removed in v1.39. It is recommended to specify other profile, for example \"--profile=general\".\n" +
			"Defaulting debug container name to debugger-aaaaa.\n"},
		{"netadmin", targeting +
			"Defaulting debug container name to debugger-aaaaa.\n" +
			"Warning: " + nonRootWarning + "\n"},
	}
	for _, tt := range tests {
		client := fake.NewClientset(nonrootPod())
		var shared bytes.Buffer
		r := newHarness(t, withOptions(func(o *DebugOptions) { o.Out, o.ErrOut = &shared, &shared })).
			run(client, "nonroot", "--image=busybox:1.36", "--profile="+tt.profile, "--target=main")
		if r.err != nil {
			t.Fatal(r.err)
		}
		if diff := cmp.Diff(tt.want, shared.String()); diff != "" {
			t.Errorf("--profile=%s: output (-want +got):\n%s", tt.profile, diff)
		}
	}
}

// The node debugging pod is named before it is created, as kubectl debug does: a create
// the server refuses follows the line.
func TestNodePodAnnouncedBeforeCreate(t *testing.T) {
	client := fake.NewClientset(nodeA())
	client.PrependReactor("create", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))
	})
	r := runCommand(t, client, "", "node/node-a", "--image=busybox:1.36")
	if r.err == nil {
		t.Fatal("the create succeeded, want the server's refusal")
	}
	if want := "Creating debugging pod node-debugger-node-a-aaaaa with container debugger on node node-a.\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	r = runCommand(t, client, "", "node/node-a", "--image=busybox:1.36", "-q")
	if r.stdout != "" {
		t.Errorf("-q: stdout = %q, want nothing", r.stdout)
	}
}

// The present phase built on its own, from its streams and a report: a single target
// as a client dry run frames it, then several targets in a table, as a run whose writes
// were kept reports them, with nothing following them.
func TestPresenterAlone(t *testing.T) {
	ctx := context.Background()
	copied := &plan{
		target: "pod/app", mode: ModeCopy, source: appPod(), container: "debugger", profile: ProfileGeneral, deleteSource: true,
		pod: &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "app-copy", Namespace: "test"},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "debugger", Image: "busybox:1.36"}}},
		},
		notices:  []string{"Defaulting debug container name to debugger."},
		warnings: []string{"a warning about the copy"},
	}
	var out, errOut bytes.Buffer
	pr := &presenter{
		console:      console{out: &out, errOut: &errOut},
		deprecations: []string{"a deprecation"},
		report:       rehearsal{mode: dryRunClient, remove: true, customs: []string{"env.yaml"}},
	}
	pr.announce(copied)
	err := pr.present(ctx, presentation{outcomes: []outcome{{target: "pod/app", plan: copied, pod: copied.pod}}})
	if err != nil {
		t.Fatal(err)
	}
	wantOut := "Defaulting debug container name to debugger.\n" +
		"Dry run (client): would create pod test/app-copy, a copy of pod test/app\n" +
		"  mode:      pod copy\n" +
		"  container: debugger\n" +
		"  image:     busybox:1.36\n" +
		"  profile:   general\n" +
		"  custom:    env.yaml\n"
	wantErr := "a deprecation\n" +
		"Warning: a warning about the copy\n" +
		"Dry run: --rm would delete pod test/app-copy when the session ends.\n" +
		"Dry run: pod test/app would be deleted once its copy app-copy exists.\n"
	if diff := cmp.Diff(wantOut, out.String()); diff != "" {
		t.Errorf("single target: stdout (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantErr, errOut.String()); diff != "" {
		t.Errorf("single target: stderr (-want +got):\n%s", diff)
	}

	added := func(name string) *plan {
		pod := appPod()
		pod.Name = name
		return &plan{target: "pod/" + name, mode: ModeEphemeral, source: pod, container: "dbg"}
	}
	web0, web1 := added("web-0"), added("web-1")
	web0.warnings = []string{"a warning about web-0"}
	out.Reset()
	errOut.Reset()
	pr = &presenter{console: console{out: &out, errOut: &errOut}, keepGoing: true, report: applied{}}
	err = pr.present(ctx, presentation{
		outcomes: []outcome{
			{target: "pod/web-0", plan: web0, pod: web0.source},
			{target: "pod/web-1", plan: web1, sent: true, err: errors.New(`pods "web-1" is forbidden`)},
			{target: "pod/ghost", namespace: "test", err: errors.New(`pods "ghost" not found`)},
		},
		planFailed: 1,
		several:    true,
	})
	if got, want := errString(err), "2 of 3 targets failed"; got != want {
		t.Errorf("several targets: error = %q, want %q", got, want)
	}
	wantOut = "TARGET      POD      CONTAINER   RESULT\n" +
		"pod/web-0   web-0    dbg         added\n" +
		"pod/web-1   web-1    dbg         failed: pods \"web-1\" is forbidden\n" +
		"pod/ghost   <none>   <none>      failed: pods \"ghost\" not found\n"
	if diff := cmp.Diff(wantOut, out.String()); diff != "" {
		t.Errorf("several targets: stdout (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("Warning: a warning about web-0 (pod/web-0)\n", errOut.String()); diff != "" {
		t.Errorf("several targets: stderr (-want +got):\n%s", diff)
	}
}
