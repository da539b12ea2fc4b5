package customprofile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Decoding of --custom documents: exactly one JSON or YAML value, numbers kept as written,
// duplicate keys refused, and errors that point at a line and column in the user's file.

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
			// A document may start on the separator's line ("--- {a: 1}"); blanking the
			// marker keeps that content and its columns.
			current = part{firstLine: i + 1, text: append([]byte("   "), line[3:]...)}
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
