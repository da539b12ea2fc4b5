package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Security contexts each profile gives the debug container.
var (
	generalSC    = &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_PTRACE"}}}
	netadminSC   = &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "NET_RAW"}}}
	sysadminSC   = &corev1.SecurityContext{Privileged: ptr.To(true)}
	restrictedSC = &corev1.SecurityContext{
		RunAsNonRoot:             ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		AllowPrivilegeEscalation: ptr.To(false),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
)

// withCustom is what the matrix's custom profile adds to any debug container.
const matrixCustom = `{"env": [{"name": "FROM_CUSTOM", "value": "1"}], "securityContext": {"runAsUser": 0}, "stdin": false}`

func applyMatrixCustom(c *corev1.Container) {
	c.Env = append(c.Env, corev1.EnvVar{Name: "FROM_CUSTOM", Value: "1"})
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	c.SecurityContext.RunAsUser = ptr.To[int64](0)
	c.Stdin = false
}

func debugContainer(sc *corev1.SecurityContext) corev1.Container {
	return corev1.Container{
		Name: "dbg", Image: "busybox:1.36", Stdin: true,
		TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		SecurityContext:          sc.DeepCopy(),
	}
}

func TestBuildEphemeralEveryProfile(t *testing.T) {
	cases := map[string]*corev1.SecurityContext{
		ProfileLegacy: nil, ProfileGeneral: generalSC, ProfileBaseline: nil,
		ProfileRestricted: restrictedSC, ProfileNetadmin: netadminSC, ProfileSysadmin: sysadminSC,
	}
	for name, sc := range cases {
		for _, custom := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: "+custom"}[custom], func(t *testing.T) {
				p, err := newProfile(name, KeepFlags{InitContainers: true})
				if err != nil {
					t.Fatal(err)
				}
				s := &containerSpec{Image: "busybox:1.36", Stdin: true, Profile: p}
				want := appPod()
				ec := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(debugContainer(sc))}
				if custom {
					s.Customs = []*customProfile{mustCustom(t, "c.json", matrixCustom)}
					applyMatrixCustom((*corev1.Container)(&ec.EphemeralContainerCommon))
				}
				want.Spec.EphemeralContainers = []corev1.EphemeralContainer{ec}

				got, err := buildEphemeral(appPod(), s, "dbg")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("pod (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// copiedApp is app as a fresh copy called app-copy: no uid, resource version or owners,
// not bound to the node.
func copiedApp() *corev1.Pod {
	src := appPod()
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "app-copy", Namespace: "test", Labels: src.Labels, Annotations: src.Annotations},
		Spec: func() corev1.PodSpec {
			spec := src.Spec
			spec.NodeName = ""
			return spec
		}(),
	}
}

// stripped is what every profile but legacy removes from a copy by default.
func stripped(p *corev1.Pod) {
	p.Labels, p.Annotations = nil, nil
	for i := range p.Spec.Containers {
		p.Spec.Containers[i].LivenessProbe = nil
		p.Spec.Containers[i].ReadinessProbe = nil
		p.Spec.Containers[i].StartupProbe = nil
	}
	p.Spec.ShareProcessNamespace = ptr.To(true)
}

func TestBuildCopyEveryProfile(t *testing.T) {
	cases := map[string]struct {
		sc     *corev1.SecurityContext
		legacy bool
	}{
		ProfileLegacy: {legacy: true}, ProfileGeneral: {sc: generalSC}, ProfileBaseline: {},
		ProfileRestricted: {sc: restrictedSC}, ProfileNetadmin: {sc: netadminSC}, ProfileSysadmin: {sc: sysadminSC},
	}
	for name, tc := range cases {
		for _, custom := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: "+custom"}[custom], func(t *testing.T) {
				p, err := newProfile(name, KeepFlags{InitContainers: true})
				if err != nil {
					t.Fatal(err)
				}
				s := &containerSpec{Image: "busybox:1.36", Stdin: true, CopyTo: "app-copy", Profile: p}
				want := copiedApp()
				if tc.legacy {
					want.Labels = nil
				} else {
					stripped(want)
				}
				dc := debugContainer(tc.sc)
				if custom {
					s.Customs = []*customProfile{mustCustom(t, "c.yaml", matrixCustom)}
					applyMatrixCustom(&dc)
				}
				want.Spec.Containers = append(want.Spec.Containers, dc)

				got, name, err := buildCopy(appPod(), s, "dbg")
				if err != nil {
					t.Fatal(err)
				}
				if name != "dbg" {
					t.Errorf("debug container = %q, want dbg", name)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("pod (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestBuildNodePodEveryProfile(t *testing.T) {
	hostRoot := func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{Name: "host-root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "host-root", MountPath: "/host"}}
	}
	hostNS := func(p *corev1.Pod) { p.Spec.HostNetwork, p.Spec.HostPID, p.Spec.HostIPC = true, true, true }
	cases := map[string]struct {
		sc   *corev1.SecurityContext
		more []func(*corev1.Pod)
	}{
		ProfileLegacy:     {more: []func(*corev1.Pod){hostRoot, hostNS}},
		ProfileGeneral:    {more: []func(*corev1.Pod){hostRoot, hostNS}},
		ProfileBaseline:   {},
		ProfileRestricted: {sc: restrictedSC},
		ProfileNetadmin:   {sc: netadminSC, more: []func(*corev1.Pod){hostNS}},
		ProfileSysadmin:   {sc: sysadminSC, more: []func(*corev1.Pod){hostRoot, hostNS}},
	}
	for name, tc := range cases {
		for _, custom := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: "+custom"}[custom], func(t *testing.T) {
				p, err := newProfile(name, KeepFlags{})
				if err != nil {
					t.Fatal(err)
				}
				s := &containerSpec{Image: "busybox:1.36", Stdin: true, Args: []string{"sh"}, Profile: p}
				dc := debugContainer(tc.sc)
				dc.Name = "debugger"
				dc.Command = []string{"sh"}
				want := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{
						Name: "node-debugger-node-a-xyz12", Namespace: "test",
						Labels: map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug"},
					},
					Spec: corev1.PodSpec{
						Containers:    []corev1.Container{dc},
						NodeName:      "node-a",
						RestartPolicy: corev1.RestartPolicyNever,
						Tolerations:   []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					},
				}
				for _, f := range tc.more {
					f(want)
				}
				if custom {
					s.Customs = []*customProfile{mustCustom(t, "c.json", matrixCustom)}
					applyMatrixCustom(&want.Spec.Containers[0])
				}

				got, err := buildNodePod(nodeA(), s, "node-debugger-node-a-xyz12", "debugger", "test")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("pod (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestBuildCopyEditsExistingContainer(t *testing.T) {
	general, _ := newProfile(ProfileGeneral, KeepFlags{InitContainers: true})
	tests := []struct {
		name      string
		spec      containerSpec
		container string
		edit      func(p *corev1.Pod)
	}{
		{
			name:      "command replaces command and clears args",
			spec:      containerSpec{Args: []string{"sh"}, Env: []corev1.EnvVar{{Name: "X", Value: "1"}}},
			container: "web",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.Containers[0]
				c.Command, c.Env, c.SecurityContext = []string{"sh"}, []corev1.EnvVar{{Name: "X", Value: "1"}}, generalSC.DeepCopy()
			},
		},
		{
			name:      "arguments-only replaces only args",
			spec:      containerSpec{Args: []string{"-c", "date"}, ArgsOnly: true, Stdin: true, TTY: true},
			container: "sidecar",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.Containers[1]
				c.Args, c.Stdin, c.TTY, c.SecurityContext = []string{"-c", "date"}, true, true, generalSC.DeepCopy()
			},
		},
		{
			name:      "image and pull policy only when given",
			spec:      containerSpec{Image: "nginx:debug", PullPolicy: corev1.PullAlways},
			container: "web",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.Containers[0]
				c.Image, c.ImagePullPolicy, c.SecurityContext = "nginx:debug", corev1.PullAlways, generalSC.DeepCopy()
			},
		},
		{
			name:      "an init container can be edited and customised",
			spec:      containerSpec{Args: []string{"sleep", "1d"}, Customs: []*customProfile{{source: "c.json", containerPatch: []byte(`{"env":[{"name":"A","value":"b"}]}`)}}},
			container: "init",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.InitContainers[0]
				c.Command, c.Env, c.SecurityContext = []string{"sleep", "1d"}, []corev1.EnvVar{{Name: "A", Value: "b"}}, generalSC.DeepCopy()
			},
		},
		{
			name:      "set-image: an exact name wins over *, init containers untouched",
			spec:      containerSpec{SetImages: map[string]string{"*": "busybox:2", "web": "nginx:2"}},
			container: "",
			edit: func(p *corev1.Pod) {
				p.Labels, p.Annotations = copiedApp().Labels, copiedApp().Annotations
				p.Spec.Containers[0].Image, p.Spec.Containers[1].Image = "nginx:2", "busybox:2"
				p.Spec.Containers[0].LivenessProbe = appPod().Spec.Containers[0].LivenessProbe
				p.Spec.Containers[0].ReadinessProbe = appPod().Spec.Containers[0].ReadinessProbe
				p.Spec.Containers[0].StartupProbe = appPod().Spec.Containers[0].StartupProbe
				p.Spec.ShareProcessNamespace = nil
			},
		},
		{
			name:      "same node and share-processes=false",
			spec:      containerSpec{Args: []string{"sh"}, SameNode: true, ShareProcesses: ptr.To(false)},
			container: "web",
			edit: func(p *corev1.Pod) {
				p.Spec.NodeName = "node-a"
				p.Spec.ShareProcessNamespace = ptr.To(false)
				c := &p.Spec.Containers[0]
				c.Command, c.SecurityContext = []string{"sh"}, generalSC.DeepCopy()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.spec
			s.CopyTo, s.Profile = "app-copy", general
			want := copiedApp()
			stripped(want)
			tt.edit(want)
			got, name, err := buildCopy(appPod(), &s, tt.container)
			if err != nil {
				t.Fatal(err)
			}
			if name != tt.container {
				t.Errorf("debug container = %q, want %q", name, tt.container)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("pod (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildCopyKeepFlags(t *testing.T) {
	keep := KeepFlags{Labels: true, Annotations: true, Liveness: true, Readiness: false, Startup: true, InitContainers: false}
	p, _ := newProfile(ProfileBaseline, keep)
	got, _, err := buildCopy(appPod(), &containerSpec{Image: "busybox:1.36", CopyTo: "app-copy", Profile: p}, "dbg")
	if err != nil {
		t.Fatal(err)
	}
	want := copiedApp()
	want.Spec.InitContainers = nil
	want.Spec.Containers[0].ReadinessProbe = nil
	want.Spec.ShareProcessNamespace = ptr.To(true)
	want.Spec.Containers = append(want.Spec.Containers, corev1.Container{Name: "dbg", Image: "busybox:1.36", TerminationMessagePolicy: corev1.TerminationMessageReadFile})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pod (-want +got):\n%s", diff)
	}
}

func TestBuildCopyKeepsInitDebugContainer(t *testing.T) {
	p, _ := newProfile(ProfileBaseline, KeepFlags{})
	got, _, err := buildCopy(appPod(), &containerSpec{Args: []string{"sh"}, CopyTo: "app-copy", Profile: p}, "init")
	if err != nil {
		t.Fatal(err)
	}
	want := []corev1.Container{{Name: "init", Image: "busybox:1.36", Command: []string{"sh"}}}
	if diff := cmp.Diff(want, got.Spec.InitContainers); diff != "" {
		t.Errorf("init containers (-want +got):\n%s", diff)
	}
}

func TestBuildCopyErrors(t *testing.T) {
	general, _ := newProfile(ProfileGeneral, KeepFlags{})
	custom := &customProfile{source: "c.json", containerPatch: []byte(`{}`)}
	tests := []struct {
		name      string
		spec      containerSpec
		container string
		want      string
	}{
		{"unknown container without image", containerSpec{Args: []string{"sh"}}, "nope", `container "nope" not found in pod "app": give --image to add it as a new container`},
		{"custom without debug container", containerSpec{SetImages: map[string]string{"*": "x"}, Customs: []*customProfile{custom}}, "", `--custom needs a debug container: give --image or -c/--container`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.spec
			s.CopyTo, s.Profile = "app-copy", general
			_, _, err := buildCopy(appPod(), &s, tt.container)
			if got := errString(err); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGenerateContainerNameAvoidsTakenNames(t *testing.T) {
	pod := appPod()
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger-aaaaa"}}}
	pod.Spec.Containers[1].Name = "debugger-bbbbb"
	if got := generateContainerName(pod, suffixes("aaaaa", "bbbbb", "ccccc")); got != "debugger-ccccc" {
		t.Errorf("name = %q, want debugger-ccccc", got)
	}
}

func TestBuildEphemeralTargetAndCommand(t *testing.T) {
	p, _ := newProfile(ProfileBaseline, KeepFlags{})
	s := &containerSpec{
		Image: "busybox:1.36", PullPolicy: corev1.PullNever, TargetContainer: "web", Args: []string{"sh", "-c", "id"},
		Env: []corev1.EnvVar{{Name: "B", Value: "2"}, {Name: "A", Value: "1"}}, Stdin: true, TTY: true, Profile: p,
	}
	got, err := buildEphemeral(appPod(), s, "dbg")
	if err != nil {
		t.Fatal(err)
	}
	want := []corev1.EphemeralContainer{{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "dbg", Image: "busybox:1.36", ImagePullPolicy: corev1.PullNever, Command: []string{"sh", "-c", "id"},
			Env:   []corev1.EnvVar{{Name: "B", Value: "2"}, {Name: "A", Value: "1"}},
			Stdin: true, TTY: true, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		},
		TargetContainerName: "web",
	}}
	if diff := cmp.Diff(want, got.Spec.EphemeralContainers); diff != "" {
		t.Errorf("ephemeral containers (-want +got):\n%s", diff)
	}
}
