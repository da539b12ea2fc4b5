package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/targetproc"
)

// remoteScript runs in the debug container, as the target's user: it finds the target's
// process (targetproc.Find) and works in its filesystem, /proc/PID/root. Its arguments
// are the target's name and container ID, then one of:
//
//	get PATH RECURSIVE  writes a tar archive of PATH (a directory only if RECURSIVE is 1)
//	probe PATH          prints dir when PATH is a directory, parent when its parent is,
//	                    once it has checked that the one an upload writes to is writable
//	put DIR             extracts a tar archive from its input into DIR
//
// An upload is refused by probe, before any byte is sent: the pod would stop reading a
// stream it refuses, and the stream would then wait for a timeout.
//
// Every refusal is one line on stderr, naming the path and the container.
const remoteScript = `target=$1 id=$2 prefix=""
op=$3 p=$4 flag=$5
fail() { echo "$*" >&2; exit 3; }
writable() {
  if ! probe=$(mktemp -p "$root$1" .debugger-cp.XXXXXX 2>&1); then
    case $probe in
    *Read-only*) fail "cannot write to $1 in container \"$target\": read-only file system" ;;
    *) fail "cannot write to $1 in container \"$target\" as UID $(id -u): permission denied" ;;
    esac
  fi
  rm -f "$probe"
}
` + targetproc.Find + `root=/proc/$pid/root
if ! cd "$root" 2>/dev/null; then
  fail "cannot enter the filesystem of container \"$target\": the debug container runs as UID $(id -u), and the target's process as UID $(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status")"
fi
parent=${p%/*}
parent=${parent:-/}
case $op in
get)
  [ -e "$root$p" ] || [ -L "$root$p" ] || fail "$p: no such file or directory in container \"$target\""
  if [ -d "$root$p" ] && [ "$flag" != 1 ]; then fail "$p is a directory in container \"$target\": -r copies directories"; fi
  cd "$root$parent" && exec tar cf - "${p##*/}"
  ;;
probe)
  if [ -d "$root$p" ]; then kind=dir dir=$p
  elif [ -d "$root$parent" ]; then kind=parent dir=$parent
  else fail "$parent: no such directory in container \"$target\""
  fi
  writable "$dir"
  echo "$kind"
  ;;
put)
  writable "$p"
  cd "$root$p" && exec tar xof -
  ;;
esac
`

// transfer is one copy through the debug container helper of pod.
type transfer struct {
	o              *Options
	pod            *corev1.Pod
	helper, target string
}

// run runs remoteScript's op with args, streaming in and out; a refusal of the script is
// returned as its line.
func (t transfer) run(ctx context.Context, in io.Reader, out io.Writer, op string, args ...string) error {
	command := append([]string{"sh", "-c", remoteScript, "cp", t.target, targetproc.ContainerID(t.pod, t.target), op}, args...)
	var errOut bytes.Buffer
	err := t.o.exec(ctx, t.pod, t.helper, command, in, out, &errOut)
	if err == nil {
		return nil
	}
	if line := lastLine(errOut.String()); line != "" {
		return remoteError(line)
	}
	return fmt.Errorf("running the copy in debug container %q of pod %q: %w", t.helper, t.pod.Name, err)
}

// errCopyEnded ends the local side of a stream once the pod's side has ended.
var errCopyEnded = errors.New("the copy ended")

// remoteError is what the debug container said when the copy failed there: the script's
// refusal, or tar's last word.
type remoteError string

func (e remoteError) Error() string { return string(e) }

// lastLine is the last line of s that is not empty.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// get copies the remote path to the local one: into it when it is a directory, else to it.
func (t transfer) get(ctx context.Context) error {
	dest := t.o.local
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		dest = filepath.Join(dest, path.Base(t.o.remote))
	}
	recursive := "0"
	if t.o.Recursive {
		recursive = "1"
	}
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := t.run(ctx, nil, w, "get", path.Clean(t.o.remote), recursive)
		w.CloseWithError(err)
		done <- err
	}()
	unpackErr := unpack(r, path.Base(t.o.remote), dest, t.o.progressTo())
	r.CloseWithError(errCopyEnded)
	// What the pod said comes first (a missing path ends the archive early), then what
	// went wrong here (which ends the stream the pod writes to).
	err := <-done
	var remote remoteError
	if errors.As(err, &remote) || unpackErr == nil {
		return err
	}
	return unpackErr
}

// put copies the local path to the remote one: into it when it is a directory, else to
// it (its parent must exist).
func (t transfer) put(ctx context.Context) error {
	fi, err := os.Stat(t.o.local)
	if err != nil {
		return fmt.Errorf("reading %s: %w", t.o.local, err)
	}
	if fi.IsDir() && !t.o.Recursive {
		return fmt.Errorf("%s is a directory: -r copies directories", t.o.local)
	}
	remote := path.Clean(t.o.remote)
	var kind bytes.Buffer
	if err := t.run(ctx, nil, &kind, "probe", remote); err != nil {
		return err
	}
	dir, name := remote, filepath.Base(t.o.local)
	if strings.TrimSpace(kind.String()) != "dir" {
		dir, name = path.Dir(remote), path.Base(remote)
	}
	r, w := io.Pipe()
	packed := make(chan error, 1)
	go func() {
		err := pack(w, t.o.local, name, t.o.progressTo())
		w.CloseWithError(err)
		packed <- err
	}()
	err = t.run(ctx, r, io.Discard, "put", dir)
	r.CloseWithError(errCopyEnded)
	// A file that could not be read here cuts the archive short, which tar in the pod
	// then reports: the cause comes first.
	if packErr := <-packed; packErr != nil && !errors.Is(packErr, errCopyEnded) {
		return packErr
	}
	return err
}

// progressTo is where the progress of large files goes: standard error on a terminal,
// else nowhere.
func (o *Options) progressTo() io.Writer {
	if o.progress {
		return o.ErrOut
	}
	return nil
}
