package customprofile

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
)

func TestMergeCustomProfile(t *testing.T) {
	base := func() corev1.Container {
		return corev1.Container{
			Name: "dbg", Image: "busybox:1.36", Stdin: true, TTY: true,
			Args:            []string{"a", "b"},
			Env:             []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}},
			VolumeMounts:    []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
			SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_PTRACE"}}, Privileged: ptr.To(true)},
		}
	}
	tests := []struct {
		name   string
		custom string
		edit   func(c *corev1.Container)
	}{
		{"env merges by name", `{"env": [{"name": "B", "value": "two"}, {"name": "C", "value": "3"}]}`, func(c *corev1.Container) {
			c.Env = []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "two"}, {Name: "C", Value: "3"}}
		}},
		{"capabilities add is replaced, not appended", `{"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}`, func(c *corev1.Container) {
			c.SecurityContext.Capabilities.Add = []corev1.Capability{"NET_ADMIN"}
		}},
		{"args are replaced", `{"args": ["c"]}`, func(c *corev1.Container) { c.Args = []string{"c"} }},
		{"explicit false survives", "stdin: false\ntty: false\nsecurityContext:\n  privileged: false\n", func(c *corev1.Container) {
			c.Stdin, c.TTY, c.SecurityContext.Privileged = false, false, ptr.To(false)
		}},
		{"null deletes", `{"env": null, "securityContext": {"privileged": null}}`, func(c *corev1.Container) {
			c.Env, c.SecurityContext.Privileged = nil, nil
		}},
		{"volume mounts merge by mount path", `{"volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}, {"name": "tmp", "mountPath": "/tmp"}]}`, func(c *corev1.Container) {
			c.VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data", ReadOnly: true}, {Name: "tmp", MountPath: "/tmp"}}
		}},
		{"$patch delete removes one entry", `{"env": [{"$patch": "delete", "name": "A"}]}`, func(c *corev1.Container) {
			c.Env = []corev1.EnvVar{{Name: "B", Value: "2"}}
		}},
		{"$patch replace swaps a whole list", `{"env": [{"$patch": "replace"}, {"name": "Z", "value": "26"}]}`, func(c *corev1.Container) {
			c.Env = []corev1.EnvVar{{Name: "Z", Value: "26"}}
		}},
		{"$patch replace swaps a whole object", `{"securityContext": {"$patch": "replace", "runAsUser": 0}}`, func(c *corev1.Container) {
			c.SecurityContext = &corev1.SecurityContext{RunAsUser: ptr.To[int64](0)}
		}},
		{"resources are added", `{"resources": {"limits": {"cpu": "0.5", "memory": "512Mi"}}}`, func(c *corev1.Container) {
			c.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("512Mi")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := targetPod()
			pod.Spec.Containers = append(pod.Spec.Containers, base())
			if err := Apply(pod, "dbg", []*Profile{mustParse(t, "c.yaml", tt.custom)}); err != nil {
				t.Fatal(err)
			}
			want := base()
			tt.edit(&want)
			if diff := cmp.Diff(want, pod.Spec.Containers[2], cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 })); diff != "" {
				t.Errorf("container (-want +got):\n%s", diff)
			}
			// No other container changes.
			if diff := cmp.Diff(targetPod().Spec.Containers, pod.Spec.Containers[:2]); diff != "" {
				t.Errorf("other containers changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApplyInOrderToAnEphemeralContainer(t *testing.T) {
	pod := targetPod()
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox:1.36"},
		TargetContainerName:      "web",
	}}
	profiles := []*Profile{
		mustParse(t, "team.yaml", "env: [{name: A, value: team}, {name: B, value: team}]\n"),
		mustParse(t, "mine.json", `{"env": [{"name": "A", "value": "mine"}]}`),
	}
	if err := Apply(pod, "dbg", profiles); err != nil {
		t.Fatal(err)
	}
	want := []corev1.EphemeralContainer{{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "dbg", Image: "busybox:1.36",
			Env: []corev1.EnvVar{{Name: "A", Value: "mine"}, {Name: "B", Value: "team"}},
		},
		TargetContainerName: "web",
	}}
	if diff := cmp.Diff(want, pod.Spec.EphemeralContainers); diff != "" {
		t.Errorf("ephemeral containers (-want +got):\n%s", diff)
	}
}

func TestApplyPodSection(t *testing.T) {
	pod := targetPod()
	pod.Labels = map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug"}
	pod.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	doc := cataloguetest.DocHead + `container: {env: [{name: SITE, value: eu}]}
pod:
  metadata: {labels: {team: sre}}
  spec:
    tolerations: [{key: gpu, operator: Exists}]
    nodeSelector: {disk: ssd}
`
	if err := Apply(pod, "web", []*Profile{mustParse(t, "p.yaml", doc)}); err != nil {
		t.Fatal(err)
	}
	want := targetPod()
	want.Labels = map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug", "team": "sre"}
	want.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}, {Key: "gpu", Operator: corev1.TolerationOpExists}}
	want.Spec.NodeSelector = map[string]string{"disk": "ssd"}
	want.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "SITE", Value: "eu"}}
	if diff := cmp.Diff(want, pod); diff != "" {
		t.Errorf("pod (-want +got):\n%s", diff)
	}
}

func TestApplyMissingContainer(t *testing.T) {
	err := Apply(targetPod(), "nope", []*Profile{mustParse(t, "c.json", `{"tty": true}`)})
	if got, want := errString(err), `--custom c.json: debug container "nope" not found in pod "app"`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// targetPod is a pod with two containers for profiles to be merged next to.
func targetPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "test"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{
				{Name: "web", Image: "nginx:1.27"},
				{Name: "sidecar", Image: "busybox:1.36", Command: []string{"sleep", "3600"}},
			},
		},
	}
}

// BenchmarkApplyEnv merges a profile with n env entries, half of them new, onto a
// container that has n: the cost must grow linearly with n.
func BenchmarkApplyEnv(b *testing.B) {
	for _, n := range []int{1000, 10000, 15000} {
		b.Run(fmt.Sprintf("env=%d", n), func(b *testing.B) {
			env := make([]corev1.EnvVar, n)
			for i := range env {
				env[i] = corev1.EnvVar{Name: fmt.Sprintf("VAR_%d", i), Value: "old"}
			}
			var doc strings.Builder
			doc.WriteString(`{"env": [`)
			for i := range n {
				if i > 0 {
					doc.WriteString(",")
				}
				fmt.Fprintf(&doc, `{"name": "VAR_%d", "value": "new"}`, i+n/2)
			}
			doc.WriteString("]}")
			p, err := Parse("big.json", []byte(doc.String()))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				pod := targetPod()
				pod.Spec.Containers[0].Env = slices.Clone(env)
				if err := Apply(pod, "web", []*Profile{p}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseEnv loads such a profile: decoding, the schema check and the trial merge.
func BenchmarkParseEnv(b *testing.B) {
	for _, n := range []int{1000, 10000, 15000} {
		b.Run(fmt.Sprintf("env=%d", n), func(b *testing.B) {
			var doc strings.Builder
			doc.WriteString(`{"env": [`)
			for i := range n {
				if i > 0 {
					doc.WriteString(",")
				}
				fmt.Fprintf(&doc, `{"name": "VAR_%d", "value": "new"}`, i)
			}
			doc.WriteString("]}")
			data := []byte(doc.String())
			b.ResetTimer()
			for b.Loop() {
				if _, err := Parse("big.json", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
