package realnode

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Scanner reads what a node left on the host. Every path it reads is below Root, which
// stands for the host's / (a fixture tree in tests); it changes nothing.
type Scanner struct {
	Root  string
	Names Names
}

// at is host path p below the root.
func (s Scanner) at(p string) string {
	return filepath.Join(s.Root, p)
}

// mounts reads the mount table of the scanning process's mount namespace. A system
// without one (not Linux) has no cgroup hierarchy and no mount a node could have left.
func (s Scanner) mounts() ([]mount, error) {
	data, err := os.ReadFile(s.at("/proc/self/mountinfo"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the mount table: %w", err)
	}
	return parseMountinfo(string(data)), nil
}

// CgroupMounts lists the mount point of every cgroup hierarchy (v1 controllers, named v1
// hierarchies, v2), as host paths.
func (s Scanner) CgroupMounts() ([]string, error) {
	mounts, err := s.mounts()
	if err != nil {
		return nil, err
	}
	var points []string
	for _, m := range mounts {
		if m.fsType == "cgroup" || m.fsType == "cgroup2" {
			points = append(points, unescapeMountPath(m.point))
		}
	}
	return points, nil
}

// nodeCgroups lists the node's cgroup in every hierarchy that has it, as host paths.
func (s Scanner) nodeCgroups() ([]string, error) {
	hierarchies, err := s.CgroupMounts()
	if err != nil {
		return nil, err
	}
	var cgroups []string
	for _, h := range hierarchies {
		cg := filepath.Join(h, s.Names.Cgroup)
		if fi, err := os.Stat(s.at(cg)); err == nil && fi.IsDir() {
			cgroups = append(cgroups, cg)
		}
	}
	return cgroups, nil
}

// PIDs lists the node's processes, sorted: every process in its cgroup subtree, in any
// hierarchy. That is the daemons (containerd, the kubelet and the namespace holder join
// the node's cgroup before their first instruction), all they ever started (shims, runc,
// CNI plugins inherit it) and the pods' containers (below the kubelet's cgroupRoot).
// Names, binaries and mount namespaces are shared with other clusters, or reused once a
// namespace dies; the cgroup is this cluster's alone.
func (s Scanner) PIDs() ([]int, error) {
	cgroups, err := s.nodeCgroups()
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, cg := range cgroups {
		// A cgroup may go while it is walked; what could not be read is not there.
		_ = filepath.WalkDir(s.at(cg), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
					pids = append(pids, pid)
				}
			}
			return nil
		})
	}
	slices.Sort(pids)
	return slices.Compact(pids), nil
}

// inCgroup tells whether process pid is in the node's cgroup subtree in some hierarchy
// now, by /proc/PID/cgroup.
func (s Scanner) inCgroup(pid int) bool {
	data, err := os.ReadFile(s.at(fmt.Sprintf("/proc/%d/cgroup", pid)))
	if err != nil {
		return false
	}
	member := regexp.MustCompile(":/" + regexp.QuoteMeta(s.Names.Cgroup) + "(/|$)")
	for _, line := range strings.Split(string(data), "\n") {
		if member.MatchString(line) {
			return true
		}
	}
	return false
}

// procStat reads the state letter and the start time (in clock ticks after boot) of
// process pid; ok is false when there is no such process.
func (s Scanner) procStat(pid int) (state string, start string, ok bool) {
	data, err := os.ReadFile(s.at(fmt.Sprintf("/proc/%d/stat", pid)))
	if err != nil {
		return "", "", false
	}
	// The fields after the command name, which may hold spaces and parentheses.
	stat := string(data)
	i := strings.LastIndex(stat, ") ")
	if i < 0 {
		return "", "", false
	}
	f := strings.Fields(stat[i+2:])
	if len(f) < 20 {
		return "", "", false
	}
	return f[0], f[19], true
}

// record is a process of the cluster's bookkeeping (hack/lib/cluster.sh): its name, PID
// and start time.
type record struct {
	name  string
	pid   int
	start string
}

// recorded finds the first record of name in the cluster's bookkeeping.
func (s Scanner) recorded(name string) (record, bool) {
	f, err := os.Open(s.at(filepath.Join(s.Names.ClusterDir, "pids")))
	if err != nil {
		return record{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != name {
			continue
		}
		pid, err := strconv.Atoi(fields[1])
		if err != nil {
			return record{}, false
		}
		r := record{name: name, pid: pid}
		if len(fields) > 2 {
			r.start = fields[2]
		}
		return r, true
	}
	return record{}, false
}

// alive tells whether the recorded process is still the one that was started: a PID
// with another start time was reused.
func (s Scanner) alive(r record) bool {
	_, start, ok := s.procStat(r.pid)
	return ok && start == r.start
}

// daemons are the node's recorded processes, in the order they stop: the kubelet first,
// so it restarts nothing.
var daemons = []string{"kubelet", "containerd", "node-ns"}

// ran tells whether this cluster ran a node: its files are there, or the bookkeeping
// holds one of its processes.
func (s Scanner) ran() bool {
	for _, f := range []string{"env", "mntns"} {
		if _, err := os.Stat(s.at(filepath.Join(s.Names.Dir, f))); err == nil {
			return true
		}
	}
	for _, name := range daemons {
		if _, ok := s.recorded(name); ok {
			return true
		}
	}
	return false
}

// MountsAt lists the mount points at dir or below it as the host sees them, spelled as
// mountinfo does; with below, only those strictly below dir.
func (s Scanner) MountsAt(dir string, below bool) ([]string, error) {
	mounts, err := s.mounts()
	if err != nil {
		return nil, err
	}
	return mountsAt(mounts, dir, below), nil
}

// bridgePorts lists the links on the node's bridge; ok is false when there is no bridge.
func (s Scanner) bridgePorts() (ports []string, ok bool) {
	dir := s.at(filepath.Join("/sys/class/net", s.Names.Bridge))
	if _, err := os.Stat(dir); err != nil {
		return nil, false
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "brif"))
	for _, e := range entries {
		ports = append(ports, e.Name())
	}
	return ports, true
}

// podLogLinks lists the links the kubelet made in /var/log/containers to the node's pod
// logs, as host paths.
func (s Scanner) podLogLinks() []string {
	entries, _ := os.ReadDir(s.at("/var/log/containers"))
	var links []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		link := filepath.Join("/var/log/containers", e.Name())
		if target, err := os.Readlink(s.at(link)); err == nil && strings.HasPrefix(target, s.Names.Dir+"/") {
			links = append(links, link)
		}
	}
	return links
}

// cniEntries lists the host-local IPAM directory and the cached results of the node's
// CNI network, as host paths: the directory whether or not it exists, the results as
// the directory lists them.
func (s Scanner) cniEntries() []string {
	entries := []string{filepath.Join("/var/lib/cni/networks", s.Names.Network)}
	results, _ := os.ReadDir(s.at("/var/lib/cni/results"))
	for _, e := range results {
		if strings.HasPrefix(e.Name(), s.Names.Network+"-") {
			entries = append(entries, filepath.Join("/var/lib/cni/results", e.Name()))
		}
	}
	return entries
}

// cniFiles lists those of cniEntries that exist (a symlink, where its target does).
func (s Scanner) cniFiles() []string {
	var files []string
	for _, e := range s.cniEntries() {
		if _, err := os.Stat(s.at(e)); err == nil {
			files = append(files, e)
		}
	}
	return files
}

// Process is one of the node's processes.
type Process struct {
	PID int
	// Cmdline is its command line, arguments separated by spaces, at most 160 bytes.
	Cmdline string
}

// Leftovers is what a node of the cluster left on the host.
type Leftovers struct {
	Processes []Process
	// Cgroups are the node's cgroups, one per hierarchy.
	Cgroups []string
	// Bridge tells whether the pods' bridge is there, Links are the links on it.
	Bridge bool
	Links  []string
	// Mounts are the mount points the host sees strictly below the node's directory, as
	// mountinfo spells them: the node's mount namespace should have held every one.
	Mounts []string
	// Files are the node's entries in the fixed paths of the kubelet and the CNI plugins.
	Files []string
}

// Lines describes the leftovers, one line each; none when there are none.
func (l Leftovers) Lines(bridge string) []string {
	var out []string
	for _, p := range l.Processes {
		out = append(out, fmt.Sprintf("process %d: %s", p.PID, p.Cmdline))
	}
	for _, cg := range l.Cgroups {
		out = append(out, "cgroup "+cg)
	}
	if l.Bridge {
		out = append(out, fmt.Sprintf("link %s (the pods' bridge)", bridge))
		for _, link := range l.Links {
			out = append(out, fmt.Sprintf("link %s (on %s)", link, bridge))
		}
	}
	for _, m := range l.Mounts {
		out = append(out, "mount "+m)
	}
	for _, f := range l.Files {
		out = append(out, "file "+f)
	}
	return out
}

// cmdlineMax is how much of a leftover process's command line is shown.
const cmdlineMax = 160

// Scan lists what a node of this cluster left behind: processes, cgroups, the bridge and
// the links on it, mounts below the node's directory visible on the host (only when the
// cluster ran a node), and the cluster's entries in the fixed paths the kubelet and the
// CNI plugins use.
func (s Scanner) Scan() (Leftovers, error) {
	var l Leftovers
	pids, err := s.PIDs()
	if err != nil {
		return l, err
	}
	for _, pid := range pids {
		// A process gone since it was listed is still reported, without its command.
		cmdline, _ := os.ReadFile(s.at(fmt.Sprintf("/proc/%d/cmdline", pid)))
		cmd := strings.ReplaceAll(string(cmdline), "\x00", " ")
		if len(cmd) > cmdlineMax {
			cmd = cmd[:cmdlineMax]
		}
		l.Processes = append(l.Processes, Process{PID: pid, Cmdline: cmd})
	}
	if l.Cgroups, err = s.nodeCgroups(); err != nil {
		return l, err
	}
	l.Links, l.Bridge = s.bridgePorts()
	if s.ran() {
		if l.Mounts, err = s.MountsAt(s.Names.Dir, true); err != nil {
			return l, err
		}
	}
	l.Files = append(s.podLogLinks(), s.cniFiles()...)
	return l, nil
}
