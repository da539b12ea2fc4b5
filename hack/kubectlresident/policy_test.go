package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-debugger/kubectl-debugger/hack/kubectlresident/wire"
)

func TestPlan(t *testing.T) {
	home := t.TempDir()
	own := map[string]string{"HOME": home, "KUBECONFIG": "/suite/kubeconfig"}
	env := func(kv ...string) map[string]string {
		m := map[string]string{"HOME": home, "KUBECONFIG": "/suite/kubeconfig"}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<unset>" {
				delete(m, kv[i])
				continue
			}
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want command
		err  string
	}{
		{name: "get", args: []string{"--request-timeout=30s", "get", "-n", "ns", "pod/a", "-o", "name"}, env: env(),
			want: command{args: []string{"--request-timeout=30s", "get", "-n", "ns", "pod/a", "-o", "name"}}},
		{name: "create from stdin", args: []string{"create", "-n", "ns", "-f", "-"}, env: env(),
			want: command{args: []string{"create", "-n", "ns", "-f", "-"}, stdin: true}},
		{name: "stdin, the shorthand's value attached", args: []string{"apply", "-f-"}, env: env(),
			want: command{args: []string{"apply", "-f-"}, stdin: true}},
		{name: "stdin, the long flag", args: []string{"create", "--filename=-"}, env: env(),
			want: command{args: []string{"create", "--filename=-"}, stdin: true}},
		{name: "absolute file and URL", args: []string{"delete", "-f", "/m.yaml", "--filename", "https://127.0.0.1/m.yaml"}, env: env(),
			want: command{args: []string{"delete", "-f", "/m.yaml", "--filename", "https://127.0.0.1/m.yaml"}}},
		{name: "another KUBECONFIG becomes the flag", args: []string{"get", "pods"}, env: env("KUBECONFIG", "/node/kubeconfig"),
			want: command{args: []string{"--kubeconfig=/node/kubeconfig", "get", "pods"}}},
		{name: "the flag wins over KUBECONFIG", args: []string{"get", "pods", "--kubeconfig", "/dev/kubeconfig"}, env: env("KUBECONFIG", "/node/kubeconfig"),
			want: command{args: []string{"get", "pods", "--kubeconfig", "/dev/kubeconfig"}}},
		{name: "a verb not run here", args: []string{"attach", "pod/a"}, env: env(), err: `command "attach" is not run here`},
		{name: "a flag before the verb", args: []string{"-n", "ns", "get", "pods"}, env: env(), err: `command "-n" is not run here`},
		{name: "no verb", args: []string{"--request-timeout=1s"}, env: env(), err: `command "" is not run here`},
		{name: "a watch", args: []string{"get", "pods", "-w"}, env: env(), err: "flag -w is not run here"},
		{name: "a watch, long", args: []string{"get", "pods", "--watch=true"}, env: env(), err: "flag --watch is not run here"},
		{name: "kustomize", args: []string{"apply", "-k", "/dir"}, env: env(), err: "flag -k is not run here"},
		{name: "relative file", args: []string{"create", "-f", "pod.yaml"}, env: env(), err: "-f pod.yaml is relative to the caller's directory"},
		{name: "relative file, attached", args: []string{"create", "-fpod.yaml"}, env: env(), err: "-f pod.yaml is relative to the caller's directory"},
		{name: "relative kubeconfig", args: []string{"get", "--kubeconfig=k"}, env: env(), err: "--kubeconfig k is relative to the caller's directory"},
		{name: "another HOME", args: []string{"get", "pods"}, env: env("HOME", "/elsewhere"), err: "environment variable HOME differs from the server's"},
		{name: "a variable the server lacks", args: []string{"get", "pods"}, env: env("KUBECACHEDIR", "/c"), err: "environment variable KUBECACHEDIR differs from the server's"},
		{name: "a variable the caller lacks", args: []string{"get", "pods"}, env: env("HOME", "<unset>"), err: "environment variable HOME differs from the server's"},
		{name: "a list in KUBECONFIG", args: []string{"get", "pods"}, env: env("KUBECONFIG", "/a:/b"), err: `KUBECONFIG "/a:/b" cannot be given as --kubeconfig`},
		{name: "no KUBECONFIG", args: []string{"get", "pods"}, env: env("KUBECONFIG", "<unset>"), err: `KUBECONFIG "" cannot be given as --kubeconfig`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := plan(wire.Request{Args: tc.args, Dir: "/work", Env: tc.env}, own)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(command{})); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanRefusesWhereAKubercApplies(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".kube"), 0o700); err != nil {
		t.Fatal(err)
	}
	kuberc := filepath.Join(home, ".kube", "kuberc")
	if err := os.WriteFile(kuberc, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		env map[string]string
		err string
	}{
		"in the home": {env: map[string]string{"HOME": home}, err: kuberc + " exists"},
		"named":       {env: map[string]string{"HOME": home, "KUBERC": "/k"}, err: "KUBERC names a kuberc"},
		"off":         {env: map[string]string{"HOME": home, "KUBERC": "off"}},
		"disabled":    {env: map[string]string{"HOME": home, "KUBECTL_KUBERC": "false"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := plan(wire.Request{Args: []string{"get", "pods"}, Env: tc.env}, tc.env)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tc.err {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
}
