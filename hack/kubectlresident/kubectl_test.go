package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// pod is a manifest that kubectl's --local commands change without a server.
const pod = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec: {containers: [{name: c, image: busybox}]}
`

// runLocal runs a command in-process on files of a temporary directory and returns its
// status, standard output and standard error.
func runLocal(t *testing.T, c command, stdin string) (int, string, string) {
	t.Helper()
	s := streams(t, stdin)
	code := run(c, genericiooptions.IOStreams{In: s[0], Out: s[1], ErrOut: s[2]})
	return code, content(t, s[1]), content(t, s[2])
}

func TestRunIsKubectl(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "pod.yaml")
	if err := os.WriteFile(manifest, []byte(pod), 0o600); err != nil {
		t.Fatal(err)
	}
	// No cluster: --local commands never reach one, and the others must fail as kubectl
	// fails, through its fatal error handler.
	t.Setenv("KUBECONFIG", filepath.Join(dir, "none"))
	t.Setenv("KUBECTL_KUBERC", "false")
	for _, tc := range []struct {
		name           string
		c              command
		stdin          string
		code           int
		stdout, stderr string
	}{
		{name: "a file", c: command{args: []string{"label", "--local", "-f", manifest, "team=a", "-o", "jsonpath={.metadata.labels}"}},
			stdout: `{"team":"a"}`},
		{name: "standard input", c: command{args: []string{"annotate", "--local", "-f", "-", "note=x", "-o", "name"}, stdin: true}, stdin: pod,
			stdout: "pod/web\n"},
		{name: "a missing file", c: command{args: []string{"label", "--local", "-f", filepath.Join(dir, "missing.yaml"), "team=a"}},
			code: 1, stderr: `error: the path "` + filepath.Join(dir, "missing.yaml") + `" does not exist` + "\n"},
		{name: "an unknown flag", c: command{args: []string{"get", "--bogus"}},
			code: 1, stderr: "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runLocal(t, tc.c, tc.stdin)
			if code != tc.code || stdout != tc.stdout || stderr != tc.stderr {
				t.Errorf("got status %d, stdout %q, stderr %q\nwant status %d, stdout %q, stderr %q", code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

func TestRunGivesEachCommandItsOwnStandardInput(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("KUBECTL_KUBERC", "false")
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			s := streams(t, pod[:len("apiVersion: v1\nkind: Pod\nmetadata: {name: web")]+string(rune('a'+i))+pod[len("apiVersion: v1\nkind: Pod\nmetadata: {name: web"):])
			run(command{args: []string{"label", "--local", "-f", "-", "x=y", "-o", "name"}, stdin: true}, genericiooptions.IOStreams{In: s[0], Out: s[1], ErrOut: s[2]})
			got[i] = content(t, s[1]) + content(t, s[2])
		})
	}
	wg.Wait()
	for i, out := range got {
		if want := "pod/web" + string(rune('a'+i)) + "\n"; out != want {
			t.Errorf("command %d printed %q, want %q", i, out, want)
		}
	}
	if os.Stdin.Name() != "/dev/stdin" {
		t.Errorf("os.Stdin is %s after the commands, want the process's own", os.Stdin.Name())
	}
}

// TestSameKubectlAsTheReference checks that the server runs the kubectl the suite's
// reference binary is built from (hack/tools): the same versions of kubectl and of the
// client libraries that shape its output.
func TestSameKubectlAsTheReference(t *testing.T) {
	versions := func(path string) map[string]string {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, line := range strings.Split(string(data), "\n") {
			fields := strings.Fields(line)
			// A require line, in a block or not; a replace line's target wins.
			if len(fields) >= 2 && fields[0] == "require" {
				fields = fields[1:]
			}
			if len(fields) >= 4 && fields[1] == "=>" {
				fields = fields[2:]
			}
			for _, module := range []string{"k8s.io/kubectl", "k8s.io/cli-runtime", "k8s.io/client-go", "k8s.io/apimachinery", "k8s.io/api"} {
				if len(fields) >= 2 && fields[0] == module {
					found[module] = fields[1]
				}
			}
		}
		return found
	}
	ours, reference := versions("../../go.mod"), versions("../tools/go.mod")
	if len(ours) != 5 {
		t.Fatalf("go.mod names %v, want the versions of 5 modules", ours)
	}
	for module, version := range ours {
		if reference[module] != version {
			t.Errorf("%s is %s here and %q in hack/tools/go.mod, which builds the reference kubectl", module, version, reference[module])
		}
	}
}
