package readfile

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := Read(context.Background(), small, nil, 3)
	if err != nil || string(data) != "abc" {
		t.Errorf("Read(small) = %q, %v", data, err)
	}
	_, err = Read(context.Background(), small, nil, 2)
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) || err.Error() != "larger than 2 bytes" {
		t.Errorf("Read over the limit: %v", err)
	}
	if _, err := Read(context.Background(), filepath.Join(dir, "none"), nil, 10); err == nil || err.Error() != "no such file or directory" {
		t.Errorf("Read(missing) = %v", err)
	}
	if got := (&TooLargeError{Limit: 32 << 20}).Error(); got != "larger than 32 MiB" {
		t.Errorf("message = %q", got)
	}
	data, err = Read(context.Background(), "-", strings.NewReader("from stdin"), 100)
	if err != nil || string(data) != "from stdin" {
		t.Errorf("Read(-) = %q, %v", data, err)
	}
}

// A FIFO nobody writes to, or a pipe that stays open, blocks a read; cancelling ends it.
func TestReadCancelled(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	for _, tt := range []struct {
		path  string
		stdin io.Reader
	}{{fifo, nil}, {"-", pr}} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := Read(ctx, tt.path, tt.stdin, 10)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Read(%s) = %v, want cancelled", tt.path, err)
		}
	}
}
