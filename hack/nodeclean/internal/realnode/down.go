package realnode

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// System is what the tear-down changes on the host. Paths are below the scanner's root.
type System interface {
	// Signal sends sig to process pid.
	Signal(pid int, sig syscall.Signal) error
	// WriteFile writes data to an existing file, such as a cgroup's cgroup.kill.
	WriteFile(path string, data []byte) error
	// Rmdir removes a directory, a cgroup once its last process is reaped.
	Rmdir(path string) error
	// DeleteLink deletes a network link by name.
	DeleteLink(name string) error
	// Sleep waits before the next look.
	Sleep(d time.Duration)
}

// Host is the machine the tool runs on.
type Host struct{}

// Signal sends sig to pid.
func (Host) Signal(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }

// WriteFile writes data to the existing file path.
func (Host) WriteFile(path string, data []byte) error {
	return os.WriteFile(path, data, 0)
}

// Rmdir removes the directory path with rmdir(2), which a cgroup takes although it
// lists files.
func (Host) Rmdir(path string) error { return syscall.Rmdir(path) }

// DeleteLink deletes link name with ip(8).
func (Host) DeleteLink(name string) error {
	if out, err := exec.Command("ip", "link", "del", name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip link del %s: %w: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Sleep waits d.
func (Host) Sleep(d time.Duration) { time.Sleep(d) }

// How long the tear-down waits, in looks a tick apart: for the daemons to exit on
// SIGTERM, for the rest to go after SIGKILL, for the veths to follow the pods' network
// namespaces, and for each cgroup to empty.
const (
	tick          = 100 * time.Millisecond
	termLooks     = 50
	killLooks     = 100
	vethLooks     = 50
	cgroupLooks   = 50
	killGiveUpMsg = "node processes still alive after 10s: %s"
)

// Down stops the node and removes all it made outside the cluster directory's files: its
// processes (the recorded daemons by SIGTERM, the kubelet first so it restarts nothing,
// then whatever is left in its cgroups by SIGKILL), the links on the pods' bridge and the
// bridge, the cgroups, and its entries in the kubelet's and the CNI plugins' fixed paths.
// It unmounts nothing: the node's mounts go with its mount namespace, and one the host
// sees anyway is a bug to report (Scan), not a guess to act on as root. Failures to
// remove are left for Scan to report; logf hears of processes that would not die.
func Down(s Scanner, sys System, logf func(format string, args ...any)) error {
	var termed []int
	for _, name := range daemons {
		r, ok := s.recorded(name)
		if !ok || !s.alive(r) {
			continue
		}
		_ = sys.Signal(r.pid, syscall.SIGTERM)
		termed = append(termed, r.pid)
	}
	// An exited daemon may stay a zombie for a while, until its new parent reaps it.
	for range termLooks {
		if !slices.ContainsFunc(termed, func(pid int) bool {
			state, _, ok := s.procStat(pid)
			return ok && state != "Z" && state != "X"
		}) {
			break
		}
		sys.Sleep(tick)
	}

	// Then whatever is left: containers, shims, anything that ignored the signal.
	var pids []int
	for range killLooks {
		var err error
		if pids, err = s.PIDs(); err != nil {
			return err
		}
		if len(pids) == 0 {
			break
		}
		if err := s.kill(sys, pids); err != nil {
			return err
		}
		sys.Sleep(tick)
	}
	if len(pids) > 0 {
		logf(killGiveUpMsg, strings.Trim(fmt.Sprint(pids), "[]"))
	}

	// The veths go with the pods' network namespaces, a moment after their last process.
	for range vethLooks {
		if ports, _ := s.bridgePorts(); len(ports) == 0 {
			break
		}
		sys.Sleep(tick)
	}
	ports, bridge := s.bridgePorts()
	for _, p := range ports {
		_ = sys.DeleteLink(p)
	}
	if bridge {
		_ = sys.DeleteLink(s.Names.Bridge)
	}

	cgroups, err := s.nodeCgroups()
	if err != nil {
		return err
	}
	for _, cg := range cgroups {
		// A cgroup can only go once its last process is reaped; the deepest first.
		for range cgroupLooks {
			for _, dir := range subtree(s.at(cg)) {
				_ = sys.Rmdir(dir)
			}
			if _, err := os.Stat(s.at(cg)); err != nil {
				break
			}
			sys.Sleep(tick)
		}
	}

	// Should the namespace ever have leaked onto the host: what the kubelet and the CNI
	// plugins write to fixed paths, where they are this cluster's.
	for _, f := range append(s.podLogLinks(), s.cniEntries()...) {
		_ = os.RemoveAll(s.at(f))
	}
	return nil
}

// kill sends SIGKILL to the node's processes pids, as PIDs listed them, and to all else
// in its cgroup subtree. Where the kernel can (cgroup.kill, cgroup v2 since Linux 5.14)
// it kills the subtree itself: no PID is involved that could have ended and been reused
// since it was listed. Elsewhere each PID must still be in the subtree right before its
// signal.
func (s Scanner) kill(sys System, pids []int) error {
	cgroups, err := s.nodeCgroups()
	if err != nil {
		return err
	}
	for _, cg := range cgroups {
		file := s.at(filepath.Join(cg, "cgroup.kill"))
		if fi, err := os.Stat(file); err == nil && fi.Mode().IsRegular() {
			_ = sys.WriteFile(file, []byte("1"))
		}
	}
	for _, pid := range pids {
		if s.inCgroup(pid) {
			_ = sys.Signal(pid, syscall.SIGKILL)
		}
	}
	return nil
}

// subtree lists dir and the directories below it, the deepest first.
func subtree(dir string) []string {
	var dirs []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return nil
	})
	slices.Reverse(dirs)
	return dirs
}
