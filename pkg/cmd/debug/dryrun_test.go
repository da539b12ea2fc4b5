package debug

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// dryRunOf returns the dryRun field of every write the client saw.
func dryRunOf(client *fake.Clientset) [][]string {
	var got [][]string
	for _, a := range client.Actions() {
		switch a := a.(type) {
		case k8stesting.PatchActionImpl:
			got = append(got, a.GetPatchOptions().DryRun)
		case k8stesting.CreateActionImpl:
			got = append(got, a.GetCreateOptions().DryRun)
		case k8stesting.DeleteActionImpl:
			got = append(got, a.GetDeleteOptions().DryRun)
		}
	}
	return got
}

func TestDryRunEveryMode(t *testing.T) {
	all := []string{metav1.DryRunAll}
	tests := []struct {
		name        string
		args        []string
		wantActions []action
		wantDryRun  [][]string
		wantStdout  string
		wantStderr  string
	}{
		{
			name:        "ephemeral, client",
			args:        []string{"app", "--image=busybox:1.36", "-c", "dbg", "--dry-run=client"},
			wantActions: []action{{"get", "pods", "", "test", "app"}},
			wantStdout: "Dry run (client): would add ephemeral container \"dbg\" to pod test/app\n" +
				"  mode:      ephemeral container\n  container: dbg\n  image:     busybox:1.36\n  profile:   general\n",
		},
		{
			name:        "ephemeral, server",
			args:        []string{"app", "--image=busybox:1.36", "-c", "dbg", "--dry-run=server", "-i"},
			wantActions: []action{{"get", "pods", "", "test", "app"}, {"patch", "pods", "ephemeralcontainers", "test", "app"}},
			wantDryRun:  [][]string{all},
			wantStdout: "Dry run (server): would add ephemeral container \"dbg\" to pod test/app\n" +
				"  mode:      ephemeral container\n  container: dbg\n  image:     busybox:1.36\n  profile:   general\n",
		},
		{
			name:        "copy with replace, client",
			args:        []string{"app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--replace", "--dry-run"},
			wantActions: []action{{"get", "pods", "", "test", "app"}},
			wantStdout: "Dry run (client): would create pod test/app-copy, a copy of pod test/app\n" +
				"  mode:      pod copy\n  container: dbg\n  image:     busybox:1.36\n  profile:   general\n",
			wantStderr: "Dry run: pod test/app would be deleted once its copy app-copy exists.\n",
		},
		{
			name:        "copy with replace, server",
			args:        []string{"app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--replace", "--dry-run=server", "-q"},
			wantActions: []action{{"get", "pods", "", "test", "app"}, {"create", "pods", "", "test", "app-copy"}, {"delete", "pods", "", "test", "app"}},
			wantDryRun:  [][]string{all, all},
			wantStdout: "Dry run (server): would create pod test/app-copy, a copy of pod test/app\n" +
				"  mode:      pod copy\n  container: dbg\n  image:     busybox:1.36\n  profile:   general\n",
		},
		{
			name:        "node, client",
			args:        []string{"node/node-a", "--image=busybox:1.36", "--dry-run=client", "--profile=sysadmin", "-q"},
			wantActions: []action{{"get", "nodes", "", "", "node-a"}},
			wantStdout: "Dry run (client): would create pod test/node-debugger-node-a-aaaaa on node node-a\n" +
				"  mode:      node\n  container: debugger\n  image:     busybox:1.36\n  profile:   sysadmin\n",
		},
		{
			name:        "node, server",
			args:        []string{"node/node-a", "--image=busybox:1.36", "--dry-run=server", "-q"},
			wantActions: []action{{"get", "nodes", "", "", "node-a"}, {"create", "pods", "", "test", "node-debugger-node-a-aaaaa"}},
			wantDryRun:  [][]string{all},
			wantStdout: "Dry run (server): would create pod test/node-debugger-node-a-aaaaa on node node-a\n" +
				"  mode:      node\n  container: debugger\n  image:     busybox:1.36\n  profile:   general\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(appPod(), nodeA())
			r := runCommand(t, client, "", tt.args...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			assertActions(t, client, tt.wantActions)
			if diff := cmp.Diff(tt.wantDryRun, dryRunOf(client)); diff != "" {
				t.Errorf("dryRun of writes (-want +got):\n%s", diff)
			}
			if r.stdout != tt.wantStdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, tt.wantStdout)
			}
			if r.stderr != tt.wantStderr {
				t.Errorf("stderr = %q, want %q", r.stderr, tt.wantStderr)
			}
		})
	}
}

func TestDryRunClientPrintsWholePod(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "--dry-run=client", "-o", "json", "--profile=baseline")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got corev1.Pod
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not a pod: %v\n%s", err, r.stdout)
	}
	want := appPod()
	want.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
	want.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debugger-aaaaa", Image: "busybox:1.36", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
	}}}
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("pod (-want +got):\n%s", diff)
	}
	// With -o, notices leave standard output to the object.
	if want := "Defaulting debug container name to debugger-aaaaa.\n"; r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
}

func TestOutputName(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "-o", "name")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "pod/app-copy\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
}

func TestDryRunAndOutputErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"app", "--image=busybox", "--dry-run=maybe"}, `invalid --dry-run "maybe": must be "none", "server" or "client"`},
		{[]string{"app", "--image=busybox", "-o", "table"}, `-o: unable to match a printer suitable for the output format "table", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml`},
	}
	for _, tt := range tests {
		client := fake.NewClientset(appPod())
		r := runCommand(t, client, "", tt.args...)
		if got := errString(r.err); got != tt.want {
			t.Errorf("%v: error:\n got: %s\nwant: %s", tt.args, got, tt.want)
		}
		if len(client.Actions()) != 0 {
			t.Errorf("%v: API calls were made: %v", tt.args, client.Actions())
		}
	}
}
