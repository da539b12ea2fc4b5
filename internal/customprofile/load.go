package customprofile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/klog/v2"

	"github.com/kubectl-debugger/kubectl-debugger/internal/readfile"
)

// MaxSize bounds a custom file: profiles are a few lines, and anything larger is a
// mistake or an attack on the parser.
const MaxSize = 1 << 20

// Dir says where named profiles live: fromEnv, the value of the caller's environment
// variable, when it is not empty, else underHome below the user's home directory (below
// the working directory when there is none).
func Dir(fromEnv, underHome string) string {
	if fromEnv != "" {
		return fromEnv
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return underHome
	}
	return filepath.Join(home, underHome)
}

// Load reads and checks the profile a --custom value names: "-" for stdin, a path, or a
// named profile in dir (see Dir). Reading gives up when ctx ends.
func Load(ctx context.Context, value, dir string, stdin io.Reader) (*Profile, error) {
	path := value
	if value != "-" {
		var err error
		if path, err = resolvePath(value, dir); err != nil {
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
// which must be one file. A bare name that is neither (a FIFO, nothing) stays a path,
// for the read to report or to read. A named profile that exists but cannot be one (a
// directory, a FIFO, a symbolic link to nothing or in a loop, a folder that cannot be
// searched) is reported as such, not as missing.
func resolvePath(value, dir string) (string, error) {
	if strings.ContainsRune(value, '/') || strings.ContainsRune(value, filepath.Separator) {
		return value, nil
	}
	info, statErr := os.Stat(value)
	if statErr == nil && info.Mode().IsRegular() {
		return value, nil
	}
	var found, unusable []string
	tried := []string{value}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		candidate := filepath.Join(dir, value+ext)
		tried = append(tried, candidate)
		switch why := unusableProfile(candidate); why {
		case "":
			found = append(found, candidate)
		case notThere:
		default:
			unusable = append(unusable, why)
		}
	}
	switch {
	case len(found) == 1:
		klog.V(2).Infof("--custom %s: named profile %s", value, found[0])
		return found[0], nil
	case len(found) > 1:
		return "", fmt.Errorf("--custom %s: the named profile is in %d files, %s: keep one, or give the path", value, len(found), strings.Join(found, " and "))
	case len(unusable) > 0 && statErr == nil && info.IsDir():
		// A directory of that name here is no profile either: say what each one is.
		return "", fmt.Errorf("--custom %s: %s is a directory; %s", value, value, strings.Join(unusable, "; "))
	case statErr == nil:
		return value, nil
	case len(unusable) > 0:
		return "", fmt.Errorf("--custom %s: %s", value, strings.Join(unusable, "; "))
	}
	return "", fmt.Errorf("--custom %s: no such file, and no named profile %q: tried %s", value, value, strings.Join(tried, ", "))
}

// notThere is what unusableProfile says of a path that does not exist.
const notThere = "not there"

// unusableProfile says why path cannot be read as a named profile: "" for a regular
// file, notThere when nothing is there, else what is there instead. It only looks at
// the path (a FIFO is never opened, so it cannot block).
func unusableProfile(path string) string {
	info, err := os.Stat(path)
	switch {
	case err == nil && info.Mode().IsRegular():
		return ""
	case err == nil && info.IsDir():
		return path + " is a directory"
	case err == nil:
		return path + " is not a regular file"
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return path + " is a symbolic link to nothing"
		}
		return notThere
	}
	return path + ": " + pathError(err).Error()
}

// pathError drops the path os errors repeat, since the message names it already.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
