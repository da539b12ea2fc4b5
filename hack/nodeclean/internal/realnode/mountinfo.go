package realnode

import (
	"strconv"
	"strings"
)

// mount is one line of a mountinfo table.
type mount struct {
	// point is the mount point as the table spells it, with a space as \040.
	point  string
	fsType string
}

// parseMountinfo reads a mountinfo table (proc(5)): the mount point is the fifth field,
// the filesystem type the first after the "-" that ends the optional fields.
func parseMountinfo(table string) []mount {
	var mounts []mount
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		for i := 6; i < len(f)-1; i++ {
			if f[i] == "-" {
				mounts = append(mounts, mount{point: f[4], fsType: f[i+1]})
				break
			}
		}
	}
	return mounts
}

// escapeMountPath spells path as mountinfo does.
func escapeMountPath(path string) string {
	return strings.NewReplacer(`\`, `\134`, " ", `\040`, "\t", `\011`, "\n", `\012`).Replace(path)
}

// unescapeMountPath undoes mountinfo's octal escapes.
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountsAt lists the mount points of mounts at dir or below it, as the table spells
// them; with below, only those strictly below dir. dir is an absolute path.
func mountsAt(mounts []mount, dir string, below bool) []string {
	d := escapeMountPath(strings.TrimSuffix(dir, "/"))
	var points []string
	for _, m := range mounts {
		if (!below && m.point == d) || strings.HasPrefix(m.point, d+"/") {
			points = append(points, m.point)
		}
	}
	return points
}
