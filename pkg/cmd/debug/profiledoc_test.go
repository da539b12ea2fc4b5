package debug

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

const nodeProfileDoc = `apiVersion: debugger.kubectl-debugger.github.io/v1alpha1
kind: DebugProfile
container:
  env: [{name: SITE, value: eu}]
  volumeMounts: [{name: logs, mountPath: /var/log/host}]
pod:
  metadata:
    labels: {team: sre}
    annotations: {reason: incident-42}
  spec:
    imagePullSecrets: [{name: registry}]
    tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]
    nodeSelector: {disk: ssd}
    volumes: [{name: logs, hostPath: {path: /var/log}}]
    priorityClassName: system-node-critical
`

func TestProfileDocumentOnNodePod(t *testing.T) {
	got := planOf(t, nodeTarget(), "node/node-a", "--image=busybox:1.36", "--profile=baseline", "--custom="+writeFile(t, "node.yaml", nodeProfileDoc)).pod
	want := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "node-debugger-node-a-aaaaa", Namespace: "test",
			Labels:      map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug", "team": "sre"},
			Annotations: map[string]string{"reason": "incident-42", "kubectl.kubernetes.io/debug-target": "node/node-a"},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "debugger", Image: "busybox:1.36", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
				Env:          []corev1.EnvVar{{Name: "SITE", Value: "eu"}},
				VolumeMounts: []corev1.VolumeMount{{Name: "logs", MountPath: "/var/log/host"}},
			}},
			NodeName:      "node-a",
			RestartPolicy: corev1.RestartPolicyNever,
			Tolerations: []corev1.Toleration{
				{Operator: corev1.TolerationOpExists},
				{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "infra", Effect: corev1.TaintEffectNoSchedule},
			},
			ImagePullSecrets:  []corev1.LocalObjectReference{{Name: "registry"}},
			NodeSelector:      map[string]string{"disk": "ssd"},
			Volumes:           []corev1.Volume{{Name: "logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}}},
			PriorityClassName: "system-node-critical",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pod (-want +got):\n%s", diff)
	}
}

func TestProfileDocumentOnCopy(t *testing.T) {
	doc := `{"apiVersion": "debugger.kubectl-debugger.github.io/v1alpha1", "kind": "DebugProfile",
	  "container": {"volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]},
	  "pod": {"metadata": {"labels": {"debug": "true"}}, "spec": {"nodeSelector": {"zone": "a"}, "volumes": [{"name": "scratch", "emptyDir": {}}]}}}`
	got := planOf(t, appTarget(), "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--custom="+writeFile(t, "copy.json", doc)).pod
	want := copiedApp()
	stripped(want)
	want.Labels = map[string]string{"debug": "true"}
	want.Spec.NodeSelector = map[string]string{"zone": "a"}
	// A strategic merge puts new list entries before the ones the patch does not mention.
	want.Spec.Volumes = append([]corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}, want.Spec.Volumes...)
	dc := debugContainer(generalSC)
	dc.Stdin = false
	dc.VolumeMounts = []corev1.VolumeMount{{Name: "scratch", MountPath: "/scratch"}}
	want.Spec.Containers = append(want.Spec.Containers, dc)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pod (-want +got):\n%s", diff)
	}
}

func TestEphemeralRefusesPodSection(t *testing.T) {
	doc := writeFile(t, "p.yaml", "apiVersion: debugger.kubectl-debugger.github.io/v1alpha1\nkind: DebugProfile\npod: {spec: {nodeSelector: {a: b}}}\n")
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "--custom="+doc)
	want := "--custom " + doc + `: field "pod": an ephemeral container cannot change its pod; use --copy-to to debug a copy with these pod settings`
	if got := errString(r.err); got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API calls were made: %v", client.Actions())
	}

	ports := writeFile(t, "q.yaml", "apiVersion: debugger.kubectl-debugger.github.io/v1alpha1\nkind: DebugProfile\ncontainer: {ports: [{containerPort: 1}]}\n")
	r = runCommand(t, client, "", "app", "--image=busybox", "--custom="+ports)
	want = "--custom " + ports + `: field "container.ports": it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node`
	if got := errString(r.err); got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
}

func TestNamedProfilesAndLayering(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBECTL_DEBUG_PROFILES", dir)
	if err := os.WriteFile(filepath.Join(dir, "sre.yaml"), []byte("env: [{name: TEAM, value: sre}, {name: LEVEL, value: team}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mine := writeFile(t, "mine.json", `{"env": [{"name": "LEVEL", "value": "mine"}]}`)
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "-c", "dbg", "--custom=sre", "--custom="+mine)
	if r.err != nil {
		t.Fatal(r.err)
	}
	pod, _ := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app")
	got := pod.(*corev1.Pod).Spec.EphemeralContainers[0].Env
	want := []corev1.EnvVar{{Name: "TEAM", Value: "sre"}, {Name: "LEVEL", Value: "mine"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}

	r = runCommand(t, fake.NewClientset(appPod()), "", "app", "--image=busybox", "--custom=oncall")
	wantErr := "--custom oncall: no such file, and no named profile \"oncall\": tried oncall, " +
		strings.Join([]string{filepath.Join(dir, "oncall.yaml"), filepath.Join(dir, "oncall.yml"), filepath.Join(dir, "oncall.json")}, ", ")
	if got := errString(r.err); got != wantErr {
		t.Errorf("error:\n got: %s\nwant: %s", got, wantErr)
	}
}

func TestCustomFromStdin(t *testing.T) {
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, `{"env": [{"name": "FROM", "value": "stdin"}]}`, "app", "--image=busybox", "-c", "dbg", "--custom=-")
	if r.err != nil {
		t.Fatal(r.err)
	}
	pod, _ := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app")
	if diff := cmp.Diff([]corev1.EnvVar{{Name: "FROM", Value: "stdin"}}, pod.(*corev1.Pod).Spec.EphemeralContainers[0].Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"app", "--image=busybox", "--custom=-", "-i"}, "--custom=- reads standard input, which -i/--stdin gives to the debug container"},
		{[]string{"-f", "-", "--image=busybox", "--custom=-"}, "--custom=- reads standard input, which only one of --custom and -f may do"},
	} {
		client := fake.NewClientset(appPod())
		r := runCommand(t, client, "{}", tt.args...)
		if got := errString(r.err); got != tt.want {
			t.Errorf("%v: error = %q, want %q", tt.args, got, tt.want)
		}
		if len(client.Actions()) != 0 {
			t.Errorf("%v: API calls were made", tt.args)
		}
	}
}

func TestShareVolumes(t *testing.T) {
	pod := appPod()
	pod.Spec.Containers[0].VolumeMounts = append(pod.Spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: "/conf", SubPath: "conf"})
	tests := []struct {
		name, flag, target string
		mode               Mode
		mounts, skipped    []corev1.VolumeMount
		err                string
	}{
		{name: "named", flag: "web", mode: ModeCopy, mounts: pod.Spec.Containers[0].VolumeMounts},
		{name: "target", flag: shareVolumesAuto, target: "web", mode: ModeEphemeral,
			mounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}, skipped: []corev1.VolumeMount{{Name: "data", MountPath: "/conf", SubPath: "conf"}}},
		{name: "ambiguous", flag: shareVolumesAuto, mode: ModeEphemeral, err: `--share-volumes: pod "app" has 2 containers; name the one whose volumes to share, e.g. --share-volumes=web`},
		{name: "missing", flag: "db", mode: ModeCopy, err: `--share-volumes: container "db" not found in pod "app"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mounts, skipped, err := sharedMounts(pod, tt.flag, tt.target, tt.mode)
			if got := errString(err); got != tt.err {
				t.Fatalf("error = %q, want %q", got, tt.err)
			}
			if diff := cmp.Diff(tt.mounts, mounts); diff != "" {
				t.Errorf("mounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.skipped, skipped); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShareVolumesThroughCommand(t *testing.T) {
	override := writeFile(t, "ro.yaml", "volumeMounts: [{name: data, mountPath: /data, readOnly: true}]\n")
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "-c", "dbg", "--share-volumes=web", "--custom="+override, "--profile=baseline")
	if r.err != nil {
		t.Fatal(r.err)
	}
	pod, _ := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "app")
	want := []corev1.VolumeMount{{Name: "data", MountPath: "/data", ReadOnly: true}}
	if diff := cmp.Diff(want, pod.(*corev1.Pod).Spec.EphemeralContainers[0].VolumeMounts); diff != "" {
		t.Errorf("mounts (-want +got):\n%s", diff)
	}

	r = runCommand(t, fake.NewClientset(nodeA()), "", "node/node-a", "--image=busybox", "--share-volumes")
	if got, want := errString(r.err), "--share-volumes cannot be used with node/node-a: a node has no containers to share volumes with"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestPrivilegeWarningIgnoresQuiet(t *testing.T) {
	priv := writeFile(t, "priv.yaml", "securityContext: {privileged: true}\n")
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "-c", "dbg", "-q", "--profile=restricted", "--custom="+priv)
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "Warning: --custom makes the debug pod more privileged than --profile=restricted: securityContext.privileged: true\n"
	if r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
}

// A profile document's pod section is weighed as the container is: a root group, a host
// port, a service account token and sysctls each make the warning name them.
func TestPrivilegeWarningForPodSection(t *testing.T) {
	doc := writeFile(t, "pod.yaml", `apiVersion: debugger.kubectl-debugger.github.io/v1alpha1
kind: DebugProfile
container:
  ports: [{containerPort: 8080, hostPort: 8080}]
pod:
  spec:
    automountServiceAccountToken: true
    serviceAccountName: admin
    securityContext:
      fsGroup: 0
      supplementalGroups: [0]
      sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]
    volumes:
    - name: vault-token
      projected: {sources: [{serviceAccountToken: {path: token, audience: vault}}]}
`)
	client := fake.NewClientset(nodeA())
	r := runCommand(t, client, "", "node/node-a", "--image=busybox", "--profile=baseline", "--custom="+doc, "--dry-run=client", "-q", "-o", "name")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "Warning: --custom makes the debug pod more privileged than --profile=baseline: ports[0].hostPort: 8080; " +
		"spec.securityContext.fsGroup: 0; spec.securityContext.supplementalGroups: 0; " +
		"spec.securityContext.sysctls: net.ipv4.ip_unprivileged_port_start=0; automountServiceAccountToken: true; " +
		`serviceAccountName: admin; volume "vault-token": projected service account token` + "\n"
	if r.stderr != want {
		t.Errorf("stderr:\n got: %q\nwant: %q", r.stderr, want)
	}
}
