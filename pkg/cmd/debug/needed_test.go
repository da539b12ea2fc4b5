package debug

import (
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
)

// A profile adds to a node debugging pod; it cannot take away what node debugging needs.
func TestProfilesCannotUndoTheMode(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"host root volume replaced", cataloguetest.DocHead + "pod: {spec: {volumes: [{name: host-root, emptyDir: {}}]}}\n",
			`pod.spec.volumes: a custom profile cannot change or remove volume "host-root", the node's filesystem that node debugging mounts at /host`},
		{"host root volume deleted", cataloguetest.DocHead + "pod: {spec: {volumes: [{name: host-root, $patch: delete}]}}\n",
			`pod.spec.volumes: a custom profile cannot change or remove volume "host-root", the node's filesystem that node debugging mounts at /host`},
		{"host root mount deleted", "volumeMounts: [{mountPath: /host, $patch: delete}]\n",
			"volumeMounts: a custom profile may make the mount of the node's filesystem at /host read-only, but cannot remove, move or otherwise change it"},
		{"host root mount made another", "volumeMounts: [{mountPath: /host, name: other}]\n",
			"volumeMounts: a custom profile may make the mount of the node's filesystem at /host read-only, but cannot remove, move or otherwise change it"},
		{"host root mount propagating the host's mounts", "volumeMounts: [{mountPath: /host, mountPropagation: HostToContainer}]\n",
			"volumeMounts: a custom profile may make the mount of the node's filesystem at /host read-only, but cannot remove, move or otherwise change it"},
		{"host root mount of a subdirectory", "volumeMounts: [{mountPath: /host, subPath: etc}]\n",
			"volumeMounts: a custom profile may make the mount of the node's filesystem at /host read-only, but cannot remove, move or otherwise change it"},
		{"mounts replaced", "volumeMounts: [{$patch: replace}, {name: x, mountPath: /x}]\n",
			"volumeMounts: a custom profile may make the mount of the node's filesystem at /host read-only, but cannot remove, move or otherwise change it"},
		{"managed-by label overwritten", cataloguetest.DocHead + "pod: {metadata: {labels: {app.kubernetes.io/managed-by: me}}}\n",
			"pod.metadata.labels.app.kubernetes.io/managed-by: a custom profile cannot change the label that marks debugging pods (app.kubernetes.io/managed-by=kubectl-debug)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, "p.yaml", tt.content)
			client := fake.NewClientset(nodeA())
			r := runCommand(t, client, "", "node/node-a", "--image=busybox", "--profile=sysadmin", "--custom="+file)
			if got, want := errString(r.err), "--custom "+file+": "+tt.want; got != want {
				t.Errorf("error:\n got: %s\nwant: %s", got, want)
			}
			// Refused before the node is read.
			assertActions(t, client, nil)
		})
	}
	// Restricting the host's mount is fine: read-only, recursively, without propagation.
	for _, restrict := range []string{
		"volumeMounts: [{name: host-root, mountPath: /host, readOnly: true}]\n",
		"volumeMounts: [{mountPath: /host, readOnly: true, recursiveReadOnly: Enabled}]\n",
		"volumeMounts: [{mountPath: /host, mountPropagation: None}]\n",
	} {
		file := writeFile(t, "p.yaml", restrict)
		client := fake.NewClientset(nodeA())
		if r := runCommand(t, client, "", "node/node-a", "--image=busybox", "--profile=sysadmin", "--custom="+file, "-q"); r.err != nil {
			t.Errorf("%s: %v", restrict, r.err)
		}
	}
	// Adding is fine: a volume, a mount, a label, a toleration.
	file := writeFile(t, "p.yaml", cataloguetest.DocHead+`container: {volumeMounts: [{name: logs, mountPath: /logs}]}
pod:
  metadata: {labels: {team: sre}}
  spec:
    volumes: [{name: logs, hostPath: {path: /var/log}}]
    tolerations: [{key: gpu, operator: Exists}]
`)
	client := fake.NewClientset(nodeA())
	if r := runCommand(t, client, "", "node/node-a", "--image=busybox", "--profile=sysadmin", "--custom="+file, "-q"); r.err != nil {
		t.Errorf("adding to a node pod: %v", r.err)
	}
}

// On a Windows node the pod is a HostProcess pod: a custom profile may change the account
// the container runs as, which is why the profile sets it on the container, but it
// cannot turn HostProcess off for the container.
func TestProfilesOnWindowsNodes(t *testing.T) {
	windows := nodeA()
	windows.Labels = map[string]string{"kubernetes.io/os": "windows"}

	file := writeFile(t, "p.yaml", "securityContext: {windowsOptions: {hostProcess: false}}\n")
	client := fake.NewClientset(windows)
	r := runCommand(t, client, "", "node/node-a", "--image=busybox", "--profile=sysadmin", "--custom="+file)
	want := "--custom " + file + ": securityContext.windowsOptions.hostProcess: a custom profile cannot turn off HostProcess, which debugging a Windows node runs as"
	if got := errString(r.err); got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
	// Refused after reading the node, which tells Windows from Linux, and before any write.
	assertActions(t, client, []action{{"get", "nodes", "", "", "node-a"}})

	// The same file on a Linux node changes nothing Linux runs.
	client = fake.NewClientset(nodeA())
	if r := runCommand(t, client, "", "node/node-a", "--image=busybox", "--profile=sysadmin", "--custom="+file, "-q"); r.err != nil {
		t.Errorf("hostProcess: false on a Linux node: %v", r.err)
	}

	file = writeFile(t, "p.yaml", `securityContext: {windowsOptions: {runAsUserName: "NT AUTHORITY\\LOCAL SERVICE"}}`+"\n")
	client = fake.NewClientset(windows)
	r = runCommand(t, client, "", "node/node-a", "--image=busybox", "--profile=sysadmin", "--custom="+file)
	if r.err != nil {
		t.Fatalf("a less privileged account: %v", r.err)
	}
	if strings.Contains(r.stderr, "more privileged") {
		t.Errorf("a less privileged account was reported as a raise:\n%s", r.stderr)
	}
}
