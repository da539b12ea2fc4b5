// Command nodeclean finds and removes what the local real node (hack/lib/node.sh) left
// outside its cluster directory, from that directory alone, also after a crash.
// hack/lib/node-down.sh runs it:
//
//	nodeclean [-root DIR] leftovers CLUSTER_DIR
//	nodeclean [-root DIR] down CLUSTER_DIR
//	nodeclean [-root DIR] mounts DIR
//
// leftovers prints what a node of the cluster left, one line each, and exits with 1 when
// there is anything: processes, cgroups, the pods' bridge and the links on it, mounts
// below the node's directory that the host sees, and the cluster's entries in the
// kubelet's and the CNI plugins' fixed paths. down stops the node and removes all of that
// but the mounts, which it reports and never unmounts. mounts prints the mount points at
// DIR or below it, as the mount table spells them.
//
// -root names the directory that stands for / (default /): the scan reads the process
// table, the cgroup hierarchies, the mount table and the fixed paths below it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kubectl-debugger/kubectl-debugger/hack/nodeclean/internal/realnode"
)

func main() {
	fs := flag.NewFlagSet("nodeclean", flag.ContinueOnError)
	root := fs.String("root", "/", "the directory that stands for /")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: nodeclean [-root DIR] leftovers|down CLUSTER_DIR | mounts DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() != 2 {
		fs.Usage()
		os.Exit(2)
	}
	code, err := run(*root, fs.Arg(0), fs.Arg(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "nodeclean:", err)
	}
	os.Exit(code)
}

// run carries out command on path and returns the exit code.
func run(root, command, path string) (int, error) {
	abs, err := hostPath(root, path)
	if err != nil {
		return 2, err
	}
	if command == "mounts" {
		points, err := realnode.Scanner{Root: root}.MountsAt(abs, false)
		if err != nil {
			return 2, err
		}
		printLines(points)
		return 0, nil
	}
	s := realnode.Scanner{Root: root, Names: realnode.NamesOf(abs)}
	switch command {
	case "leftovers":
		l, err := s.Scan()
		if err != nil {
			return 2, err
		}
		lines := l.Lines(s.Names.Bridge)
		printLines(lines)
		if len(lines) > 0 {
			return 1, nil
		}
		return 0, nil
	case "down":
		if err := realnode.Down(s, realnode.Host{}, logf); err != nil {
			return 2, err
		}
		return 0, nil
	}
	return 2, fmt.Errorf("unknown command %q: leftovers, down or mounts", command)
}

// hostPath is path made absolute; on the real root its symlinks are resolved as
// realpath -m does, below another root only the lexical form is known.
func hostPath(root, path string) (string, error) {
	if filepath.Clean(root) == "/" {
		return realnode.Resolve(path)
	}
	return filepath.Abs(path)
}

func printLines(lines []string) {
	for _, l := range lines {
		fmt.Println(l)
	}
}

// logf logs as the hack/ scripts do.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "+++ [%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
