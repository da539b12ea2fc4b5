package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fakePod stands for the debug container's side of a copy: remote is what the pod's
// filesystem holds (path to content; a directory holds paths below it), and each run
// of the script is recorded as its operation and arguments, with the names of the
// entries an upload sent.
type fakePod struct {
	remote map[string]string
	calls  []string
	refuse string
}

func (f *fakePod) exec(_ context.Context, _ *corev1.Pod, _ string, command []string, in io.Reader, out, errOut io.Writer) error {
	op := command[6:]
	call := strings.Join(op, " ")
	defer func() { f.calls = append(f.calls, call) }()
	if f.refuse != "" {
		fmt.Fprintln(errOut, f.refuse)
		return errors.New("command terminated with exit code 3")
	}
	switch op[0] {
	case "probe":
		if _, ok := f.remote[op[1]]; ok && f.remote[op[1]] == "" {
			fmt.Fprintln(out, "dir")
		} else {
			fmt.Fprintln(out, "parent")
		}
	case "get":
		tw := tar.NewWriter(out)
		base := op[1][strings.LastIndex(op[1], "/")+1:]
		tw.WriteHeader(&tar.Header{Name: base, Typeflag: tar.TypeReg, Mode: 0o640, Size: int64(len(f.remote[op[1]]))})
		io.WriteString(tw, f.remote[op[1]])
		tw.Close()
	case "put":
		tr := tar.NewReader(in)
		for {
			hdr, err := tr.Next()
			if err != nil {
				break
			}
			call += " " + hdr.Name
		}
	}
	return nil
}

func TestTransferPaths(t *testing.T) {
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "file"), []byte("local"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(local, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	remote := map[string]string{"/scratch": "", "/scratch/f": "remote"}
	tests := []struct {
		name                string
		local, remote       string
		upload, recursive   bool
		refuse              string
		wantCalls           []string
		wantFile, wantError string
	}{
		{name: "get into a directory", local: local, remote: "/scratch/f",
			wantCalls: []string{"get /scratch/f 0"}, wantFile: filepath.Join(local, "f")},
		{name: "get to a new name", local: filepath.Join(local, "g"), remote: "/scratch/f/",
			wantCalls: []string{"get /scratch/f 0"}, wantFile: filepath.Join(local, "g")},
		{name: "put into a directory", local: filepath.Join(local, "file"), remote: "/scratch", upload: true,
			wantCalls: []string{"probe /scratch", "put /scratch file"}},
		{name: "put to a new name", local: filepath.Join(local, "file"), remote: "/scratch/new", upload: true,
			wantCalls: []string{"probe /scratch/new", "put /scratch new"}},
		{name: "put a directory without -r", local: filepath.Join(local, "dir"), remote: "/scratch", upload: true,
			wantError: filepath.Join(local, "dir") + " is a directory: -r copies directories"},
		{name: "put a directory with -r", local: filepath.Join(local, "dir"), remote: "/scratch", upload: true, recursive: true,
			wantCalls: []string{"probe /scratch", "put /scratch dir/"}},
		{name: "the pod refuses", local: local, remote: "/none", refuse: `/none: no such file or directory in container "main"`,
			wantCalls: []string{"get /none 0"}, wantError: `/none: no such file or directory in container "main"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePod{remote: remote, refuse: tt.refuse}
			o := &Options{local: tt.local, remote: tt.remote, upload: tt.upload, Recursive: tt.recursive, exec: f.exec}
			tr := transfer{o: o, pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app"}}, helper: "debugger-cp-aaaaa", target: "main"}
			var err error
			if tt.upload {
				err = tr.put(t.Context())
			} else {
				err = tr.get(t.Context())
			}
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantError {
				t.Errorf("error:\n got: %s\nwant: %s", gotErr, tt.wantError)
			}
			if diff := cmp.Diff(tt.wantCalls, f.calls); diff != "" {
				t.Errorf("runs in the pod (-want +got):\n%s", diff)
			}
			if tt.wantFile != "" {
				content, err := os.ReadFile(tt.wantFile)
				if err != nil || string(content) != "remote" {
					t.Errorf("%s: %q, %v; want the pod's file", tt.wantFile, content, err)
				}
			}
		})
	}
}
