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
	"k8s.io/utils/ptr"
)

const nodeProfileDoc = `apiVersion: kubectl-debugger/v1alpha1
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
	p, _ := newProfile(ProfileBaseline, KeepFlags{})
	s := &containerSpec{Image: "busybox:1.36", Profile: p, Customs: []*customProfile{mustCustom(t, "node.yaml", nodeProfileDoc)}}
	got, err := buildNodePod(nodeA(), s, "node-debugger-node-a-x", "debugger", "test")
	if err != nil {
		t.Fatal(err)
	}
	want := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "node-debugger-node-a-x", Namespace: "test",
			Labels:      map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug", "team": "sre"},
			Annotations: map[string]string{"reason": "incident-42"},
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
	p, _ := newProfile(ProfileGeneral, KeepFlags{InitContainers: true})
	doc := `{"apiVersion": "kubectl-debugger/v1alpha1", "kind": "DebugProfile",
	  "container": {"volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]},
	  "pod": {"metadata": {"labels": {"debug": "true"}}, "spec": {"nodeSelector": {"zone": "a"}, "volumes": [{"name": "scratch", "emptyDir": {}}]}}}`
	s := &containerSpec{Image: "busybox:1.36", CopyTo: "app-copy", Profile: p, Customs: []*customProfile{mustCustom(t, "copy.json", doc)}}
	got, _, err := buildCopy(appPod(), s, "dbg")
	if err != nil {
		t.Fatal(err)
	}
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

const docHead = "apiVersion: kubectl-debugger/v1alpha1\nkind: DebugProfile\n"

// badProfileDocuments are refused with exactly these messages, for a file called p.yaml.
var badProfileDocuments = []struct{ name, content, want string }{
	{"wrong kind", "apiVersion: v1\nkind: Pod\n", `--custom p.yaml: apiVersion "v1" and kind "Pod": a profile document has apiVersion kubectl-debugger/v1alpha1 and kind DebugProfile`},
	{"unknown section", docHead + "spec: {}\n", `--custom p.yaml: unknown field "spec": a profile document has apiVersion, kind, container and pod`},
	{"container not an object", docHead + "container: [1]\n", `--custom p.yaml: field "container": expected an object, got a list [1]`},
	{"container typo", docHead + "container: {enviroment: []}\n", `--custom p.yaml: unknown field "container.enviroment"`},
	{"container type", docHead + "container: {env: [{name: A, value: 1}]}\n", `--custom p.yaml: field "container.env[0].value": expected a string, got a number 1`},
	{"container image", docHead + "container: {image: x}\n", `--custom p.yaml: field "container.image" cannot be set by a custom profile: the image comes from --image`},
	{"pod containers", docHead + "pod: {spec: {containers: []}}\n", `--custom p.yaml: field "pod.spec.containers" cannot be set by a custom profile: containers come from the target pod; use the container section for the debug container`},
	{"pod init containers", docHead + "pod: {spec: {initContainers: []}}\n", `--custom p.yaml: field "pod.spec.initContainers" cannot be set by a custom profile: init containers come from the target pod`},
	{"pod ephemeral containers", docHead + "pod: {spec: {ephemeralContainers: []}}\n", `--custom p.yaml: field "pod.spec.ephemeralContainers" cannot be set by a custom profile: ephemeral containers cannot be created with a pod`},
	{"pod node name", docHead + "pod: {spec: {nodeName: n}}\n", `--custom p.yaml: field "pod.spec.nodeName" cannot be set by a custom profile: the node comes from the target; use --same-node or debug the node itself`},
	{"pod name", docHead + "pod: {metadata: {name: x}}\n", `--custom p.yaml: field "pod.metadata.name" cannot be set by a custom profile: the pod name comes from --copy-to or is generated`},
	{"pod namespace", docHead + "pod: {metadata: {namespace: x}}\n", `--custom p.yaml: field "pod.metadata.namespace" cannot be set by a custom profile: the namespace comes from the target or -n/--namespace`},
	{"pod metadata typo", docHead + "pod: {metadata: {label: {a: b}}}\n", `--custom p.yaml: unknown field "pod.metadata.label"`},
	{"pod spec typo", docHead + "pod: {spec: {tolerations: [{keyy: a}]}}\n", `--custom p.yaml: unknown field "pod.spec.tolerations[0].keyy"`},
	{"pod spec type", docHead + "pod: {spec: {hostPID: yes please}}\n", `--custom p.yaml: field "pod.spec.hostPID": expected true or false, got a string "yes please"`},
	{"replace whole container", `{"$patch": "replace", "env": []}`, `--custom p.yaml: field "$patch": a custom profile cannot replace or delete the whole container, nor fields the flags set`},
	{"retain keys at top", `{"$retainKeys": ["env"], "env": []}`, `--custom p.yaml: field "$retainKeys": a custom profile cannot replace or delete the whole container, nor fields the flags set`},
	{"delete from command", `{"$deleteFromPrimitiveList/command": ["sh"]}`, `--custom p.yaml: field "$deleteFromPrimitiveList/command": the command comes from the arguments after --`},
	{"null spec", docHead + "pod: {spec: null}\n", `--custom p.yaml: field "pod.spec": expected an object, got null`},
	{"null metadata", docHead + "pod: {metadata: null}\n", `--custom p.yaml: field "pod.metadata": expected an object, got null`},
	{"null labels", docHead + "pod: {metadata: {labels: null}}\n", `--custom p.yaml: field "pod.metadata.labels": expected an object, got null`},
	{"replace labels", docHead + "pod: {metadata: {labels: {$patch: replace, x: v}}}\n", `--custom p.yaml: field "pod.metadata.labels.$patch": a custom profile adds labels, it cannot remove any`},
	{"delete a label", docHead + "pod: {metadata: {labels: {app.kubernetes.io/managed-by: null}}}\n", `--custom p.yaml: field "pod.metadata.labels.app.kubernetes.io/managed-by": a custom profile adds labels, it cannot remove any`},
	{"delete an annotation", docHead + "pod: {metadata: {annotations: {a: null}}}\n", `--custom p.yaml: field "pod.metadata.annotations.a": a custom profile adds annotations, it cannot remove any`},
	{"toleration directive", docHead + "pod: {spec: {tolerations: [{$patch: replace}, {key: gpu, operator: Exists}]}}\n", `--custom p.yaml: field "pod.spec.tolerations[0].$patch": tolerations are appended; directives do not apply to them`},
	{"toleration order", docHead + "pod: {spec: {$setElementOrder/tolerations: [{operator: Exists}]}}\n", `--custom p.yaml: field "pod.spec.$setElementOrder/tolerations": tolerations are appended, never reordered`},
	{"null tolerations", docHead + "pod: {spec: {tolerations: null}}\n", `--custom p.yaml: field "pod.spec.tolerations": expected a list, got null`},
	{"container order", docHead + "pod: {spec: {$setElementOrder/containers: [{name: x}]}}\n", `--custom p.yaml: field "pod.spec.$setElementOrder/containers": containers come from the target pod; use the container section for the debug container`},
	{"replace pod spec", docHead + "pod: {spec: {$patch: replace}}\n", `--custom p.yaml: field "pod.spec.$patch": a custom profile cannot replace or delete the whole pod spec, nor fields the flags set`},
}

func TestProfileDocumentErrors(t *testing.T) {
	for _, tt := range badProfileDocuments {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCustomProfile("p.yaml", []byte(tt.content))
			if got := errString(err); got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestEphemeralRefusesPodSection(t *testing.T) {
	doc := writeFile(t, "p.yaml", "apiVersion: kubectl-debugger/v1alpha1\nkind: DebugProfile\npod: {spec: {nodeSelector: {a: b}}}\n")
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "--custom="+doc)
	want := "--custom " + doc + `: field "pod": an ephemeral container cannot change its pod; use --copy-to to debug a copy with these pod settings`
	if got := errString(r.err); got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API calls were made: %v", client.Actions())
	}

	ports := writeFile(t, "q.yaml", "apiVersion: kubectl-debugger/v1alpha1\nkind: DebugProfile\ncontainer: {ports: [{containerPort: 1}]}\n")
	r = runCommand(t, client, "", "app", "--image=busybox", "--custom="+ports)
	want = "--custom " + ports + `: field "container.ports": it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node`
	if got := errString(r.err); got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
}

func TestNamedProfilesAndLayering(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBECTL_DEBUGGER_PROFILES", dir)
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

func TestPrivilegeRaises(t *testing.T) {
	before := appPod()
	before.Spec.Containers = append(before.Spec.Containers, corev1.Container{Name: "dbg", SecurityContext: restrictedSC.DeepCopy()})
	after := before.DeepCopy()
	sc := after.Spec.Containers[2].SecurityContext
	sc.Privileged = ptr.To(true)
	sc.Capabilities.Add = []corev1.Capability{"SYS_ADMIN", "NET_ADMIN"}
	sc.AllowPrivilegeEscalation = nil
	sc.RunAsNonRoot = ptr.To(false)
	sc.RunAsUser = ptr.To[int64](0)
	after.Spec.HostPID = true
	after.Spec.HostNetwork = true
	after.Spec.Volumes = append(after.Spec.Volumes, corev1.Volume{Name: "root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}})
	want := []string{
		"securityContext.privileged: true",
		"securityContext.capabilities.add: SYS_ADMIN, NET_ADMIN",
		"securityContext.allowPrivilegeEscalation: unset",
		"securityContext.runAsNonRoot: false",
		"securityContext.runAsUser: 0",
		`volume "root": hostPath /`,
		"hostPID: true",
		"hostNetwork: true",
	}
	if diff := cmp.Diff(want, privilegeRaises(before, after, "dbg")); diff != "" {
		t.Errorf("raises (-want +got):\n%s", diff)
	}
	if got := privilegeRaises(before, before.DeepCopy(), "dbg"); len(got) != 0 {
		t.Errorf("raises for an unchanged pod: %v", got)
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

func TestCustomSizeAndAliasBomb(t *testing.T) {
	big := writeFile(t, "big.yaml", "env: []\n"+strings.Repeat("# padding\n", maxCustomSize/10+1))
	_, err := readCustomProfile(big, nil)
	if got, want := errString(err), "--custom "+big+": larger than 1 MiB: a custom profile is a short partial spec"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}

	_, err = parseCustomProfile("bomb.yaml", []byte(aliasBomb))
	if got, want := errString(err), "--custom bomb.yaml: invalid YAML: document contains excessive aliasing"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// BenchmarkAliasBomb measures how fast a "billion laughs" document is refused.
func BenchmarkAliasBomb(b *testing.B) {
	for b.Loop() {
		if _, err := parseCustomProfile("bomb.yaml", []byte(aliasBomb)); err == nil {
			b.Fatal("alias bomb accepted")
		}
	}
}

const aliasBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
