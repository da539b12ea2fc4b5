package customprofile

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
)

func TestParseErrors(t *testing.T) {
	for _, tt := range cataloguetest.Containers {
		t.Run(tt.File, func(t *testing.T) {
			_, err := Parse(tt.File, []byte(tt.Content))
			if got := errString(err); got != tt.Want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.Want)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "--custom " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
		{dir, "--custom " + dir + ": is a directory"},
	}
	for _, tt := range tests {
		_, err := Load(context.Background(), tt.path, "", nil)
		if got := errString(err); got != tt.want {
			t.Errorf("Load(%s) error = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestParseKeepsExplicitValues(t *testing.T) {
	tests := []struct {
		file, content, patch string
	}{
		{"false.yaml", "stdin: false\ntty: false\n", `{"stdin":false,"tty":false}`},
		{"zero.json", `{"securityContext": {"runAsUser": 0}}`, `{"securityContext":{"runAsUser":0}}`},
		{"null.json", `{"env": null, "workingDir": ""}`, `{"env":null,"workingDir":""}`},
		{"refused-null.yaml", "image: null\ncommand: null\nenv: []\n", `{"env":[]}`},
		{"directives.json", `{"env": [{"$patch": "replace"}, {"name": "A", "value": "1"}], "securityContext": {"$patch": "replace", "privileged": false}}`,
			`{"env":[{"$patch":"replace"},{"name":"A","value":"1"}],"securityContext":{"$patch":"replace","privileged":false}}`},
		{"big-int.json", `{"securityContext": {"runAsUser": 9007199254740993}}`, `{"securityContext":{"runAsUser":9007199254740993}}`},
		{"noext", "stdin: true\n", `{"stdin":true}`},
		{"noext-json", `{"stdin": true}`, `{"stdin":true}`},
		{"same-line.yaml", "--- {env: [{name: A, value: \"1\"}]}\n", `{"env":[{"name":"A","value":"1"}]}`},
		{"bom.json", "\xef\xbb\xbf{\"tty\": true}", `{"tty":true}`},
		{"crlf.yaml", "stdin: false\r\ntty: true\r\n", `{"stdin":false,"tty":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := mustParse(t, tt.file, tt.content)
			if diff := cmp.Diff(tt.patch, string(c.containerPatch)); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckEphemeral(t *testing.T) {
	hint := "it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node"
	tests := []struct{ content, want string }{
		{"ports:\n- containerPort: 8080\n", `--custom c.yaml: field "ports": ` + hint},
		{"resources:\n  limits: {cpu: 1}\n", `--custom c.yaml: field "resources": ` + hint},
		{"readinessProbe: {exec: {command: [\"true\"]}}\n", `--custom c.yaml: field "readinessProbe": ` + hint},
		{"restartPolicy: Always\n", `--custom c.yaml: field "restartPolicy": ` + hint},
		{"volumeMounts:\n- {name: a, mountPath: /a}\n- {name: b, mountPath: /b, subPath: x}\n", `--custom c.yaml: field "volumeMounts[1].subPath": ` + hint},
		{"volumeMounts:\n- {name: a, mountPath: /a, subPath: \"\"}\n", `--custom c.yaml: field "volumeMounts[0].subPath": ` + hint},
		{"resources: null\n", `--custom c.yaml: field "resources": ` + hint},
		{"resources: {}\n", `--custom c.yaml: field "resources": ` + hint},
		{"ports: []\n", `--custom c.yaml: field "ports": ` + hint},
		{"startupProbe: {}\n", `--custom c.yaml: field "startupProbe": ` + hint},
		{"volumeMounts:\n- {name: a, mountPath: /a}\nenv: [{name: A}]\n", ""},
		{"$setElementOrder/ports: [{containerPort: 80}]\n", `--custom c.yaml: field "$setElementOrder/ports": ` + hint},
	}
	for _, tt := range tests {
		err := mustParse(t, "c.yaml", tt.content).CheckEphemeral()
		if got := errString(err); got != tt.want {
			t.Errorf("%q: error = %q, want %q", tt.content, got, tt.want)
		}
	}
}

// The conformance data's custom files must parse (or fail) the same way here.
func TestConformanceCustomFiles(t *testing.T) {
	dir := filepath.Join("testdata", "conformance-custom")
	want := map[string]string{
		"bad.json":     `--custom bad.json: invalid JSON at line 1, column 37: unexpected end of input`,
		"command.json": `--custom command.json: field "command" cannot be set by a custom profile: the command comes from the arguments after --`,
		"empty.yaml":   `--custom empty.yaml: the file is empty: a custom profile is a partial container spec such as {"env": [...]}`,
		"image.yaml":   `--custom image.yaml: field "image" cannot be set by a custom profile: the image comes from --image`,
		"typo.yaml":    `--custom typo.yaml: unknown field "enviroment"`,
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(e.Name(), data)
		if got := errString(err); got != want[e.Name()] {
			t.Errorf("%s: error = %q, want %q", e.Name(), got, want[e.Name()])
		}
	}
}

// Every example profile the docs show is accepted.
func TestExampleProfilesParse(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "examples", "profiles", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example profiles: %v", err)
	}
	paths = append(paths, filepath.Join("testdata", "examples", "env.yaml"), filepath.Join("testdata", "examples", "resources.json"))
	for _, path := range paths {
		if _, err := Load(context.Background(), path, "", nil); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// mustParse parses a custom profile or fails the test.
func mustParse(t *testing.T, name, content string) *Profile {
	t.Helper()
	p, err := Parse(name, []byte(content))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// writeFile writes content to name in a fresh temporary folder and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
