// Package realnode finds and removes what the local real node (hack/lib/node.sh) leaves
// outside its cluster directory: its processes, cgroups, bridge and veths, mounts that
// leaked onto the host, and its entries in the fixed paths the kubelet and the CNI
// plugins write to. The scan only reads, below a root directory that stands for /, so a
// test can give it a fixture tree; the removal is separate and acts through a System.
package realnode

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path/filepath"
)

// Names are the node's names on the host, all derived from the cluster directory, as
// kd::node::vars derives them: two clusters never share one, and the tear-down finds
// everything again from the directory alone.
type Names struct {
	// ClusterDir is the cluster directory, absolute and with symlinks resolved.
	ClusterDir string
	// Dir is the node's directory inside it.
	Dir string
	// ID is the first 8 hex digits of the SHA-256 of ClusterDir.
	ID string
	// Cgroup is the node's cgroup below the root of every hierarchy.
	Cgroup string
	// Bridge is the pods' bridge.
	Bridge string
	// Network is the CNI network, which names the CNI plugins' files.
	Network string
}

// NamesOf derives the node's names from its cluster directory, absolute and with its
// symlinks resolved (Resolve).
func NamesOf(clusterDir string) Names {
	sum := sha256.Sum256([]byte(clusterDir))
	id := hex.EncodeToString(sum[:])[:8]
	return Names{
		ClusterDir: clusterDir,
		Dir:        filepath.Join(clusterDir, "node"),
		ID:         id,
		Cgroup:     "kubectl-debugger-" + id,
		Bridge:     "kd" + id,
		Network:    "kubectl-debugger-" + id,
	}
}

// Resolve makes path absolute and resolves the symlinks of its longest existing part,
// keeping the rest as written, as realpath -m does.
func Resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}
