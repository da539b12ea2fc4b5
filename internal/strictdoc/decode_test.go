package strictdoc

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// libraryDecode is sigs.k8s.io/yaml's strict decoding of a whole file into a value,
// numbers kept as written, as Decode keeps them.
func libraryDecode(data []byte) (any, error) {
	converted, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(converted))
	dec.UseNumber()
	var value any
	err = dec.Decode(&value)
	return value, err
}

// Decode accepts and refuses what sigs.k8s.io/yaml's strict decoding accepts and
// refuses, and gives the same value, for every file of one document. Decode exists for
// what the library does not do, the deliberate differences, each checked here with what
// Decode gives instead:
//   - a file of several YAML documents or JSON values is every document, where the
//     library reads the first and drops the rest;
//   - a JSON number is kept as written (1.0), where the library gives YAML's reading (1);
//   - content after a document's end (a second JSON object on the same line) is refused,
//     where the library drops it silently;
//   - an empty document is no document, where the library gives null;
//   - errors name the line (and for JSON the column) counted from the file's top.
func TestDecodeMatchesLibrary(t *testing.T) {
	same := []struct{ name, data string }{
		{"doc.yaml", "a: 1\nb: [x, \"y\", 2.50, true, null]\nc: {d: e}\n"},
		{"doc.yaml", "- a\n- 1e3\n- 12345678901234567890\n"},
		{"doc.yaml", "a: 1\na: 2\n"},
		{"doc.yaml", "a:\n  b: 1\n  b: 1\n"},
		{"doc.yaml", "a: [1, 2\n"},
		{"doc.yaml", "a: b: c\n"},
		{"doc.yaml", "a: &x 1\nb: *x\n"},
		{"doc.yaml", "\ta: 1\n"},
		{"doc.yaml", "'quoted key': yes\non: off\n"},
		{"doc.json", `{"a": 1, "b": [1.5, "x", {"c": null}]}`},
		{"doc.json", `{"a": 1, "a": 2}`},
		{"doc.json", `{"a": [1, 2}`},
		{"doc.json", `[{"name": "x"}, {"name": "y"}]`},
		{"doc", `{"a": {"b": 1}}`},
	}
	for _, tt := range same {
		docs, err := Decode(tt.name, []byte(tt.data))
		want, wantErr := libraryDecode([]byte(tt.data))
		if (err == nil) != (wantErr == nil) {
			t.Errorf("%s %q: Decode error %v, library error %v", tt.name, tt.data, err, wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if len(docs) != 1 {
			t.Errorf("%s %q: %d documents, want 1", tt.name, tt.data, len(docs))
			continue
		}
		if diff := cmp.Diff(want, docs[0].Value); diff != "" {
			t.Errorf("%s %q (-library +Decode):\n%s", tt.name, tt.data, diff)
		}
	}

	deliberate := []struct {
		name, data string
		// library is what the library gives: a value, or an error when libraryErr.
		library    any
		libraryErr bool
		// docs or err is what Decode gives.
		docs []Document
		err  string
	}{
		{name: "doc.yaml", data: "a: 1\n---\nb: 2\n", library: map[string]any{"a": json.Number("1")},
			docs: []Document{{Value: map[string]any{"a": json.Number("1")}, Line: 1}, {Value: map[string]any{"b": json.Number("2")}, Line: 2}}},
		{name: "doc.json", data: "{\"a\": 1}\n{\"b\": 2}\n", library: map[string]any{"a": json.Number("1")},
			docs: []Document{{Value: map[string]any{"a": json.Number("1")}, Line: 1}, {Value: map[string]any{"b": json.Number("2")}, Line: 2}}},
		{name: "doc.yaml", data: `{"a": 1} {"b": 2}`, library: map[string]any{"a": json.Number("1")},
			err: "invalid YAML: content after the end of the document that starts at line 1"},
		{name: "doc.yaml", data: "", library: nil, docs: nil},
		{name: "doc.yaml", data: "a: 1\n---\nb: 1\nb: 2\n", library: map[string]any{"a": json.Number("1")},
			err: `invalid YAML: line 4: key "b" already set in map`},
		{name: "doc.json", data: `{"a": 1.0}`, library: map[string]any{"a": json.Number("1")},
			docs: []Document{{Value: map[string]any{"a": json.Number("1.0")}, Line: 1}}},
		{name: "doc.json", data: "{\n  \"a\": [1,\n  }\n", libraryErr: true,
			err: "invalid JSON at line 3, column 3: invalid character '}' looking for beginning of value"},
	}
	for _, tt := range deliberate {
		library, libraryErr := libraryDecode([]byte(tt.data))
		if (libraryErr != nil) != tt.libraryErr {
			t.Errorf("%s %q: library error %v, want an error %v", tt.name, tt.data, libraryErr, tt.libraryErr)
		}
		if diff := cmp.Diff(tt.library, library); libraryErr == nil && diff != "" {
			t.Errorf("%s %q: the library's value (-listed +got):\n%s", tt.name, tt.data, diff)
		}
		docs, err := Decode(tt.name, []byte(tt.data))
		if got := errorString(err); got != tt.err {
			t.Errorf("%s %q: Decode error %q, want %q", tt.name, tt.data, got, tt.err)
		}
		if diff := cmp.Diff(tt.docs, docs); diff != "" {
			t.Errorf("%s %q: Decode (-want +got):\n%s", tt.name, tt.data, diff)
		}
	}
}

func errorString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The cost of Decode beside the library's strict decoding, for a profile-sized document.
func BenchmarkDecode(b *testing.B) {
	var doc strings.Builder
	doc.WriteString("env:\n")
	for i := range 1000 {
		doc.WriteString("- {name: VAR_" + strconv.Itoa(i) + ", value: \"v\"}\n")
	}
	data := []byte(doc.String())
	b.Run("strictdoc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode("doc.yaml", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sigs.k8s.io/yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := libraryDecode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
