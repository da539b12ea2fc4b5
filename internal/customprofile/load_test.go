package customprofile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// profileDir makes a named profile directory holding files (name -> content).
func profileDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The caller's variable wins; without it, the caller's directory is below the home
// directory.
func TestDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if got, want := Dir("/from/env", filepath.Join("a", "b")), "/from/env"; got != want {
		t.Errorf("Dir with the variable set = %q, want %q", got, want)
	}
	if got, want := Dir("", filepath.Join("a", "b")), filepath.Join(home, "a", "b"); got != want {
		t.Errorf("Dir without the variable = %q, want %q", got, want)
	}
}

func TestLoadNamedProfiles(t *testing.T) {
	dir := profileDir(t, map[string]string{"sre.yaml": "stdin: true\n", "two.yml": "tty: true\n", "two.json": `{"tty": true}`})
	work := t.TempDir()
	t.Chdir(work)
	if err := os.Mkdir("sre", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("local", []byte("tty: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("adir", 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		value, source, err string
	}{
		// A directory of the same name in the working directory does not hide the profile.
		{value: "sre", source: filepath.Join(dir, "sre.yaml")},
		// A regular file is that file.
		{value: "local", source: "local"},
		{value: "./local", source: "./local"},
		{value: "two", err: fmt.Sprintf("--custom two: the named profile is in 2 files, %s and %s: keep one, or give the path", filepath.Join(dir, "two.yml"), filepath.Join(dir, "two.json"))},
		{value: "adir", err: "--custom adir: is a directory"},
		{value: "none", err: fmt.Sprintf("--custom none: no such file, and no named profile \"none\": tried none, %s, %s, %s",
			filepath.Join(dir, "none.yaml"), filepath.Join(dir, "none.yml"), filepath.Join(dir, "none.json"))},
	}
	for _, tt := range tests {
		p, err := Load(context.Background(), tt.value, dir, nil)
		if got := errString(err); got != tt.err {
			t.Errorf("Load(%s): error = %q, want %q", tt.value, got, tt.err)
			continue
		}
		if err == nil && p.Source() != tt.source {
			t.Errorf("Load(%s) read %s, want %s", tt.value, p.Source(), tt.source)
		}
	}
}

// A named profile that is there but cannot be read as one is reported for what it is,
// not as missing, and a FIFO among them is never opened.
func TestLoadUnusableNamedProfiles(t *testing.T) {
	dir := profileDir(t, nil)
	t.Chdir(t.TempDir())
	if err := os.Mkdir(filepath.Join(dir, "folder.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yml"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for link, to := range map[string]string{"loop.json": "loop.json", "gone.yaml": "nothing.yaml"} {
		if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir("pipe", 0o700); err != nil {
		t.Fatal(err)
	}
	notDir := writeFile(t, "profiles-file", "")

	tests := []struct {
		value, dir, err string
	}{
		{"folder", dir, "--custom folder: " + filepath.Join(dir, "folder.yaml") + " is a directory"},
		{"pipe", dir, "--custom pipe: pipe is a directory; " + filepath.Join(dir, "pipe.yml") + " is not a regular file"},
		{"loop", dir, "--custom loop: " + filepath.Join(dir, "loop.json") + ": too many levels of symbolic links"},
		{"gone", dir, "--custom gone: " + filepath.Join(dir, "gone.yaml") + " is a symbolic link to nothing"},
		{"sre", notDir, fmt.Sprintf("--custom sre: %[1]s.yaml: not a directory; %[1]s.yml: not a directory; %[1]s.json: not a directory", filepath.Join(notDir, "sre"))},
	}
	for _, tt := range tests {
		_, err := Load(context.Background(), tt.value, tt.dir, nil)
		if got := errString(err); got != tt.err {
			t.Errorf("Load(%s): error = %q, want %q", tt.value, got, tt.err)
		}
	}
}

// A named profile in a folder the user may not search, or that the user may not read,
// is reported as such.
func TestLoadNamedProfileNotSearchable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root searches every folder")
	}
	dir := profileDir(t, map[string]string{"sre.yaml": "tty: true\n"})
	t.Chdir(t.TempDir())
	if err := os.Chmod(dir, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	_, err := Load(context.Background(), "sre", dir, nil)
	want := fmt.Sprintf("--custom sre: %[1]s.yaml: permission denied; %[1]s.yml: permission denied; %[1]s.json: permission denied", filepath.Join(dir, "sre"))
	if got := errString(err); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}

	// A profile the user may not read is found, and the read says why it failed.
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "sre.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	_, err = Load(context.Background(), "sre", dir, nil)
	want = "--custom " + filepath.Join(dir, "sre.yaml") + ": permission denied"
	if got := errString(err); got != want {
		t.Errorf("unreadable: error = %q, want %q", got, want)
	}
}

// However large the document, an error quotes a bounded part of it.
func TestErrorsAreBounded(t *testing.T) {
	var order strings.Builder
	order.WriteString(`{"env": [{"name": "A"}], "$setElementOrder/env": [`)
	for i := range 20000 {
		if i > 0 {
			order.WriteString(",")
		}
		fmt.Fprintf(&order, `{"name": "VARIABLE_%d"}`, i)
	}
	order.WriteString("]}")
	_, err := Parse("order.json", []byte(order.String()))
	if err == nil {
		t.Fatal("a malformed $setElementOrder list was accepted")
	}
	if len(err.Error()) > maxMessage+60 {
		t.Errorf("error of %d bytes: %.200s...", len(err.Error()), err)
	}
	if !strings.HasPrefix(err.Error(), "--custom order.json: ") {
		t.Errorf("error does not name the file: %.100s", err)
	}
}
