// Package strictdoc decodes the files a user writes (JSON or multi-document YAML) keeping
// numbers as written, and checks a decoded document against the Go type it must fit,
// strategic-merge directives included, so that every error names the file's field path
// instead of the position a generic decoder reports.
package strictdoc

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

	yamlv3 "go.yaml.in/yaml/v3"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Document is one value of a file, as JSON decodes it (numbers kept as written), and
// the line it starts on.
type Document struct {
	Value any
	Line  int
}

// Decode decodes every document of a file the user wrote: a stream of JSON values, or
// YAML documents separated by ---, empty YAML documents skipped. It is strict where the
// ordinary decoders are lenient: a duplicate key, or content after the end of a
// document, is an error, and errors give the line (and for JSON the column) in the
// file. name chooses the grammar, as IsJSON says.
func Decode(name string, data []byte) ([]Document, error) {
	if IsJSON(name, data) {
		return decodeJSON(data)
	}
	return decodeYAML(data)
}

// IsJSON tells which grammar to report errors in: the file's extension when it has a
// known one, else its first character.
func IsJSON(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return true
	case ".yaml", ".yml":
		return false
	}
	trimmed := bytes.TrimSpace(data)
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// decodeJSON decodes a stream of JSON values, refusing duplicate keys.
func decodeJSON(data []byte) ([]Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var docs []Document
	for {
		start := dec.InputOffset()
		// The document is decoded twice, for its duplicate keys and for its value, one
		// after the other: a list of thousands of objects is not held twice.
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, jsonSyntaxError(data, err)
		}
		var strict any
		strictErrs, err := kjson.UnmarshalStrict(raw, &strict, kjson.DisallowDuplicateFields)
		if err != nil {
			return nil, jsonSyntaxError(data, err)
		}
		if len(strictErrs) > 0 {
			return nil, strictErrs[0]
		}
		valueDec := json.NewDecoder(bytes.NewReader(raw))
		valueDec.UseNumber()
		var value any
		if err := valueDec.Decode(&value); err != nil {
			return nil, jsonSyntaxError(data, err)
		}
		// The document starts after the space that precedes it, which raw leaves out.
		span := data[start:dec.InputOffset()]
		skipped := len(span) - len(bytes.TrimLeft(span, " \t\r\n"))
		line, _ := position(data, start+int64(skipped)+1)
		docs = append(docs, Document{Value: value, Line: line})
	}
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

// decodeYAML decodes YAML documents, refusing duplicate keys and content after the end
// of a document; error lines count from the file's top.
func decodeYAML(data []byte) ([]Document, error) {
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

	var docs []Document
	for _, p := range parts {
		converted, err := yaml.YAMLToJSONStrict(p.text)
		if err != nil {
			return nil, yamlError(err, p.firstLine-1)
		}
		if !endsWell(p.text) {
			return nil, fmt.Errorf("invalid YAML: content after the end of the document that starts at line %d", p.firstLine)
		}
		if string(converted) == "null" {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(converted))
		dec.UseNumber()
		var value any
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		docs = append(docs, Document{Value: value, Line: p.firstLine})
	}
	return docs, nil
}

// endsWell tells whether a YAML document has nothing after its end, such as a second
// JSON object after the first, which the converter silently drops.
func endsWell(text []byte) bool {
	dec := yamlv3.NewDecoder(bytes.NewReader(text))
	var node yamlv3.Node
	if err := dec.Decode(&node); err != nil {
		// The converter has already accepted it; its verdict stands.
		return true
	}
	return dec.Decode(&node) == io.EOF
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

// DescribeJSON names a decoded JSON value's type the way a user would.
func DescribeJSON(v any) string {
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
