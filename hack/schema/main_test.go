package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// compiled is the generated schema, ready to validate documents.
func compiled(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := json.Marshal(build())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("custom-profile.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("custom-profile.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// load reads a YAML or JSON file as the validator wants it.
func load(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	converted, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(converted))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The schema accepts every example profile and refuses what the command refuses.
func TestSchemaAgreesWithTheCommand(t *testing.T) {
	s := compiled(t)
	root := filepath.Join("..", "..")
	valid, _ := filepath.Glob(filepath.Join(root, "examples", "profiles", "*"))
	valid = append(valid,
		filepath.Join(root, "examples", "env.yaml"),
		filepath.Join(root, "examples", "resources.json"),
		filepath.Join(root, "test", "conformance", "custom", "kep.json"),
		filepath.Join(root, "test", "conformance", "custom", "netadmin-env.yaml"),
	)
	for _, path := range valid {
		if err := s.Validate(load(t, path)); err != nil {
			t.Errorf("%s: refused: %v", path, err)
		}
	}
	invalid := map[string]string{
		"typo.yaml":     "enviroment: []\n",
		"image.yaml":    "image: evil\n",
		"type.json":     `{"stdin": "yes"}`,
		"pod.yaml":      "apiVersion: debugger.kubectl-debugger.github.io/v1alpha1\nkind: DebugProfile\npod: {spec: {containers: []}}\n",
		"kind.yaml":     "apiVersion: debugger.kubectl-debugger.github.io/v1alpha1\nkind: Pod\n",
		"nodename.yaml": "apiVersion: debugger.kubectl-debugger.github.io/v1alpha1\nkind: DebugProfile\npod: {spec: {nodeName: x}}\n",
	}
	dir := t.TempDir()
	for name, content := range invalid {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(load(t, path)); err == nil {
			t.Errorf("%s: accepted, want refused", name)
		}
	}
}

// The committed schema is the generated one.
func TestCommittedSchemaIsCurrent(t *testing.T) {
	committed, err := os.ReadFile(filepath.Join("..", "..", "docs", "custom-profile.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(build()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, buf.Bytes()) {
		t.Error("docs/custom-profile.schema.json is stale: run go run ./hack/schema > docs/custom-profile.schema.json")
	}
}
