package customprofile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
// named profile in Dir.
func Load(value string, stdin io.Reader) (*Profile, error) {
	path := value
	if value != "-" {
		var err error
		if path, err = resolvePath(value, Dir()); err != nil {
			return nil, err
		}
	}
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--custom %s: %w", path, unwrapPathError(err))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("--custom %s: %w", path, unwrapPathError(err))
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("--custom %s: larger than 1 MiB: a custom profile is a short partial spec", path)
	}
	return Parse(path, data)
}

// resolvePath finds the file a --custom value names: a path, or for a bare word that is
// no file, a named profile NAME.yaml, NAME.yml or NAME.json in dir.
func resolvePath(value, dir string) (string, error) {
	if strings.ContainsRune(value, '/') || strings.ContainsRune(value, filepath.Separator) {
		return value, nil
	}
	if _, err := os.Stat(value); err == nil {
		return value, nil
	}
	tried := []string{value}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		candidate := filepath.Join(dir, value+ext)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		tried = append(tried, candidate)
	}
	return "", fmt.Errorf("--custom %s: no such file, and no named profile %q: tried %s", value, value, strings.Join(tried, ", "))
}

// unwrapPathError drops the path os errors repeat, since the caller names the file.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
