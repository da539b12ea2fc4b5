package debug

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
)

// appPod mirrors the conformance fixture app.yaml: an init container, a web container
// with probes, env and a volume, and a sidecar.
func appPod() *corev1.Pod {
	probe := func(path string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(80)}}}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "app", Namespace: "test", UID: "uid-1", ResourceVersion: "42",
			Labels:          map[string]string{"app": "web", "tier": "frontend"},
			Annotations:     map[string]string{"team": "payments"},
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "app-1"}},
		},
		Spec: corev1.PodSpec{
			NodeName:       "node-a",
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox:1.36", Command: []string{"true"}}},
			Containers: []corev1.Container{
				{
					Name: "web", Image: "nginx:1.27",
					Ports:          []corev1.ContainerPort{{ContainerPort: 80}},
					Env:            []corev1.EnvVar{{Name: "MODE", Value: "prod"}},
					LivenessProbe:  probe("/"),
					ReadinessProbe: probe("/ready"),
					StartupProbe:   probe("/start"),
					VolumeMounts:   []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
				},
				{Name: "sidecar", Image: "busybox:1.36", Command: []string{"sleep", "3600"}},
			},
			Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		},
	}
}

// nonrootPod mirrors the conformance fixture nonroot.yaml.
func nonrootPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "nonroot", Namespace: "test"},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](1000), RunAsNonRoot: ptr.To(true)},
			Containers: []corev1.Container{{
				Name: "main", Image: "busybox:1.36", Command: []string{"sleep", "3600"},
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false)},
			}},
		},
	}
}

func nodeA() *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}}
}

// suffixes returns a name-suffix generator that yields values in order, then repeats the last.
func suffixes(values ...string) func() string {
	i := 0
	return func() string {
		v := values[min(i, len(values)-1)]
		i++
		return v
	}
}

// testGetter is a RESTClientGetter for namespace ns with no cluster behind it.
func testGetter(ns string) *genericclioptions.TestConfigFlags {
	config := clientcmd.NewDefaultClientConfig(*clientcmdapi.NewConfig(), &clientcmd.ConfigOverrides{})
	return genericclioptions.NewTestConfigFlags().WithClientConfig(config).WithNamespace(ns)
}

// result is what one command run left behind.
type result struct {
	stdout, stderr string
	err            error
}

// runCommand runs the debug command with args against client, as a user would from a
// shell in namespace "test"; stdin feeds -f -.
func runCommand(t *testing.T, client *fake.Clientset, stdin string, args ...string) result {
	t.Helper()
	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(stdin)
	o := NewDebugOptions(streams)
	o.client = client
	o.nameSuffix = suffixes("aaaaa", "bbbbb", "ccccc")
	o.attachFunc = func(context.Context, *corev1.Pod, string) error {
		t.Fatalf("attach was not expected")
		return nil
	}
	cmd := newCmdDebug(testGetter("test"), o)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(context.Background())
	return result{stdout: out.String(), stderr: errOut.String(), err: err}
}

// writeFile writes content to name in a fresh temporary folder and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustCustom parses a custom profile or fails the test.
func mustCustom(t *testing.T, name, content string) *customProfile {
	t.Helper()
	c, err := parseCustomProfile(name, []byte(content))
	if err != nil {
		t.Fatalf("parseCustomProfile(%s): %v", name, err)
	}
	return c
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func newTestStreams() (genericiooptions.IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	return genericiooptions.NewTestIOStreams()
}
