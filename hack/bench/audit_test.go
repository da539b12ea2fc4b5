package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The fixture holds ten events of a kube-apiserver audit log: a debug call's GET and
// PATCH of app-0 with their RequestReceived stages, the fake kubelet's status patches
// under the admin user, a list by the apiserver itself, then a GET of app-1, a PATCH
// refused with 409 and a POST by kubectl.
const fixture = "testdata/audit.log"

// lineOffset is the byte offset of line n (from 1) of data.
func lineOffset(t *testing.T, data []byte, n int) int64 {
	t.Helper()
	off := 0
	for range n - 1 {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			t.Fatalf("the fixture has fewer than %d lines", n)
		}
		off += i + 1
	}
	return int64(off)
}

func TestCountRequests(t *testing.T) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	// The same log with an event still being written: no newline yet.
	partial := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(partial, append(bytes.Clone(data), `{"kind":"Event","stage":"ResponseComplete","verb":"delete","user":{"username":"adm`...), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		offset int64
		want   requests
	}{{
		name: "whole log: completed requests of admin, without the fake kubelet's",
		path: fixture,
		want: requests{total: 5, byVerb: map[string]int{"get": 2, "patch": 2, "create": 1}, failed: 1},
	}, {
		name:   "from the GET of app-1 on",
		path:   fixture,
		offset: lineOffset(t, data, 7),
		want:   requests{total: 3, byVerb: map[string]int{"get": 1, "patch": 1, "create": 1}, failed: 1},
	}, {
		name:   "from the last event, the fake kubelet's",
		path:   fixture,
		offset: lineOffset(t, data, 10),
		want:   requests{byVerb: map[string]int{}},
	}, {
		name:   "at the end",
		path:   fixture,
		offset: int64(len(data)),
		want:   requests{byVerb: map[string]int{}},
	}, {
		name: "an event still being written is left for the next look",
		path: partial,
		want: requests{total: 5, byVerb: map[string]int{"get": 2, "patch": 2, "create": 1}, failed: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := countRequests(tt.path, tt.offset)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(requests{})); diff != "" {
				t.Errorf("countRequests(%s, %d) (-want +got):\n%s", tt.path, tt.offset, diff)
			}
		})
	}
}

func TestCountRequestsErrors(t *testing.T) {
	dir := t.TempDir()
	garbled := filepath.Join(dir, "garbled.log")
	if err := os.WriteFile(garbled, []byte("{\"stage\":\"ResponseComplete\"}\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.log")
	tests := []struct {
		name string
		path string
		want string
	}{
		{"a line that is no JSON", garbled, "decoding an audit event: invalid character 'o' in literal null (expecting 'u')"},
		{"no log", missing, "open " + missing + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := countRequests(tt.path, 0)
			if err == nil || err.Error() != tt.want {
				t.Errorf("countRequests(%s) = %v, want error %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestBreakdown(t *testing.T) {
	r := requests{total: 203, byVerb: map[string]int{"patch": 200, "list": 1, "get": 2}}
	if got, want := r.breakdown(), "2 get + 1 list + 200 patch"; got != want {
		t.Errorf("breakdown() = %q, want %q", got, want)
	}
}
