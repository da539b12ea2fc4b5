package realnode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixture's cluster lives at clusterDir, whose ID (the first 8 hex digits of its
// SHA-256, as printf %s DIR | sha256sum computes it) is b7c382e2. Another cluster's
// processes, cgroups and bridge (ID 0c0c0c0c) are beside it.
const (
	clusterDir = "/home/dev/kubectl-debugger/_output/local-cluster"
	nodeDir    = clusterDir + "/node"
	cg         = "kubectl-debugger-b7c382e2"
	otherCg    = "kubectl-debugger-0c0c0c0c"
)

// tree is a directory tree by path: a value ending in "/" is a directory, one starting
// with "-> " a symlink to the rest, anything else a file's content.
type tree map[string]string

// build writes t below root.
func (t tree) build(tb testing.TB, root string) {
	tb.Helper()
	for path, v := range t {
		p := filepath.Join(root, path)
		var err error
		switch {
		case strings.HasSuffix(v, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(v, "-> "):
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.Symlink(strings.TrimPrefix(v, "-> "), p)
			}
		default:
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.WriteFile(p, []byte(v), 0o644)
			}
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// stat is a /proc/PID/stat line of a process in state with start time start; the
// command name holds a space and a parenthesis, as a real one may.
func stat(pid, state, start string) string {
	// Fields 3 to 22: the state, 18 numbers, then the start time.
	return pid + " (kube let) x) " + state + " 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 " + start + " 1000 100\n"
}

// leftNode is what a node that was never stopped leaves: the daemons of the bookkeeping
// (containerd, the kubelet, the namespace holder) and a container, in the node's cgroups
// of a v1 cpu hierarchy, a v1 memory one and the v2 one (with cgroup.kill); pid 104 is
// listed but gone. The bridge with two veths, a pod network namespace and an overlay
// root filesystem that leaked onto the host, a pod log link and the CNI network's files
// (one a dangling symlink).
// Beside them: another cluster's process, cgroup, bridge and files, and the host's own.
func leftNode() tree {
	return tree{
		"proc/self/mountinfo": mountinfoFixture,

		clusterDir + "/pids": "etcd 90 5000\nkube-apiserver 91 5001\nnode-ns 100 6000\ncontainerd 101 6001\nkubelet 102 6002\n",
		nodeDir + "/env":     "KD_NODE_ID=b7c382e2\n",

		"proc/90/stat":                   stat("90", "S", "5000"),
		"proc/90/cgroup":                 "4:memory:/\n1:cpu:/\n0::/\n",
		"proc/100/stat":                  stat("100", "S", "6000"),
		"proc/100/cmdline":               "/cache/pause\x00",
		"proc/100/cgroup":                "4:memory:/" + cg + "/daemons\n1:cpu:/" + cg + "/daemons\n0::/" + cg + "/daemons\n",
		"proc/101/stat":                  stat("101", "S", "6001"),
		"proc/101/cmdline":               "/cache/root/usr/bin/containerd\x00--config\x00" + nodeDir + "/containerd/config.toml\x00",
		"proc/101/cgroup":                "4:memory:/" + cg + "/daemons\n1:cpu:/" + cg + "/daemons\n0::/" + cg + "/daemons\n",
		"proc/102/stat":                  stat("102", "S", "6002"),
		"proc/102/cmdline":               "/cache/v1.37.2/kubelet\x00--config=" + nodeDir + "/kubelet.yaml\x00--kubeconfig=" + nodeDir + "/kubelet.kubeconfig\x00--root-dir=" + nodeDir + "/kubelet\x00--v=1\x00",
		"proc/102/cgroup":                "4:memory:/" + cg + "/daemons\n1:cpu:/" + cg + "/daemons\n0::/" + cg + "/daemons\n",
		"proc/103/stat":                  stat("103", "S", "6100"),
		"proc/103/cmdline":               "sleep\x003600\x00",
		"proc/103/cgroup":                "4:memory:/" + cg + "/kubepods/besteffort/pod1/c1\n1:cpu:/" + cg + "/kubepods/besteffort/pod1/c1\n0::/" + cg + "/kubepods/besteffort/pod1/c1\n",
		"proc/300/stat":                  stat("300", "S", "7000"),
		"proc/300/cmdline":               "containerd\x00",
		"proc/300/cgroup":                "4:memory:/" + otherCg + "/daemons\n1:cpu:/" + otherCg + "/daemons\n0::/" + otherCg + "/daemons\n",
		"sys/fs/cgroup/cpu/cgroup.procs": "1\n90\n300\n",
		"sys/fs/cgroup/cpu/" + cg + "/cgroup.procs":                                 "",
		"sys/fs/cgroup/cpu/" + cg + "/daemons/cgroup.procs":                         "100\n101\n102\n",
		"sys/fs/cgroup/cpu/" + cg + "/kubepods/besteffort/pod1/c1/cgroup.procs":     "103\n",
		"sys/fs/cgroup/cpu/" + otherCg + "/daemons/cgroup.procs":                    "300\n",
		"sys/fs/cgroup/memory/" + cg + "/daemons/cgroup.procs":                      "100\n101\n102\n",
		"sys/fs/cgroup/memory/" + cg + "/kubepods/besteffort/pod1/c1/cgroup.procs":  "103\n104\n",
		"sys/fs/cgroup/systemd/cgroup.procs":                                        "1\n",
		"sys/fs/cgroup/unified/" + cg + "/cgroup.kill":                              "",
		"sys/fs/cgroup/unified/" + cg + "/daemons/cgroup.procs":                     "100\n101\n102\n",
		"sys/fs/cgroup/unified/" + cg + "/kubepods/besteffort/pod1/c1/cgroup.procs": "103\n",
		"sys/fs/cgroup/unified/" + otherCg + "/daemons/cgroup.procs":                "300\n",

		"sys/class/net/eth0/":                    "/",
		"sys/class/net/kdb7c382e2/brif/veth1a2b": "/",
		"sys/class/net/kdb7c382e2/brif/veth3c4d": "/",
		"sys/class/net/veth1a2b/":                "/",
		"sys/class/net/veth3c4d/":                "/",
		"sys/class/net/kd0c0c0c0c/brif/veth9999": "/",
		"sys/class/net/veth9999/":                "/",

		"var/log/containers/web_default_dbg-1.log":   "-> " + nodeDir + "/pod-logs/default_web_1/dbg/0.log",
		"var/log/containers/other_default_app-2.log": "-> /home/dev/other/_output/local-cluster/node/pod-logs/x/0.log",
		"var/log/containers/host_kube-system_x.log":  "-> /var/log/pods/kube-system_host/x/0.log",
		"var/log/containers/plain.log":               "not a link",

		"var/lib/cni/networks/kubectl-debugger-b7c382e2/10.88.183.2": "3f2a",
		"var/lib/cni/networks/kubectl-debugger-0c0c0c0c/10.88.12.2":  "9999",
		"var/lib/cni/results/kubectl-debugger-b7c382e2-3f2a-eth0":    "{}",
		// A result whose target is gone: not reported (as test -e), but removed.
		"var/lib/cni/results/kubectl-debugger-b7c382e2-dead-eth0":         "-> /var/lib/cni/gone",
		"var/lib/cni/results/kubectl-debugger-0c0c0c0c-9999-eth0":         "{}",
		"var/lib/cni/results/kubectl-debugger-b7c382e2x-not-this-network": "{}",
	}
}

// mountinfoFixture is testdata/mountinfo, read once.
var mountinfoFixture = func() string {
	data, err := os.ReadFile("testdata/mountinfo")
	if err != nil {
		panic(err)
	}
	return string(data)
}()

// scanner builds t in a fresh root and returns the fixture cluster's scanner of it.
func scanner(tb testing.TB, t tree) Scanner {
	tb.Helper()
	root := tb.TempDir()
	t.build(tb, root)
	return Scanner{Root: root, Names: NamesOf(clusterDir)}
}
