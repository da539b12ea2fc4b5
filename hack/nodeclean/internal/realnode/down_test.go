package realnode

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeHost plays the kernel on a fixture tree: a process it signals exits (its /proc
// entry and its cgroup.procs lines go) unless it is stubborn, a written cgroup.kill ends
// the subtree's processes, a cgroup goes once it has no children and no process, a
// link once deleted. It records every change asked of it.
type fakeHost struct {
	t        *testing.T
	root     string
	stubborn map[int]bool
	actions  []string
	sleeps   int
}

func (h *fakeHost) Signal(pid int, sig syscall.Signal) error {
	h.actions = append(h.actions, fmt.Sprintf("signal %d %s", pid, unix(sig)))
	if h.stubborn[pid] {
		return nil
	}
	h.exit(pid)
	return nil
}

func unix(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "TERM"
	case syscall.SIGKILL:
		return "KILL"
	}
	return sig.String()
}

// exit ends process pid.
func (h *fakeHost) exit(pid int) {
	if err := os.RemoveAll(filepath.Join(h.root, "proc", strconv.Itoa(pid))); err != nil {
		h.t.Fatal(err)
	}
	h.procsFiles(filepath.Join(h.root, "sys/fs/cgroup"), func(path string, pids []int) {
		kept := slices.DeleteFunc(pids, func(p int) bool { return p == pid })
		var b strings.Builder
		for _, p := range kept {
			fmt.Fprintf(&b, "%d\n", p)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			h.t.Fatal(err)
		}
	})
}

// procsFiles calls f with every cgroup.procs file below dir and the PIDs it lists.
func (h *fakeHost) procsFiles(dir string, f func(path string, pids []int)) {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "cgroup.procs" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var pids []int
		for _, field := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(field)
			if err != nil {
				return err
			}
			pids = append(pids, pid)
		}
		f(path, pids)
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *fakeHost) host(path string) string {
	return "/" + strings.TrimPrefix(strings.TrimPrefix(path, h.root), "/")
}

func (h *fakeHost) WriteFile(path string, data []byte) error {
	h.actions = append(h.actions, fmt.Sprintf("write %q to %s", data, h.host(path)))
	if filepath.Base(path) == "cgroup.kill" && string(data) == "1" {
		var pids []int
		h.procsFiles(filepath.Dir(path), func(_ string, p []int) { pids = append(pids, p...) })
		for _, pid := range pids {
			if !h.stubborn[pid] {
				h.exit(pid)
			}
		}
	}
	return nil
}

func (h *fakeHost) Rmdir(path string) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			return syscall.ENOTEMPTY
		}
		if e.Name() == "cgroup.procs" {
			if data, _ := os.ReadFile(filepath.Join(path, e.Name())); len(data) > 0 {
				return syscall.EBUSY
			}
		}
	}
	h.actions = append(h.actions, "rmdir "+h.host(path))
	return os.RemoveAll(path)
}

func (h *fakeHost) DeleteLink(name string) error {
	h.actions = append(h.actions, "delete link "+name)
	net := filepath.Join(h.root, "sys/class/net")
	ports, _ := filepath.Glob(filepath.Join(net, "*", "brif", name))
	for _, p := range append(ports, filepath.Join(net, name)) {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}

func (h *fakeHost) Sleep(time.Duration) { h.sleeps++ }

// exists lists which of paths exist below root.
func exists(t *testing.T, root string, paths ...string) []string {
	t.Helper()
	var found []string
	for _, p := range paths {
		if _, err := os.Lstat(filepath.Join(root, p)); err == nil {
			found = append(found, p)
		}
	}
	return found
}

// untouched are the host's, the control plane's and the other cluster's things in
// leftNode, which the tear-down must leave as they are.
var untouched = []string{
	"proc/90", "proc/300", "sys/fs/cgroup/cpu/" + otherCg, "sys/fs/cgroup/unified/" + otherCg,
	"sys/class/net/eth0", "sys/class/net/kd0c0c0c0c/brif/veth9999", "sys/class/net/veth9999",
	"var/log/containers/other_default_app-2.log", "var/log/containers/host_kube-system_x.log",
	"var/log/containers/plain.log", "var/lib/cni/networks/kubectl-debugger-0c0c0c0c",
	"var/lib/cni/results/kubectl-debugger-0c0c0c0c-9999-eth0", "var/lib/cni/results/kubectl-debugger-b7c382e2x-not-this-network",
	nodeDir + "/env",
}

// checkUntouched fails when the tear-down removed what is not the node's.
func checkUntouched(t *testing.T, root string) {
	t.Helper()
	if diff := cmp.Diff(untouched, exists(t, root, untouched...)); diff != "" {
		t.Errorf("the tear-down removed what is not the node's (-want +got):\n%s", diff)
	}
}

func TestDown(t *testing.T) {
	tr := leftNode()
	// No process listed that is gone.
	tr["sys/fs/cgroup/memory/"+cg+"/kubepods/besteffort/pod1/c1/cgroup.procs"] = "103\n"
	s := scanner(t, tr)
	h := &fakeHost{t: t, root: s.Root}
	var logged []string
	if err := Down(s, h, func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }); err != nil {
		t.Fatal(err)
	}
	want := []string{
		// The recorded daemons, the kubelet first.
		"signal 102 TERM",
		"signal 101 TERM",
		"signal 100 TERM",
		// The container is left: the v2 hierarchy's cgroup.kill ends it.
		`write "1" to /sys/fs/cgroup/unified/` + cg + "/cgroup.kill",
		// The veths outlived the pods' network namespaces.
		"delete link veth1a2b",
		"delete link veth3c4d",
		"delete link kdb7c382e2",
	}
	// The deepest first, in every hierarchy.
	for _, h := range []string{"cpu", "memory", "unified"} {
		for _, dir := range []string{"/kubepods/besteffort/pod1/c1", "/kubepods/besteffort/pod1", "/kubepods/besteffort", "/kubepods", "/daemons", ""} {
			want = append(want, "rmdir /sys/fs/cgroup/"+h+"/"+cg+dir)
		}
	}
	if diff := cmp.Diff(want, h.actions); diff != "" {
		t.Errorf("Down's actions (-want +got):\n%s", diff)
	}
	// A tick after the SIGKILLs, five seconds for the veths, which the fake leaves until
	// deleted.
	if h.sleeps != 1+vethLooks {
		t.Errorf("Down slept %d times, want %d", h.sleeps, 1+vethLooks)
	}
	l, err := s.Scan()
	if err != nil {
		t.Fatal(err)
	}
	// The mounts are reported, never unmounted.
	wantLeft := Leftovers{Mounts: []string{
		nodeDir + "/containerd/state/io.containerd.runtime.v2.task/k8s.io/3f2a/rootfs",
		nodeDir + `/containerd/state/netns/cni-1\040b`,
	}}
	if diff := cmp.Diff(wantLeft, l); diff != "" {
		t.Errorf("Scan() after Down (-want +got):\n%s", diff)
	}
	if logged != nil {
		t.Errorf("logged %q, want nothing", logged)
	}
	if left := exists(t, s.Root, "var/lib/cni/results/kubectl-debugger-b7c382e2-dead-eth0"); left != nil {
		t.Errorf("Down left %q", left)
	}
	checkUntouched(t, s.Root)
}

func TestDownProcessesThatStay(t *testing.T) {
	tr := leftNode()
	// 104 was listed in the node's cgroup, but its PID now belongs to a process elsewhere.
	tr["proc/104/stat"] = stat("104", "S", "9000")
	tr["proc/104/cgroup"] = "4:memory:/\n1:cpu:/\n0::/\n"
	// The kubelet is gone and its PID reused by a process that is not the node's.
	tr["proc/102/stat"] = stat("102", "S", "9001")
	tr["proc/102/cgroup"] = "4:memory:/\n1:cpu:/\n0::/\n"
	for _, h := range []string{"cpu", "memory", "unified"} {
		tr["sys/fs/cgroup/"+h+"/"+cg+"/daemons/cgroup.procs"] = "100\n101\n"
	}
	s := scanner(t, tr)
	// 103 ignores every signal (as one in uninterruptible sleep would, for a while).
	h := &fakeHost{t: t, root: s.Root, stubborn: map[int]bool{103: true}}
	var logged []string
	if err := Down(s, h, func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }); err != nil {
		t.Fatal(err)
	}
	signals := map[string]int{}
	for _, a := range h.actions {
		if strings.HasPrefix(a, "signal ") {
			signals[a]++
		}
	}
	want := map[string]int{"signal 101 TERM": 1, "signal 100 TERM": 1, "signal 103 KILL": killLooks}
	if diff := cmp.Diff(want, signals); diff != "" {
		t.Errorf("signals sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"node processes still alive after 10s: 103 104"}, logged); diff != "" {
		t.Errorf("logged (-want +got):\n%s", diff)
	}
	checkUntouched(t, s.Root)
	if _, err := os.Stat(filepath.Join(s.Root, "proc/102")); err != nil {
		t.Errorf("the process that reused the kubelet's PID: %v", err)
	}
}
