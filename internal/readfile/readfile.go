// Package readfile reads the files a command line names (-f, --custom) whole, bounded in
// size, and gives up when the context ends: a FIFO nobody writes to, or standard input
// from a terminal or an open pipe, would otherwise block Ctrl-C forever.
package readfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// TooLargeError is the error for a file over the limit.
type TooLargeError struct {
	// Limit is the size, in bytes, the file went over.
	Limit int64
}

// Error says how large a file may be.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than %s", size(e.Limit))
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read returns the content of path ("-" for stdin), at most limit bytes. Opening and
// reading happen in the background, so that a cancelled ctx ends the wait at once; the
// read itself is abandoned, which is all a process about to exit can do with it.
func Read(ctx context.Context, path string, stdin io.Reader, limit int64) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := read(path, stdin, limit)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("reading %s: %w", describe(path), ctx.Err())
	}
}

func read(path string, stdin io.Reader, limit int64) ([]byte, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, pathError(err)
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return nil, errors.New("no standard input")
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, pathError(err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return data, nil
}

func describe(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// pathError drops the path os errors repeat, since the caller names the file.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
