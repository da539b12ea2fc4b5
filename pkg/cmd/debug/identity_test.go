package debug

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// The command's names come from its caller: the annotation on the pods it creates, the
// variable and the directory of named profiles, and the --custom help that names them.
// NewCmdDebug, and a caller that leaves a name empty, get kubectl's.
func TestIdentityComesFromTheCaller(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	profile := func(dir, team string) string {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "team.yaml"), []byte("env: [{name: TEAM, value: "+team+"}]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	profile(filepath.Join(home, ".kube", "debug", "profiles"), "kubectl-home")
	profile(filepath.Join(home, ".example", "profiles"), "example-home")
	kubectlEnv := profile(t.TempDir(), "kubectl-env")
	exampleEnv := profile(t.TempDir(), "example-env")
	node := writeFile(t, "node.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n")

	example := Identity{ProfilesEnv: "EXAMPLE_DEBUG_PROFILES", ProfilesDir: filepath.Join(".example", "profiles"), TargetAnnotation: "example.com/debug-target"}
	withExample := func(streams genericiooptions.IOStreams) *cobra.Command {
		return NewCmdDebugWithIdentity(testGetter("test"), streams, example)
	}
	kubectl := func(streams genericiooptions.IOStreams) *cobra.Command {
		return NewCmdDebug(testGetter("test"), streams)
	}
	emptyIdentity := func(streams genericiooptions.IOStreams) *cobra.Command {
		return NewCmdDebugWithIdentity(testGetter("test"), streams, Identity{})
	}
	tests := []struct {
		name       string
		cmd        func(genericiooptions.IOStreams) *cobra.Command
		env        map[string]string
		wantUsage  string
		annotation string
		team       string
	}{
		{"caller's, from home", withExample, map[string]string{"KUBECTL_DEBUG_PROFILES": kubectlEnv},
			"$EXAMPLE_DEBUG_PROFILES (default ~/.example/profiles).", "example.com/debug-target", "example-home"},
		{"caller's, from its variable", withExample, map[string]string{"KUBECTL_DEBUG_PROFILES": kubectlEnv, "EXAMPLE_DEBUG_PROFILES": exampleEnv},
			"$EXAMPLE_DEBUG_PROFILES (default ~/.example/profiles).", "example.com/debug-target", "example-env"},
		{"kubectl's, from home", kubectl, map[string]string{"EXAMPLE_DEBUG_PROFILES": exampleEnv},
			"$KUBECTL_DEBUG_PROFILES (default ~/.kube/debug/profiles).", "kubectl.kubernetes.io/debug-target", "kubectl-home"},
		{"kubectl's, from its variable", kubectl, map[string]string{"KUBECTL_DEBUG_PROFILES": kubectlEnv, "EXAMPLE_DEBUG_PROFILES": exampleEnv},
			"$KUBECTL_DEBUG_PROFILES (default ~/.kube/debug/profiles).", "kubectl.kubernetes.io/debug-target", "kubectl-env"},
		{"empty names are kubectl's", emptyIdentity, map[string]string{"KUBECTL_DEBUG_PROFILES": kubectlEnv},
			"$KUBECTL_DEBUG_PROFILES (default ~/.kube/debug/profiles).", "kubectl.kubernetes.io/debug-target", "kubectl-env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECTL_DEBUG_PROFILES", "")
			t.Setenv("EXAMPLE_DEBUG_PROFILES", "")
			for name, value := range tt.env {
				t.Setenv(name, value)
			}
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			cmd := tt.cmd(streams)
			usage := cmd.Flags().Lookup("custom").Usage
			if want := "in " + tt.wantUsage; !strings.HasSuffix(usage, want) {
				t.Errorf("--custom help = %q, want it to end in %q", usage, want)
			}
			cmd.SetArgs([]string{"-f", node, "--image=busybox", "--custom=team", "--dry-run=client", "-o", "json"})
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%v (stderr %q)", err, errOut.String())
			}
			var pod corev1.Pod
			if err := json.Unmarshal(out.Bytes(), &pod); err != nil {
				t.Fatalf("%v in %q", err, out.String())
			}
			if diff := cmp.Diff(map[string]string{tt.annotation: "node/node-a"}, pod.Annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]corev1.EnvVar{{Name: "TEAM", Value: tt.team}}, pod.Spec.Containers[0].Env); diff != "" {
				t.Errorf("env from the named profile (-want +got):\n%s", diff)
			}
		})
	}
}
