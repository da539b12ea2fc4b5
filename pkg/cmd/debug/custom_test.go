package debug

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// badCustomInputs are plain-form documents refused with exactly these messages.
var badCustomInputs = []struct {
	file, content, want string
}{
	{"empty.yaml", "", `--custom empty.yaml: the file is empty: a custom profile is a partial container spec such as {"env": [...]}`},
	{"comments.yaml", "# nothing here\n", `--custom comments.yaml: the document is null, but a custom profile must be an object: a partial container spec`},
	{"blank.json", "  \n\t\n", `--custom blank.json: the file is empty: a custom profile is a partial container spec such as {"env": [...]}`},
	{"empty-object.json", "{}", `--custom empty-object.json: the document is empty: a custom profile is a partial container spec such as {"env": [...]}`},
	{"bad.json", `{"env": [{"name": "A", "value": "b"}` + "\n", `--custom bad.json: invalid JSON at line 1, column 37: unexpected end of input`},
	{"comma.json", "{\n  \"env\": [],\n}\n", `--custom comma.json: invalid JSON at line 3, column 1: invalid character '}' looking for beginning of object key string`},
	{"two.json", `{"env": []} {"args": []}`, `--custom two.json: more than one JSON document: a custom profile is a single object`},
	{"dup.json", `{"stdin": true, "stdin": false}`, `--custom dup.json: duplicate field "stdin"`},
	{"list.json", `[{"name": "x"}]`, `--custom list.json: the document is a list, but a custom profile must be an object: a partial container spec`},
	{"string.yaml", "just a string\n", `--custom string.yaml: the document is a string, but a custom profile must be an object: a partial container spec`},
	{"bad.yaml", "env:\n- name: A\n  value: [\n", `--custom bad.yaml: invalid YAML: line 3: did not find expected node content`},
	{"indent.yaml", "stdin: true\n tty: true\n", `--custom indent.yaml: invalid YAML: line 2: mapping values are not allowed in this context`},
	{"dup.yaml", "stdin: true\nstdin: false\n", `--custom dup.yaml: invalid YAML: line 2: key "stdin" already set in map`},
	{"two.yaml", "stdin: true\n---\ntty: true\n", `--custom two.yaml: more than one YAML document (a second one starts at line 2): a custom profile is a single object`},
	{"second-bad.yaml", "---\nstdin: true\n---\ntty: [\n", `--custom second-bad.yaml: invalid YAML: line 4: did not find expected node content`},
	{"typo.yaml", "enviroment:\n- name: A\n  value: b\n", `--custom typo.yaml: unknown field "enviroment"`},
	{"deep.yaml", "env:\n- name: A\n  valu: b\n", `--custom deep.yaml: unknown field "env[0].valu"`},
	{"deeper.json", `{"securityContext": {"capabilities": {"ad": ["NET_ADMIN"]}}}`, `--custom deeper.json: unknown field "securityContext.capabilities.ad"`},
	{"type.json", `{"stdin": "yes"}`, `--custom type.json: field "stdin": expected true or false, got a string "yes"`},
	{"type-list.json", `{"env": {"name": "A"}}`, `--custom type-list.json: field "env": expected a list, got an object {"name":"A"}`},
	{"type-deep.yaml", "env:\n- name: A\n  value: 1\n", `--custom type-deep.yaml: field "env[0].value": expected a string, got a number 1`},
	{"type-caps.json", `{"securityContext": {"capabilities": {"add": "NET_ADMIN"}}}`, `--custom type-caps.json: field "securityContext.capabilities.add": expected a list, got a string "NET_ADMIN"`},
	{"int.json", `{"securityContext": {"runAsUser": 1.5}}`, `--custom int.json: field "securityContext.runAsUser": 1.5 is not a 64-bit integer`},
	{"quantity.json", `{"resources": {"limits": {"cpu": "lots"}}}`, `--custom quantity.json: field "resources.limits.cpu": invalid value "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
	{"image.yaml", "image: evil:latest\n", `--custom image.yaml: field "image" cannot be set by a custom profile: the image comes from --image`},
	{"command.json", `{"command": ["sh"]}`, `--custom command.json: field "command" cannot be set by a custom profile: the command comes from the arguments after --`},
	{"name.json", `{"name": "x"}`, `--custom name.json: field "name" cannot be set by a custom profile: the container name comes from -c/--container`},
	{"lifecycle.json", `{"lifecycle": {}}`, `--custom lifecycle.json: field "lifecycle" cannot be set by a custom profile: lifecycle hooks are not supported on debug containers`},
	{"devices.json", `{"volumeDevices": []}`, `--custom devices.json: field "volumeDevices" cannot be set by a custom profile: volume devices are not supported on debug containers`},
	{"patch.json", `{"env": [{"$patch": "remove", "name": "A"}]}`, `--custom patch.json: field "env[0].$patch": invalid $patch value "remove": must be replace, delete or merge`},
	{"directive.json", `{"$bogus": 1}`, `--custom directive.json: field "$bogus": unknown patch directive "$bogus"`},
	{"retain.json", `{"securityContext": {"$retainKeys": ["nope"]}}`, `--custom retain.json: field "securityContext.$retainKeys": "nope" is not a field here`},
	{"order.json", `{"$setElementOrder/stdin": []}`, `--custom order.json: field "$setElementOrder/stdin": "stdin" is not a list field here`},
	{"order-type.yaml", "$setElementOrder/args: [{x: 1}]\n", `--custom order-type.yaml: field "$setElementOrder/args[0]": expected a string, got an object {"x":1}`},
	{"order-keyed.yaml", "$setElementOrder/env: [A]\n", `--custom order-keyed.yaml: field "$setElementOrder/env[0]": expected an object, got a string "A"`},
	{"order-null.yaml", "$setElementOrder/args: [null]\n", `--custom order-null.yaml: field "$setElementOrder/args[0]": null in an order or delete list`},
	{"delete-keyed.yaml", "$deleteFromPrimitiveList/env: [{name: A}]\n", `--custom delete-keyed.yaml: field "$deleteFromPrimitiveList/env": "env" is a list of objects; delete entries with $patch: delete`},
	{"bin.yaml", "\x00\x01\x02\xff\xfe", `--custom bin.yaml: the file is not text: a custom profile is a JSON or YAML document`},
	{"image.png", "\x89PNG\r\n\x1a\n\x00\x00", `--custom image.png: the file is not text: a custom profile is a JSON or YAML document`},
	{"tab.yaml", "env:\n\t- name: A\n", `--custom tab.yaml: invalid YAML: line 2: found character that cannot start any token`},
	{"selinux.json", `{"securityContext": {"seLinuxOptions": {"level": 5}}}`, `--custom selinux.json: field "securityContext.seLinuxOptions.level": expected a string, got a number 5`},
	{"port.yaml", "livenessProbe: {httpGet: {port: [80]}}\n", `--custom port.yaml: field "livenessProbe.httpGet.port": invalid value [80]: json: cannot unmarshal array into Go value of type int32`},
}

func TestParseCustomProfileErrors(t *testing.T) {
	for _, tt := range badCustomInputs {
		t.Run(tt.file, func(t *testing.T) {
			_, err := parseCustomProfile(tt.file, []byte(tt.content))
			if got := errString(err); got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestReadCustomProfileFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "--custom " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
		{dir, "--custom " + dir + ": is a directory"},
	}
	for _, tt := range tests {
		_, err := readCustomProfile(tt.path, nil)
		if got := errString(err); got != tt.want {
			t.Errorf("readCustomProfile(%s) error = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestParseCustomProfileKeepsExplicitValues(t *testing.T) {
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
			c := mustCustom(t, tt.file, tt.content)
			if diff := cmp.Diff(tt.patch, string(c.containerPatch)); diff != "" {
				t.Errorf("patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckEphemeralFields(t *testing.T) {
	hint := "it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node"
	tests := []struct{ content, want string }{
		{"ports:\n- containerPort: 8080\n", `--custom c.yaml: field "ports": ` + hint},
		{"resources:\n  limits: {cpu: 1}\n", `--custom c.yaml: field "resources": ` + hint},
		{"readinessProbe: {exec: {command: [\"true\"]}}\n", `--custom c.yaml: field "readinessProbe": ` + hint},
		{"restartPolicy: Always\n", `--custom c.yaml: field "restartPolicy": ` + hint},
		{"volumeMounts:\n- {name: a, mountPath: /a}\n- {name: b, mountPath: /b, subPath: x}\n", `--custom c.yaml: field "volumeMounts[1].subPath": ` + hint},
		{"volumeMounts:\n- {name: a, mountPath: /a, subPath: \"\"}\nenv: [{name: A}]\nresources: null\n", ""},
		{"resources: {}\nports: []\n", ""},
		{"$setElementOrder/ports: [{containerPort: 80}]\n", `--custom c.yaml: field "$setElementOrder/ports": ` + hint},
	}
	for _, tt := range tests {
		err := mustCustom(t, "c.yaml", tt.content).checkEphemeralFields()
		if got := errString(err); got != tt.want {
			t.Errorf("%q: error = %q, want %q", tt.content, got, tt.want)
		}
	}
}

// The conformance data's custom files must parse (or fail) the same way here.
func TestConformanceCustomFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "test", "conformance", "custom")
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
		_, err = parseCustomProfile(e.Name(), data)
		if got := errString(err); got != want[e.Name()] {
			t.Errorf("%s: error = %q, want %q", e.Name(), got, want[e.Name()])
		}
	}
}

// Every example profile the docs show is accepted.
func TestExampleProfilesParse(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "..", "examples", "profiles", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example profiles: %v", err)
	}
	paths = append(paths, filepath.Join("..", "..", "..", "examples", "env.yaml"), filepath.Join("..", "..", "..", "examples", "resources.json"))
	for _, path := range paths {
		if _, err := readCustomProfile(path, nil); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}
