package debug

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
)

// TestBadInputCatalogue runs every refused --custom input through the command, in each
// mode where it matters: one error naming the file, a non-zero exit (an error from
// Execute), nothing printed besides, and no API call.
func TestBadInputCatalogue(t *testing.T) {
	type input struct{ name, file, content, want string }
	var inputs []input
	for _, in := range cataloguetest.Containers {
		inputs = append(inputs, input{in.File, in.File, in.Content, in.Want})
	}
	for _, in := range cataloguetest.Documents {
		inputs = append(inputs, input{"doc " + in.Name, "p.yaml", in.Content, in.Want})
	}
	if len(inputs) < 40 {
		t.Fatalf("the catalogue has %d inputs, want at least 40", len(inputs))
	}
	modes := map[string][]string{
		"ephemeral": {"app", "--image=busybox"},
		"copy":      {"app", "--image=busybox", "--copy-to=app-copy"},
		"node":      {"node/node-a", "--image=busybox"},
	}
	for _, in := range inputs {
		for mode, args := range modes {
			t.Run(in.name+"/"+mode, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), in.file)
				if err := os.WriteFile(path, []byte(in.content), 0o600); err != nil {
					t.Fatal(err)
				}
				want := strings.Replace(in.want, "--custom "+in.file+":", "--custom "+path+":", 1)
				assertRefused(t, want, append(args, "--custom="+path)...)
			})
		}
	}
}

// TestBadInputCatalogueFiles covers inputs that are not documents at all.
func TestBadInputCatalogueFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBECTL_DEBUG_PROFILES", dir)
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, []byte(`{"env": [`+strings.Repeat(`{"name": "A", "value": "b"},`, 40000)+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ value, want string }{
		{dir, "--custom " + dir + ": is a directory"},
		{filepath.Join(dir, "missing.yaml"), "--custom " + filepath.Join(dir, "missing.yaml") + ": no such file or directory"},
		{"missing", "--custom missing: no such file, and no named profile \"missing\": tried missing, " +
			filepath.Join(dir, "missing.yaml") + ", " + filepath.Join(dir, "missing.yml") + ", " + filepath.Join(dir, "missing.json")},
		{huge, "--custom " + huge + ": larger than 1 MiB: a custom profile is a short partial spec"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.value), func(t *testing.T) {
			assertRefused(t, tt.want, "app", "--image=busybox", "--custom="+tt.value)
		})
	}
}

// assertRefused runs the command and checks it fails with want and nothing else.
func assertRefused(t *testing.T, want string, args ...string) {
	t.Helper()
	client := fake.NewClientset(appPod(), nodeA())
	r := runCommand(t, client, "", args...)
	if got := errString(r.err); got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
	if r.stdout != "" || r.stderr != "" {
		t.Errorf("printed %q / %q besides the error", r.stdout, r.stderr)
	}
	if n := len(client.Actions()); n != 0 {
		t.Errorf("%d API calls were made, want none", n)
	}
}
