package realnode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScan(t *testing.T) {
	kubelet := "/cache/v1.37.2/kubelet --config=" + nodeDir + "/kubelet.yaml --kubeconfig=" + nodeDir +
		"/kubelet.kubeconfig --root-dir=" + nodeDir + "/kubelet --v=1 "
	left := Leftovers{
		Processes: []Process{
			{PID: 100, Cmdline: "/cache/pause "},
			{PID: 101, Cmdline: "/cache/root/usr/bin/containerd --config " + nodeDir + "/containerd/config.toml "},
			{PID: 102, Cmdline: kubelet[:160]},
			{PID: 103, Cmdline: "sleep 3600 "},
			// Gone since it was listed.
			{PID: 104},
		},
		Cgroups: []string{"/sys/fs/cgroup/cpu/" + cg, "/sys/fs/cgroup/memory/" + cg, "/sys/fs/cgroup/unified/" + cg},
		Bridge:  true,
		Links:   []string{"veth1a2b", "veth3c4d"},
		Mounts: []string{
			nodeDir + "/containerd/state/io.containerd.runtime.v2.task/k8s.io/3f2a/rootfs",
			nodeDir + `/containerd/state/netns/cni-1\040b`,
		},
		Files: []string{
			"/var/log/containers/web_default_dbg-1.log",
			"/var/lib/cni/networks/kubectl-debugger-b7c382e2",
			"/var/lib/cni/results/kubectl-debugger-b7c382e2-3f2a-eth0",
		},
	}
	// What stays when the node's own files are gone: its mounts are not its own to
	// report then.
	noNodeFiles := leftNode()
	delete(noNodeFiles, nodeDir+"/env")
	noNodeFiles[clusterDir+"/pids"] = "etcd 90 5000\n"
	// A node stopped by the tear-down: the host's and the other cluster's things remain.
	stopped := leftNode()
	for path := range stopped {
		if strings.Contains(path, "b7c382e2") || strings.HasPrefix(path, "proc/10") {
			delete(stopped, path)
		}
	}
	delete(stopped, "var/log/containers/web_default_dbg-1.log")
	stopped["proc/self/mountinfo"] = strings.Join(strings.SplitAfter(mountinfoFixture, "\n")[:11], "")

	tests := []struct {
		name string
		tree tree
		want Leftovers
	}{{
		name: "a node never stopped",
		tree: leftNode(),
		want: left,
	}, {
		name: "mounts below the node's directory when the cluster ran no node",
		tree: noNodeFiles,
		want: func() Leftovers { l := left; l.Mounts = nil; return l }(),
	}, {
		name: "a node ran only by the bookkeeping",
		tree: func() tree { t := leftNode(); delete(t, nodeDir+"/env"); return t }(),
		want: left,
	}, {
		name: "a stopped node",
		tree: stopped,
		want: Leftovers{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scanner(t, tt.tree)
			got, err := s.Scan()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Scan() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLines(t *testing.T) {
	s := scanner(t, leftNode())
	l, err := s.Scan()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"process 100: /cache/pause ",
		"process 101: /cache/root/usr/bin/containerd --config " + nodeDir + "/containerd/config.toml ",
		// The first 160 bytes of its command line.
		"process 102: /cache/v1.37.2/kubelet --config=" + nodeDir + "/kubelet.yaml --kubeconfig=/home/dev/kubectl-debugger/_output/local-cluster",
		"process 103: sleep 3600 ",
		"process 104: ",
		"cgroup /sys/fs/cgroup/cpu/" + cg,
		"cgroup /sys/fs/cgroup/memory/" + cg,
		"cgroup /sys/fs/cgroup/unified/" + cg,
		"link kdb7c382e2 (the pods' bridge)",
		"link veth1a2b (on kdb7c382e2)",
		"link veth3c4d (on kdb7c382e2)",
		"mount " + nodeDir + "/containerd/state/io.containerd.runtime.v2.task/k8s.io/3f2a/rootfs",
		"mount " + nodeDir + `/containerd/state/netns/cni-1\040b`,
		"file /var/log/containers/web_default_dbg-1.log",
		"file /var/lib/cni/networks/kubectl-debugger-b7c382e2",
		"file /var/lib/cni/results/kubectl-debugger-b7c382e2-3f2a-eth0",
	}
	if diff := cmp.Diff(want, l.Lines(s.Names.Bridge)); diff != "" {
		t.Errorf("Lines() (-want +got):\n%s", diff)
	}
	if got := (Leftovers{}).Lines(s.Names.Bridge); got != nil {
		t.Errorf("Lines() of nothing = %q, want none", got)
	}
}

func TestPIDs(t *testing.T) {
	s := scanner(t, leftNode())
	got, err := s.PIDs()
	if err != nil {
		t.Fatal(err)
	}
	// Not 1, 90 or 300: the host's, the control plane's and the other cluster's.
	if diff := cmp.Diff([]int{100, 101, 102, 103, 104}, got); diff != "" {
		t.Errorf("PIDs() (-want +got):\n%s", diff)
	}
}

func TestCgroupMounts(t *testing.T) {
	s := scanner(t, tree{"proc/self/mountinfo": mountinfoFixture +
		"70 30 0:60 / /sys/fs/cgroup/with\\040space rw - cgroup cgroup rw,name=spaced\n"})
	got, err := s.CgroupMounts()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/with space"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CgroupMounts() (-want +got):\n%s", diff)
	}
}

func TestMountsAt(t *testing.T) {
	s := scanner(t, tree{"proc/self/mountinfo": mountinfoFixture +
		"71 26 0:61 / /srv/a\\040b rw - tmpfs tmpfs rw\n72 71 0:62 / /srv/a\\040b/c rw - tmpfs tmpfs rw\n"})
	tests := []struct {
		dir   string
		below bool
		want  []string
	}{
		{clusterDir, false, []string{
			clusterDir, nodeDir,
			nodeDir + "/containerd/state/io.containerd.runtime.v2.task/k8s.io/3f2a/rootfs",
			nodeDir + `/containerd/state/netns/cni-1\040b`,
			clusterDir + "/node-old",
		}},
		{nodeDir, true, []string{
			nodeDir + "/containerd/state/io.containerd.runtime.v2.task/k8s.io/3f2a/rootfs",
			nodeDir + `/containerd/state/netns/cni-1\040b`,
		}},
		{nodeDir + "/", false, []string{
			nodeDir,
			nodeDir + "/containerd/state/io.containerd.runtime.v2.task/k8s.io/3f2a/rootfs",
			nodeDir + `/containerd/state/netns/cni-1\040b`,
		}},
		{"/srv/a b", false, []string{`/srv/a\040b`, `/srv/a\040b/c`}},
		{"/srv/a", false, nil},
	}
	for _, tt := range tests {
		got, err := s.MountsAt(tt.dir, tt.below)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("MountsAt(%q, %t) (-want +got):\n%s", tt.dir, tt.below, diff)
		}
	}
}

func TestScanErrors(t *testing.T) {
	s := scanner(t, tree{"proc/self/mountinfo/": "/"})
	_, err := s.Scan()
	want := "reading the mount table: read " + filepath.Join(s.Root, "proc/self/mountinfo") + ": is a directory"
	if err == nil || err.Error() != want {
		t.Errorf("Scan() = %v, want error %q", err, want)
	}
}

// A system without a mount table has no cgroups and no mounts.
func TestScanWithoutProc(t *testing.T) {
	tr := leftNode()
	delete(tr, "proc/self/mountinfo")
	s := scanner(t, tr)
	got, err := s.Scan()
	if err != nil {
		t.Fatal(err)
	}
	want := Leftovers{Bridge: true, Links: []string{"veth1a2b", "veth3c4d"}, Files: []string{
		"/var/log/containers/web_default_dbg-1.log",
		"/var/lib/cni/networks/kubectl-debugger-b7c382e2",
		"/var/lib/cni/results/kubectl-debugger-b7c382e2-3f2a-eth0",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scan() (-want +got):\n%s", diff)
	}
}

func TestNamesOf(t *testing.T) {
	want := Names{
		ClusterDir: clusterDir,
		Dir:        nodeDir,
		ID:         "b7c382e2",
		Cgroup:     cg,
		Bridge:     "kdb7c382e2",
		Network:    "kubectl-debugger-b7c382e2",
	}
	if diff := cmp.Diff(want, NamesOf(clusterDir)); diff != "" {
		t.Errorf("NamesOf(%s) (-want +got):\n%s", clusterDir, diff)
	}
}

func TestResolve(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	tests := []struct{ path, want string }{
		{"link/_output/local-cluster", dir + "/real/_output/local-cluster"},
		{dir + "/link", dir + "/real"},
		{"real/./x/../y", dir + "/real/y"},
		{"/nonexistent/a", "/nonexistent/a"},
	}
	for _, tt := range tests {
		got, err := Resolve(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v, want %q", tt.path, got, err, tt.want)
		}
	}
}
