package customprofile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/klog/v2"

	"github.com/kubectl-debugger/kubectl-debugger/internal/readfile"
)

// MaxSize bounds a custom file: profiles are a few lines, and anything larger is a
// mistake or an attack on the parser.
const MaxSize = 1 << 20

// Dir says where named profiles live: $KUBECTL_DEBUGGER_PROFILES, else
// ~/.kube/debug-profiles.
func Dir() string {
	if dir := os.Getenv("KUBECTL_DEBUGGER_PROFILES"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".kube", "debug-profiles")
	}
	return filepath.Join(home, ".kube", "debug-profiles")
}

// Load reads and checks the profile a --custom value names: "-" for stdin, a path, or a
// named profile in Dir. Reading gives up when ctx ends.
func Load(ctx context.Context, value string, stdin io.Reader) (*Profile, error) {
	path := value
	if value != "-" {
		var err error
		if path, err = resolvePath(value, Dir()); err != nil {
			return nil, err
		}
	}
	data, err := readfile.Read(ctx, path, stdin, MaxSize)
	var tooLarge *readfile.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("--custom %s: larger than 1 MiB: a custom profile is a short partial spec", path)
	case err != nil:
		return nil, fmt.Errorf("--custom %s: %w", path, err)
	}
	return Parse(path, data)
}

// resolvePath finds the file a --custom value names: a path, a regular file in the
// working directory, or else the named profile NAME.yaml, NAME.yml or NAME.json in dir,
// which must be one file. A bare name that is neither (a directory, a FIFO, nothing)
// stays a path, for the read to report or to read.
func resolvePath(value, dir string) (string, error) {
	if strings.ContainsRune(value, '/') || strings.ContainsRune(value, filepath.Separator) {
		return value, nil
	}
	info, statErr := os.Stat(value)
	if statErr == nil && info.Mode().IsRegular() {
		return value, nil
	}
	var found []string
	tried := []string{value}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		candidate := filepath.Join(dir, value+ext)
		tried = append(tried, candidate)
		if info, err := os.Stat(candidate); err == nil && info.Mode().IsRegular() {
			found = append(found, candidate)
		}
	}
	switch {
	case len(found) == 1:
		klog.V(2).Infof("--custom %s: named profile %s", value, found[0])
		return found[0], nil
	case len(found) > 1:
		return "", fmt.Errorf("--custom %s: the named profile is in %d files, %s: keep one, or give the path", value, len(found), strings.Join(found, " and "))
	case statErr == nil:
		return value, nil
	}
	return "", fmt.Errorf("--custom %s: no such file, and no named profile %q: tried %s", value, value, strings.Join(tried, ", "))
}
