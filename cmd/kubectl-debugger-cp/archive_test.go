package main

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tree is what a directory holds: relative paths, each with its mode and content (or
// link target).
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			link, _ := os.Readlink(p)
			got[rel] = "-> " + link
		case fi.IsDir():
			got[rel] = fi.Mode().Perm().String()
		default:
			content, _ := os.ReadFile(p)
			got[rel] = fi.Mode().Perm().String() + " " + string(content)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A directory packed and unpacked under another name is the same tree, modes included
// (a read-only directory too), whatever the umask.
func TestPackUnpackRoundTrip(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	for _, d := range []string{"src/a/b", "src/ro"} {
		if err := os.MkdirAll(filepath.Join(filepath.Dir(src), d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, mode := range map[string]fs.FileMode{"x": 0o640, "a/y": 0o755, "a/b/z": 0o600, "ro/f": 0o444} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(src, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a/y", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(src, "ro"), 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(src, "ro"), 0o755) })

	var archive bytes.Buffer
	if err := pack(&archive, src, "renamed", nil); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "dest")
	if err := unpack(&archive, "renamed", dest, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dest, "ro"), 0o755) })
	if diff := cmp.Diff(tree(t, src), tree(t, dest)); diff != "" {
		t.Errorf("unpacked tree (-packed +unpacked):\n%s", diff)
	}
}

// Progress is shown for large files only, ending with the whole size.
func TestPackProgress(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, progressMin), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	if err := pack(&bytes.Buffer{}, dir, "d", &progress); err != nil {
		t.Fatal(err)
	}
	want := "\rd/big: 1.0 of 4.0 MiB\rd/big: 2.0 of 4.0 MiB\rd/big: 3.0 of 4.0 MiB\rd/big: 4.0 of 4.0 MiB\n"
	if got := progress.String(); got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

// An archive that would write outside the path asked for is refused.
func TestUnpackRefusesEscapes(t *testing.T) {
	tests := []struct {
		name    string
		entries []tar.Header
		want    string
	}{
		{"another name", []tar.Header{{Name: "other", Typeflag: tar.TypeReg}}, `the archive from the pod holds "other", outside "f"`},
		{"a longer name", []tar.Header{{Name: "ff", Typeflag: tar.TypeReg}}, `the archive from the pod holds "ff", outside "f"`},
		{"dot-dot", []tar.Header{{Name: "f/", Typeflag: tar.TypeDir, Mode: 0o755}, {Name: "f/../x", Typeflag: tar.TypeReg}}, `the archive from the pod holds "f/../x", outside "f"`},
		{"through a link", []tar.Header{
			{Name: "f/", Typeflag: tar.TypeDir, Mode: 0o755},
			{Name: "f/l", Typeflag: tar.TypeSymlink, Linkname: "/etc"},
			{Name: "f/l/passwd", Typeflag: tar.TypeReg},
		}, `the archive from the pod writes "f/l/passwd" through the symbolic link "DEST/l"`},
		{"a device", []tar.Header{{Name: "f", Typeflag: tar.TypeChar}}, "f in the pod is neither a file, a directory nor a symbolic link"},
		{"nothing", nil, "the archive from the pod is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var archive bytes.Buffer
			tw := tar.NewWriter(&archive)
			for _, h := range tt.entries {
				if err := tw.WriteHeader(&h); err != nil {
					t.Fatal(err)
				}
			}
			tw.Close()
			dest := filepath.Join(t.TempDir(), "dest")
			err := unpack(&archive, "f", dest, nil)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if want := filepath.ToSlash(replaceDest(tt.want, dest)); got != want {
				t.Errorf("error:\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func replaceDest(s, dest string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte("DEST"), []byte(dest)))
}
