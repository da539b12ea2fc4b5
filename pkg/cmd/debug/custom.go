package debug

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// customProfile is one --custom file: a partial container spec, checked strictly and kept
// as the document the user wrote, so that explicit false, 0, "" and null reach the merge.
type customProfile struct {
	// source is the file name as the user gave it, for messages.
	source string
	// doc is the decoded document, used for the per-mode checks.
	doc map[string]any
	// patch is the strategic merge patch built from doc.
	patch []byte
}

// refusedCustomFields are container fields a custom profile may not set, each with the
// reason a user needs to hear. A null value is dropped instead: it would only clear what
// the flags set, which no user means.
var refusedCustomFields = map[string]string{
	"name":          "the container name comes from -c/--container",
	"command":       "the command comes from the arguments after --",
	"image":         "the image comes from --image",
	"lifecycle":     "lifecycle hooks are not supported on debug containers",
	"volumeDevices": "volume devices are not supported on debug containers",
}

// ephemeralForbiddenFields are the container fields the API server refuses on an
// ephemeral container; they work on a pod copy or a node debugging pod.
var ephemeralForbiddenFields = []string{
	"lifecycle", "livenessProbe", "ports", "readinessProbe", "resizePolicy",
	"resources", "restartPolicy", "restartPolicyRules", "startupProbe",
}

// readCustomProfile reads and checks the --custom file at path.
func readCustomProfile(path string) (*customProfile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--custom %s: %w", path, unwrapPathError(err))
	}
	return parseCustomProfile(path, data)
}

// unwrapPathError drops the path os errors repeat, since the caller names the file.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseCustomProfile decodes data strictly as a partial container spec; name is the file
// name used in messages and to choose the grammar.
func parseCustomProfile(name string, data []byte) (*customProfile, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("--custom %s: %s", name, fmt.Sprintf(format, args...))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail("the file is empty: a custom profile is a partial container spec such as {\"env\": [...]}")
	}

	var (
		doc any
		err error
	)
	if isJSON(name, data) {
		doc, err = decodeJSONDocument(data)
	} else {
		doc, err = decodeYAMLDocument(data)
	}
	if err != nil {
		return nil, fail("%v", err)
	}

	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fail("the document is %s, but a custom profile must be an object: a partial container spec", describeJSON(doc))
	}
	if len(obj) == 0 {
		return nil, fail("the document is empty: a custom profile is a partial container spec such as {\"env\": [...]}")
	}
	if err := checkAgainstSchema(obj, containerType, ""); err != nil {
		return nil, fail("%v", err)
	}

	patch := make(map[string]any, len(obj))
	for key, value := range obj {
		if reason, refused := refusedCustomFields[key]; refused {
			if value != nil {
				return nil, fail("field %q cannot be set by a custom profile: %s", key, reason)
			}
			continue
		}
		patch[key] = value
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return nil, fail("%v", err)
	}
	// A trial merge onto an empty container catches what only the merge code knows about,
	// such as a directive in the wrong place, before any API call is made.
	if _, err := strategicpatch.StrategicMergePatch([]byte(`{"name":"debugger"}`), raw, corev1.Container{}); err != nil {
		return nil, fail("cannot be merged as a strategic merge patch: %v", err)
	}
	return &customProfile{source: name, doc: obj, patch: raw}, nil
}

// isJSON tells which grammar to report errors in: the file's extension when it has a
// known one, else its first character.
func isJSON(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return true
	case ".yaml", ".yml":
		return false
	}
	trimmed := bytes.TrimSpace(data)
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// decodeJSONDocument decodes exactly one JSON value, keeping numbers as written and
// refusing duplicate keys.
func decodeJSONDocument(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonSyntaxError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON document: a custom profile is a single object")
	}
	var strict any
	strictErrs, err := kjson.UnmarshalStrict(data, &strict, kjson.DisallowDuplicateFields)
	if err != nil {
		return nil, jsonSyntaxError(data, err)
	}
	if len(strictErrs) > 0 {
		return nil, strictErrs[0]
	}
	return doc, nil
}

// jsonSyntaxError turns a decoder error into one that gives the line and column.
func jsonSyntaxError(data []byte, err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		line, col := position(data, syntax.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, syntax)
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(data, int64(len(bytes.TrimRight(data, " \t\r\n"))))
		return fmt.Errorf("invalid JSON at line %d, column %d: unexpected end of input", line, col+1)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// position returns the 1-based line and column of the byte at offset-1: the last byte a
// JSON decoder read before it failed.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 1), int64(len(data)))
	before := data[:offset-1]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

var (
	yamlSeparator = regexp.MustCompile(`^---(\s|$)`)
	yamlLineRef   = regexp.MustCompile(`line (\d+)`)
)

// decodeYAMLDocument decodes exactly one YAML document (leading and trailing empty
// documents are allowed), refusing duplicate keys; error lines count from the file's top.
func decodeYAMLDocument(data []byte) (any, error) {
	type part struct {
		text      []byte
		firstLine int
	}
	var parts []part
	current := part{firstLine: 1}
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if yamlSeparator.Match(line) {
			parts = append(parts, current)
			current = part{firstLine: i + 2}
			continue
		}
		current.text = append(current.text, line...)
	}
	parts = append(parts, current)

	var (
		doc   any
		found int
	)
	for _, p := range parts {
		converted, err := yaml.YAMLToJSONStrict(p.text)
		if err != nil {
			return nil, yamlError(err, p.firstLine-1)
		}
		if string(converted) == "null" {
			continue
		}
		if found++; found > 1 {
			return nil, fmt.Errorf("more than one YAML document (a second one starts at line %d): a custom profile is a single object", p.firstLine)
		}
		dec := json.NewDecoder(bytes.NewReader(converted))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
	}
	return doc, nil
}

// yamlError shifts the line numbers in a YAML parser error by offset lines.
func yamlError(err error, offset int) error {
	msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = yamlLineRef.ReplaceAllStringFunc(msg, func(ref string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(ref, "line "))
		return "line " + strconv.Itoa(n+offset)
	})
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = strings.Join(strings.Fields(msg), " ")
	return fmt.Errorf("invalid YAML: %s", msg)
}

// describeJSON names a decoded JSON value's type the way a user would.
func describeJSON(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// checkEphemeralFields refuses what the API server forbids on ephemeral containers, so
// the user hears it before the pod is touched and is told where the field does work.
func (c *customProfile) checkEphemeralFields() error {
	hint := "it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node"
	for _, field := range ephemeralForbiddenFields {
		if v, ok := c.doc[field]; ok && v != nil {
			return fmt.Errorf("--custom %s: field %q: %s", c.source, field, hint)
		}
	}
	mounts, _ := c.doc["volumeMounts"].([]any)
	for i, m := range mounts {
		mount, _ := m.(map[string]any)
		keys := make([]string, 0, 2)
		for _, key := range []string{"subPath", "subPathExpr"} {
			if v, ok := mount[key]; ok && v != nil && v != "" {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		if len(keys) > 0 {
			return fmt.Errorf("--custom %s: field \"volumeMounts[%d].%s\": %s", c.source, i, keys[0], hint)
		}
	}
	return nil
}
