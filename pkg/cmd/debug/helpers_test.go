package debug

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
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

// harness is how a test runs the command: against a fake clientset, with standard input,
// a REST mapper, a terminal or an attach of its choosing.
type harness struct {
	stdin    string
	getter   *genericclioptions.TestConfigFlags
	terminal bool
	attach   func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error
	ctx      context.Context
	// signals stands for the process's stop signals: what is sent on it reaches the run
	// as a signal would.
	signals chan os.Signal
	// prepare changes the options after the defaults, before the command runs.
	prepare func(*DebugOptions)
}

// TestMain shortens the wait for a container to be reported terminated after a
// session: the fake attaches end with containers that the fake clientset never ends.
func TestMain(m *testing.M) {
	sessionExitGrace = 50 * time.Millisecond
	quietSessionExitGrace = 50 * time.Millisecond
	os.Exit(m.Run())
}

// harnessOption sets up one aspect of a harness.
type harnessOption func(*harness)

func withStdin(stdin string) harnessOption { return func(h *harness) { h.stdin = stdin } }
func withMapper(m meta.RESTMapper) harnessOption {
	return func(h *harness) { h.getter = h.getter.WithRESTMapper(m) }
}
func withTerminal() harnessOption { return func(h *harness) { h.terminal = true } }
func withAttach(f func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error) harnessOption {
	return func(h *harness) { h.attach = f }
}
func withContext(ctx context.Context) harnessOption { return func(h *harness) { h.ctx = ctx } }
func withSignals(signals chan os.Signal) harnessOption {
	return func(h *harness) { h.signals = signals }
}

// withKubeconfigNamespace takes the namespace from the kubeconfig's context, as when no
// -n is given: objects in -f files may then be in other namespaces.
func withKubeconfigNamespace(ns string) harnessOption {
	return func(h *harness) {
		config := clientcmdapi.NewConfig()
		config.Clusters["here"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
		config.Contexts["here"] = &clientcmdapi.Context{Cluster: "here", Namespace: ns}
		config.CurrentContext = "here"
		h.getter = genericclioptions.NewTestConfigFlags().WithClientConfig(clientcmd.NewDefaultClientConfig(*config, &clientcmd.ConfigOverrides{}))
	}
}
func withOptions(f func(*DebugOptions)) harnessOption {
	return func(h *harness) { h.prepare = f }
}

// newHarness returns the defaults: namespace "test", no stdin, no terminal, and an
// attach that fails the test.
func newHarness(t *testing.T, opts ...harnessOption) *harness {
	h := &harness{getter: testGetter("test"), ctx: context.Background()}
	h.attach = func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error {
		t.Errorf("attach was not expected")
		return nil
	}
	for _, opt := range opts {
		opt(h)
	}
	return h
}

// options returns fresh options wired to client and the harness's fakes.
func (h *harness) options(client *fake.Clientset) (*DebugOptions, *bytes.Buffer, *bytes.Buffer) {
	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(h.stdin)
	o := NewDebugOptions(streams)
	if client != nil {
		o.client = client
	}
	o.nameSuffix = suffixes("aaaaa", "bbbbb", "ccccc")
	o.attachFunc = h.attach
	o.isTerminal = func(io.Writer) bool { return h.terminal }
	o.stdinIsTerminal = func(io.Reader) bool { return h.terminal }
	// Never the process's own signals: a test must not catch what is sent to go test.
	stopForwarding := make(chan struct{})
	o.notifySignals = func(c chan<- os.Signal) {
		go func() {
			select {
			case sig := <-h.signals:
				c <- sig
			case <-stopForwarding:
			}
		}()
	}
	var once sync.Once
	o.ignoreSignals = func(chan<- os.Signal) { once.Do(func() { close(stopForwarding) }) }
	if h.prepare != nil {
		h.prepare(o)
	}
	return o, out, errOut
}

// run runs the debug command with args against client, as a user would from a shell in
// namespace "test".
func (h *harness) run(client *fake.Clientset, args ...string) result {
	o, out, errOut := h.options(client)
	cmd := newCmdDebug(h.getter, o)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(h.ctx)
	return result{stdout: out.String(), stderr: errOut.String(), err: err}
}

// complete parses args as the command does and runs Complete and Validate, without Run.
func (h *harness) complete(client *fake.Clientset, args ...string) (*DebugOptions, error) {
	o, _, _ := h.options(client)
	cmd := newCmdDebug(h.getter, o)
	if err := cmd.ParseFlags(args); err != nil {
		return nil, err
	}
	if err := o.Complete(h.getter, cmd, cmd.Flags().Args()); err != nil {
		return nil, err
	}
	return o, o.Validate()
}

// reportStatus plays the kubelet reporting status for a container of pod: one of its
// ephemeral containers, or else one of its containers.
func reportStatus(client *fake.Clientset, pod *corev1.Pod, status corev1.ContainerStatus, ephemeral bool) error {
	p := pod.DeepCopy()
	if ephemeral {
		p.Status.EphemeralContainerStatuses = []corev1.ContainerStatus{status}
	} else {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{status}
	}
	return client.Tracker().Update(corev1.SchemeGroupVersion.WithResource("pods"), p, p.Namespace)
}

// exitedWith is the state of a container whose process exited with code.
func exitedWith(code int32) corev1.ContainerState {
	return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}
}

// runCommand runs the debug command with args against client; stdin feeds -f - and
// --custom=-.
func runCommand(t *testing.T, client *fake.Clientset, stdin string, args ...string) result {
	t.Helper()
	return newHarness(t, withStdin(stdin)).run(client, args...)
}

// planOf plans debugging r as the command line args say, or fails the test.
func planOf(t *testing.T, r resolved, args ...string) *plan {
	t.Helper()
	o, err := newHarness(t).complete(nil, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	p, err := o.planner().planTarget(r, nil)
	if err != nil {
		t.Fatalf("planning %v: %v", args, err)
	}
	return p
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

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func newTestStreams() (genericiooptions.IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	return genericiooptions.NewTestIOStreams()
}
