//go:build integration

// Package conformance replays the invocations of cases.txt against a real kube-apiserver
// and compares what the command under test creates with what upstream kubectl v1.37.2
// created (expected/), after the normalisation README.md describes.
//
// hack/test-cmd.sh runs it against the local cluster:
//
//	KD_KUBECONFIG=_output/local-cluster/kubeconfig go test -tags integration ./test/conformance/
//
// DEBUGGER is the command under test, split on spaces (default: the project's binary);
// KD_CONFORMANCE_SKIP is a comma-separated list of case IDs to skip;
// KD_CONFORMANCE_MATCH_VERSION=false leaves out --match-server-version, for a reference
// kubectl of a newer release than the server (hack/conformance-next.sh).
//
// KD_CONFORMANCE_RECORD is a comma-separated list of case IDs whose expected/ID.json is
// written from what the command creates, normalised: run it with DEBUGGER set to the
// reference kubectl (DEBUGGER="$KD_BIN/kubectl debug") to record upstream's objects for
// new cases, never with the command under test.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// testCase is one line of cases.txt: ID|TARGET|EXPECT|ARGS.
type testCase struct {
	id     string
	target string
	expect string
	args   []string
	line   int
}

func TestConformance(t *testing.T) {
	kubeconfig := os.Getenv("KD_KUBECONFIG")
	if kubeconfig == "" {
		t.Fatal("KD_KUBECONFIG is not set: run hack/test-cmd.sh, or point it at the local cluster's kubeconfig")
	}
	restConfig, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatalf("loading %s: %v", kubeconfig, err)
	}
	// client-go's default of 5 requests/s would make setup, not the server, the bottleneck.
	restConfig.QPS, restConfig.Burst = 200, 400
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		t.Fatal(err)
	}

	debugger := strings.Fields(os.Getenv("DEBUGGER"))
	if len(debugger) == 0 {
		bin, err := filepath.Abs("../../_output/bin/kubectl-debugger")
		if err != nil {
			t.Fatal(err)
		}
		debugger = []string{bin}
	}
	skip := caseSet(os.Getenv("KD_CONFORMANCE_SKIP"))
	record := caseSet(os.Getenv("KD_CONFORMANCE_RECORD"))

	customDir, err := filepath.Abs("custom")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := readCases("cases.txt", customDir)
	if err != nil {
		t.Fatal(err)
	}
	fixtures := loadFixtures(t)

	// The reference of the next release is a newer client than the server, which
	// --match-server-version would refuse.
	matchVersion := os.Getenv("KD_CONFORMANCE_MATCH_VERSION") != "false"
	r := &runner{client: client, debugger: debugger, kubeconfig: kubeconfig, fixtures: fixtures, record: record, matchVersion: matchVersion}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			if skip[tc.id] {
				t.Skipf("skipped by KD_CONFORMANCE_SKIP")
			}
			r.run(t, tc)
		})
	}
}

type fixtureSet struct {
	pods  []*corev1.Pod
	nodes []*corev1.Node
}

func loadFixtures(t *testing.T) fixtureSet {
	t.Helper()
	var fs fixtureSet
	for _, name := range []string{"app.yaml", "nonroot.yaml"} {
		pod := &corev1.Pod{}
		decodeFile(t, filepath.Join("fixtures", name), pod)
		fs.pods = append(fs.pods, pod)
	}
	for _, name := range []string{"node.yaml", "node-windows.yaml"} {
		node := &corev1.Node{}
		decodeFile(t, filepath.Join("fixtures", name), node)
		fs.nodes = append(fs.nodes, node)
	}
	return fs
}

func decodeFile(t *testing.T, path string, into any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := utilyaml.NewYAMLOrJSONDecoder(f, 4096).Decode(into); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}

func readCases(path, customDir string) ([]testCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []testCase
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "|", 4)
		if len(parts) != 4 {
			return nil, fmt.Errorf("%s:%d: want ID|TARGET|EXPECT|ARGS, got %q", path, n, line)
		}
		tc := testCase{id: parts[0], target: parts[1], expect: parts[2], line: n}
		if seen[tc.id] {
			return nil, fmt.Errorf("%s:%d: duplicate case %s", path, n, tc.id)
		}
		seen[tc.id] = true
		for _, arg := range strings.Fields(parts[3]) {
			tc.args = append(tc.args, strings.ReplaceAll(arg, "$C", customDir))
		}
		cases = append(cases, tc)
	}
	return cases, sc.Err()
}

type runner struct {
	client     kubernetes.Interface
	debugger   []string
	kubeconfig string
	fixtures   fixtureSet
	// record lists the cases whose expected objects this run writes.
	record map[string]bool
	// matchVersion passes --match-server-version to every call.
	matchVersion bool
}

func (r *runner) run(t *testing.T, tc testCase) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns, versions := r.setup(ctx, t, tc.id)

	// -n goes first: after a "--" it would be part of the debug container's command.
	// --match-server-version, as kubernetes' own test/cmd passes to every call.
	args := append([]string{}, r.debugger[1:]...)
	if r.matchVersion {
		args = append(args, "--match-server-version")
	}
	args = append(args, "-n", ns)
	args = append(args, tc.args...)
	cmd := exec.CommandContext(ctx, r.debugger[0], args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+r.kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		t.Fatalf("running %s: %v", r.debugger[0], runErr)
	}
	invocation := fmt.Sprintf("cases.txt:%d: %s %s", tc.line, strings.Join(r.debugger, " "), strings.Join(args[len(r.debugger)-1:], " "))
	output := fmt.Sprintf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())

	switch {
	case tc.expect == "same":
		if runErr != nil {
			t.Fatalf("%s\nfailed: %v\n%s", invocation, runErr, output)
		}
	case tc.expect == "error":
		if runErr == nil {
			t.Errorf("%s\nsucceeded, want a non-zero exit\n%s", invocation, output)
		}
		if strings.TrimSpace(stderr.String()) == "" {
			t.Errorf("%s\nprinted nothing on stderr, want a clear message", invocation)
		}
	case strings.HasPrefix(tc.expect, "differ:"):
		if runErr != nil {
			t.Fatalf("%s\nfailed: %v\n%s", invocation, runErr, output)
		}
	default:
		t.Fatalf("cases.txt:%d: unknown EXPECT %q", tc.line, tc.expect)
	}

	got := normalise(r.readBack(ctx, t, ns, tc.target))

	if jq, ok := strings.CutPrefix(tc.expect, "differ:"); ok {
		if err := jqTrue(got, jq); err != nil {
			t.Errorf("%s\n%v", invocation, err)
		}
		return
	}
	if r.record[tc.id] {
		r.writeExpected(t, tc.id, got)
	}
	want := normalise(readJSON(t, filepath.Join("expected", tc.id+".json")))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s\nobject read back (%s) differs from expected/%s.json (-want +got):\n%s\n%s", invocation, tc.target, tc.id, diff, output)
	}
	if tc.expect == "error" {
		r.assertUntouched(ctx, t, ns, versions, invocation)
	}
}

// setup makes the fresh namespace every case starts from; it returns the namespace and
// the resourceVersion of each pod it created.
func (r *runner) setup(ctx context.Context, t *testing.T, id string) (string, map[string]string) {
	t.Helper()
	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	ns := "conformance-" + strings.ToLower(id) + "-" + hex.EncodeToString(suffix)
	// Namespaces are left behind; the cluster is thrown away after the suite.
	if _, err := r.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Pods are refused until the controller-manager has given the namespace its
	// ServiceAccount.
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := r.client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("waiting for the ServiceAccount default of namespace %s: %v", ns, err)
	}
	versions := map[string]string{}
	for _, pod := range r.fixtures.pods {
		created, err := r.client.CoreV1().Pods(ns).Create(ctx, pod.DeepCopy(), metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating pod %s: %v", pod.Name, err)
		}
		versions[created.Name] = created.ResourceVersion
	}
	for _, node := range r.fixtures.nodes {
		if _, err := r.client.CoreV1().Nodes().Create(ctx, node.DeepCopy(), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("creating node %s: %v", node.Name, err)
		}
	}
	return ns, versions
}

// readBack returns the object the case's TARGET names, as README.md describes it.
func (r *runner) readBack(ctx context.Context, t *testing.T, ns, target string) any {
	t.Helper()
	kind, name, _ := strings.Cut(target, ":")
	switch kind {
	case "none":
		return nil
	case "eph":
		pod := r.getPod(ctx, t, ns, name)
		if pod == nil {
			t.Fatalf("pod %s/%s is gone", ns, name)
		}
		eph := field(pod, "spec", "ephemeralContainers")
		if eph == nil {
			return []any{}
		}
		return eph
	case "copy":
		pod := r.getPod(ctx, t, ns, name)
		if pod == nil {
			t.Fatalf("pod %s/%s was not created", ns, name)
		}
		return map[string]any{
			"labels":      field(pod, "metadata", "labels"),
			"annotations": field(pod, "metadata", "annotations"),
			"spec":        field(pod, "spec"),
			"original":    r.getPod(ctx, t, ns, "app") != nil,
		}
	case "node":
		raw, err := r.client.CoreV1().RESTClient().Get().Namespace(ns).Resource("pods").DoRaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			t.Fatal(err)
		}
		sort.Slice(list.Items, func(i, j int) bool {
			return fmt.Sprint(field(list.Items[i], "metadata", "name")) < fmt.Sprint(field(list.Items[j], "metadata", "name"))
		})
		out := []any{}
		for _, pod := range list.Items {
			if n, _ := field(pod, "metadata", "name").(string); strings.HasPrefix(n, "node-debugger") {
				out = append(out, map[string]any{"labels": field(pod, "metadata", "labels"), "spec": field(pod, "spec")})
			}
		}
		return out
	}
	t.Fatalf("unknown TARGET %q", target)
	return nil
}

// assertUntouched checks what an error case must not have changed, whatever its TARGET:
// the fixtures are as created (nothing runs them, so any write is the command's) and no
// other pod exists.
func (r *runner) assertUntouched(ctx context.Context, t *testing.T, ns string, versions map[string]string, invocation string) {
	t.Helper()
	pods, err := r.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pods.Items {
		names = append(names, p.Name)
		if len(p.Spec.EphemeralContainers) != 0 {
			t.Errorf("%s\npod %s got ephemeral containers", invocation, p.Name)
		}
		if v, ok := versions[p.Name]; ok && v != p.ResourceVersion {
			t.Errorf("%s\npod %s was changed (resourceVersion %s, created as %s)", invocation, p.Name, p.ResourceVersion, v)
		}
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"app", "nonroot"}, names); diff != "" {
		t.Errorf("%s\npods in the namespace (-want +got):\n%s", invocation, diff)
	}
}

// getPod returns the pod as the server serialises it, or nil when it does not exist.
func (r *runner) getPod(ctx context.Context, t *testing.T, ns, name string) map[string]any {
	t.Helper()
	raw, err := r.client.CoreV1().RESTClient().Get().Namespace(ns).Resource("pods").Name(name).DoRaw(ctx)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("getting pod %s/%s: %v", ns, name, err)
	}
	var pod map[string]any
	if err := json.Unmarshal(raw, &pod); err != nil {
		t.Fatal(err)
	}
	return pod
}

func field(obj map[string]any, path ...string) any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

var randomSuffix = regexp.MustCompile(`(debugger|kube-api-access)-[a-z0-9]{5}$`)

// normalise replaces random name suffixes with RAND and sorts every env list by name, so
// that objects from different runs compare equal. It also makes the value plain JSON.
func normalise(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return walk(out, "")
}

func walk(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			x[k] = walk(val, k)
		}
		return x
	case []any:
		for i, val := range x {
			x[i] = walk(val, "")
		}
		if key == "env" {
			sort.SliceStable(x, func(i, j int) bool {
				return fmt.Sprint(field2(x[i], "name")) < fmt.Sprint(field2(x[j], "name"))
			})
		}
		return x
	case string:
		return randomSuffix.ReplaceAllString(x, "$1-RAND")
	}
	return v
}

func field2(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

// jqTrue evaluates a `differ:JQ` expression with the jq program on the object read back.
func jqTrue(obj any, expr string) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	cmd := exec.Command("jq", "-e", expr)
	cmd.Stdin = bytes.NewReader(raw)
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return fmt.Errorf("jq %q on the object read back is %s, want true:\n%s", expr, strings.TrimSpace(string(out)), raw)
		}
		return fmt.Errorf("differ cases need jq: %v", err)
	}
	return nil
}

// caseSet reads a comma-separated list of case IDs.
func caseSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			set[id] = true
		}
	}
	return set
}

// writeExpected records got as what case id expects (KD_CONFORMANCE_RECORD).
func (r *runner) writeExpected(t *testing.T, id string, got any) {
	t.Helper()
	raw, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("expected", id+".json"), append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
