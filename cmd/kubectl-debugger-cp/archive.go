package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// progressMin is the size from which a file's copy shows its progress.
const progressMin = 4 << 20

// pack writes a tar archive of src, whose top entry is called name, to w: regular
// files, directories and symbolic links, with their permission bits. Progress of large
// files goes to progress, unless it is nil.
func pack(w io.Writer, src, name string, progress io.Writer) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		entry := name
		if rel != "." {
			entry = name + "/" + filepath.ToSlash(rel)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var link string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		hdr.Name, hdr.Uname, hdr.Gname, hdr.Uid, hdr.Gid = entry, "", "", 0, 0
		if fi.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, withProgress(f, entry, fi.Size(), progress))
		return err
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	return tw.Close()
}

// unpack writes the tar archive r, whose entries are name and what it holds, to dest:
// name becomes dest. Entries outside name, or that would leave dest, are refused.
// Directories get their permission bits once their content is written, so that a
// read-only one can be filled.
func unpack(r io.Reader, name, dest string, progress io.Writer) error {
	tr := tar.NewReader(r)
	type dirMode struct {
		path string
		mode fs.FileMode
	}
	var dirs []dirMode
	// links are the symbolic links written: nothing is written through one, which
	// could lead out of dest.
	links := map[string]bool{}
	found := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive from the pod: %w", err)
		}
		entry := strings.TrimSuffix(hdr.Name, "/")
		rel, ok := strings.CutPrefix(entry, name)
		if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) || (rel != "" && !filepath.IsLocal(filepath.FromSlash(rel[1:]))) {
			return fmt.Errorf("the archive from the pod holds %q, outside %q", hdr.Name, name)
		}
		found = true
		target := dest + filepath.FromSlash(rel)
		for dir := filepath.Dir(target); len(dir) > len(dest); dir = filepath.Dir(dir) {
			if links[dir] {
				return fmt.Errorf("the archive from the pod writes %q through the symbolic link %q", hdr.Name, dir)
			}
		}
		mode := fs.FileMode(hdr.Mode).Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o700); err != nil {
				return err
			}
			dirs = append(dirs, dirMode{target, mode})
		case tar.TypeReg:
			if err := writeFile(target, mode, withProgress(tr, entry, hdr.Size, progress)); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				return err
			}
			links[target] = true
		default:
			return fmt.Errorf("%s in the pod is neither a file, a directory nor a symbolic link", hdr.Name)
		}
	}
	if !found {
		return fmt.Errorf("the archive from the pod is empty")
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Chmod(dirs[i].path, dirs[i].mode); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes r to a new or truncated file p with mode, whatever the umask.
func writeFile(p string, mode fs.FileMode, r io.Reader) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(p, mode)
}

// withProgress returns r, which shows on progress how much of the size bytes of name
// it has given, for files of at least progressMin.
func withProgress(r io.Reader, name string, size int64, progress io.Writer) io.Reader {
	if progress == nil || size < progressMin {
		return r
	}
	return &progressReader{r: r, name: name, size: size, w: progress}
}

// progressReader counts what it reads, and prints it each mebibyte and at the end.
type progressReader struct {
	r          io.Reader
	name       string
	size, read int64
	shown      int64
	w          io.Writer
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	if n > 0 && (p.read-p.shown >= 1<<20 || p.read == p.size) {
		p.shown = p.read
		fmt.Fprintf(p.w, "\r%s: %.1f of %.1f MiB", p.name, float64(p.read)/(1<<20), float64(p.size)/(1<<20))
		if p.read == p.size {
			fmt.Fprintln(p.w)
		}
	}
	return n, err
}
