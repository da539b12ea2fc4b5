package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
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

// appTarget is app as resolve finds it.
func appTarget() resolved { return resolved{name: "pod/app", pod: appPod()} }

// nodeTarget is node-a as resolve finds it.
func nodeTarget() resolved { return resolved{name: "node/node-a", node: nodeA()} }

// withMatrixCustom adds the matrix's custom profile to args when custom is set.
func withMatrixCustom(t *testing.T, args []string, custom bool) []string {
	if !custom {
		return args
	}
	return append(args, "--custom="+writeFile(t, "c.json", matrixCustom))
}

func TestPlanEphemeralEveryProfile(t *testing.T) {
	cases := map[string]*corev1.SecurityContext{
		ProfileLegacy: nil, ProfileGeneral: generalSC, ProfileBaseline: nil,
		ProfileRestricted: restrictedSC, ProfileNetadmin: netadminSC, ProfileSysadmin: sysadminSC,
	}
	for name, sc := range cases {
		for _, custom := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: "+custom"}[custom], func(t *testing.T) {
				args := withMatrixCustom(t, []string{"app", "--image=busybox:1.36", "-i", "--attach=false", "-c", "dbg", "--profile=" + name}, custom)
				want := appPod()
				ec := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(debugContainer(sc))}
				if custom {
					applyMatrixCustom((*corev1.Container)(&ec.EphemeralContainerCommon))
				}
				want.Spec.EphemeralContainers = []corev1.EphemeralContainer{ec}

				got := planOf(t, appTarget(), args...)
				if diff := cmp.Diff(want, got.debugPod()); diff != "" {
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

// marked adds what marks a pod the command creates: the managed-by label and the
// annotation naming its target.
func marked(p *corev1.Pod, target string) {
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels["app.kubernetes.io/managed-by"] = "kubectl-debug"
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations["kubectl.kubernetes.io/debug-target"] = target
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

func TestPlanCopyEveryProfile(t *testing.T) {
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
				args := withMatrixCustom(t, []string{"app", "--image=busybox:1.36", "-i", "--attach=false", "-c", "dbg", "--copy-to=app-copy", "--profile=" + name}, custom)
				want := copiedApp()
				if tc.legacy {
					want.Labels = nil
				} else {
					stripped(want)
				}
				dc := debugContainer(tc.sc)
				if custom {
					applyMatrixCustom(&dc)
				}
				want.Spec.Containers = append(want.Spec.Containers, dc)

				got := planOf(t, appTarget(), args...)
				if got.container != "dbg" {
					t.Errorf("debug container = %q, want dbg", got.container)
				}
				if diff := cmp.Diff(want, got.pod); diff != "" {
					t.Errorf("pod (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestPlanNodeEveryProfile(t *testing.T) {
	hostRoot := func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{Name: "host-root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "host-root", MountPath: "/host"}}
	}
	hostNS := func(p *corev1.Pod) { p.Spec.HostNetwork, p.Spec.HostPID, p.Spec.HostIPC = true, true, true }
	// What kubectl 1.38 makes on a Windows node: a HostProcess pod run as SYSTEM, with the
	// account on the container too, where --custom can change it.
	hostProcess := func(p *corev1.Pod) {
		p.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
		p.Spec.HostNetwork = true
		p.Spec.SecurityContext = &corev1.PodSecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{
			HostProcess: ptr.To(true), RunAsUserName: ptr.To(`NT AUTHORITY\SYSTEM`)}}
		p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{RunAsUserName: ptr.To(`NT AUTHORITY\SYSTEM`)}}
	}
	type expected struct {
		sc   *corev1.SecurityContext
		more []func(*corev1.Pod)
	}
	linux := map[string]expected{
		ProfileLegacy:     {more: []func(*corev1.Pod){hostRoot, hostNS}},
		ProfileGeneral:    {more: []func(*corev1.Pod){hostRoot, hostNS}},
		ProfileBaseline:   {},
		ProfileRestricted: {sc: restrictedSC},
		ProfileNetadmin:   {sc: netadminSC, more: []func(*corev1.Pod){hostNS}},
		ProfileSysadmin:   {sc: sysadminSC, more: []func(*corev1.Pod){hostRoot, hostNS}},
	}
	for _, os := range []string{"", "linux", "windows"} {
		for name, tc := range linux {
			var warnings []string
			if os == "windows" {
				if name == ProfileSysadmin {
					tc = expected{more: []func(*corev1.Pod){hostProcess}}
				} else {
					warnings = []string{"node node-a runs Windows (kubernetes.io/os=windows): --profile=" + name +
						" makes the pod it makes for Linux nodes; only --profile=sysadmin makes a Windows (HostProcess) debugging pod"}
				}
			}
			for _, custom := range []bool{false, true} {
				t.Run(os+"/"+name+map[bool]string{false: "", true: "+custom"}[custom], func(t *testing.T) {
					args := withMatrixCustom(t, []string{"node/node-a", "--image=busybox:1.36", "-i", "--attach=false", "--profile=" + name}, custom)
					args = append(args, "--", "sh")
					dc := debugContainer(tc.sc)
					dc.Name = "debugger"
					dc.Command = []string{"sh"}
					want := &corev1.Pod{
						ObjectMeta: metav1.ObjectMeta{
							Name: "node-debugger-node-a-aaaaa", Namespace: "test",
							Labels:      map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug"},
							Annotations: map[string]string{"kubectl.kubernetes.io/debug-target": "node/node-a"},
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
						applyMatrixCustom(&want.Spec.Containers[0])
					}

					node := nodeTarget()
					if os != "" {
						node.node.Labels = map[string]string{"kubernetes.io/os": os}
					}
					got := planOf(t, node, args...)
					if diff := cmp.Diff(want, got.pod); diff != "" {
						t.Errorf("pod (-want +got):\n%s", diff)
					}
					if !custom {
						if diff := cmp.Diff(warnings, got.warnings); diff != "" {
							t.Errorf("warnings (-want +got):\n%s", diff)
						}
					}
				})
			}
		}
	}
}

func TestPlanCopyEditsExistingContainer(t *testing.T) {
	customEnv := writeFile(t, "c.json", `{"env":[{"name":"A","value":"b"}]}`)
	tests := []struct {
		name      string
		args      []string
		container string
		edit      func(p *corev1.Pod)
	}{
		{
			name:      "command replaces command and clears args",
			args:      []string{"-c", "web", "--env=X=1", "--", "sh"},
			container: "web",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.Containers[0]
				c.Command, c.Env, c.SecurityContext = []string{"sh"}, []corev1.EnvVar{{Name: "X", Value: "1"}}, generalSC.DeepCopy()
			},
		},
		{
			name:      "arguments-only replaces only args",
			args:      []string{"-c", "sidecar", "--arguments-only", "-i", "-t", "--attach=false", "--", "-c", "date"},
			container: "sidecar",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.Containers[1]
				c.Args, c.Stdin, c.TTY, c.SecurityContext = []string{"-c", "date"}, true, true, generalSC.DeepCopy()
			},
		},
		{
			name:      "image and pull policy only when given",
			args:      []string{"-c", "web", "--image=nginx:debug", "--image-pull-policy=Always"},
			container: "web",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.Containers[0]
				c.Image, c.ImagePullPolicy, c.SecurityContext = "nginx:debug", corev1.PullAlways, generalSC.DeepCopy()
			},
		},
		{
			name:      "an init container can be edited and customised",
			args:      []string{"-c", "init", "--custom=" + customEnv, "--", "sleep", "1d"},
			container: "init",
			edit: func(p *corev1.Pod) {
				c := &p.Spec.InitContainers[0]
				c.Command, c.Env, c.SecurityContext = []string{"sleep", "1d"}, []corev1.EnvVar{{Name: "A", Value: "b"}}, generalSC.DeepCopy()
			},
		},
		{
			name:      "set-image: an exact name wins over *, init containers untouched",
			args:      []string{"--set-image=*=busybox:2", "--set-image=web=nginx:2"},
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
			args:      []string{"-c", "web", "--same-node", "--share-processes=false", "--", "sh"},
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
			want := copiedApp()
			stripped(want)
			tt.edit(want)
			got := planOf(t, appTarget(), append([]string{"app", "--copy-to=app-copy"}, tt.args...)...)
			if got.container != tt.container {
				t.Errorf("debug container = %q, want %q", got.container, tt.container)
			}
			if diff := cmp.Diff(want, got.pod); diff != "" {
				t.Errorf("pod (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanCopyKeepFlags(t *testing.T) {
	got := planOf(t, appTarget(), "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--profile=baseline",
		"--keep-labels", "--keep-annotations", "--keep-liveness", "--keep-startup", "--keep-init-containers=false")
	want := copiedApp()
	want.Spec.InitContainers = nil
	want.Spec.Containers[0].ReadinessProbe = nil
	want.Spec.ShareProcessNamespace = ptr.To(true)
	want.Spec.Containers = append(want.Spec.Containers, corev1.Container{Name: "dbg", Image: "busybox:1.36", TerminationMessagePolicy: corev1.TerminationMessageReadFile})
	if diff := cmp.Diff(want, got.pod); diff != "" {
		t.Errorf("pod (-want +got):\n%s", diff)
	}
}

func TestPlanCopyKeepsInitDebugContainer(t *testing.T) {
	got := planOf(t, appTarget(), "app", "--copy-to=app-copy", "-c", "init", "--profile=baseline", "--keep-init-containers=false", "--", "sh")
	want := []corev1.Container{{Name: "init", Image: "busybox:1.36", Command: []string{"sh"}}}
	if diff := cmp.Diff(want, got.pod.Spec.InitContainers); diff != "" {
		t.Errorf("init containers (-want +got):\n%s", diff)
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name string
		r    resolved
		args []string
		want string
	}{
		{"unknown container without image", appTarget(), []string{"app", "--copy-to=app-copy", "-c", "nope", "--", "sh"},
			`container "nope" not found in pod "app": give --image to add it as a new container`},
		{"ephemeral name taken", appTarget(), []string{"app", "--image=busybox", "-c", "sidecar"},
			`pod "app" already has a container called "sidecar": an ephemeral container needs a new name (-c/--container)`},
		{"share-volumes from a missing container", appTarget(), []string{"app", "--image=busybox", "--share-volumes=db"},
			`--share-volumes: container "db" not found in pod "app"`},
		{"target a missing container", appTarget(), []string{"app", "--image=busybox", "--target=db"},
			`--target: container "db" not found in pod "app"`},
		{"target a missing container, sharing its volumes", appTarget(), []string{"app", "--image=busybox", "--target=db", "--share-volumes"},
			`--target: container "db" not found in pod "app"`},
		{"target an ephemeral container", func() resolved {
			r := appTarget()
			r.pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "old"}}}
			return r
		}(), []string{"app", "--image=busybox", "--target=old"},
			`--target: container "old" not found in pod "app"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := newHarness(t).complete(nil, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			p, err := o.planner().planTarget(tt.r, nil)
			if got := errString(err); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			if p != nil {
				t.Errorf("a failed plan returned %+v", p)
			}
		})
	}
}

// Init containers can be targeted too, as the server allows.
func TestPlanEphemeralTargetsInitContainer(t *testing.T) {
	got := planOf(t, appTarget(), "app", "--image=busybox:1.36", "--target=init", "-c", "dbg")
	if got.ephemeral.TargetContainerName != "init" {
		t.Errorf("target = %q, want init", got.ephemeral.TargetContainerName)
	}
}

// A --target container that only some of the selected pods have fails their plans, so
// without --keep-going none is changed; with it, only the pods that have it are.
func TestPlanTargetMissingFromSomePods(t *testing.T) {
	pods := labelledPods("test", 2)
	other := pods[1].(*corev1.Pod)
	other.Spec.Containers[0].Name = "api"
	for _, keepGoing := range []bool{false, true} {
		client := fake.NewClientset(pods...)
		args := []string{"-l", "app=web", "--image=busybox:1.36", "-c", "dbg", "--target=web"}
		wantErr := "1 of 2 targets cannot be debugged, so nothing was sent (--keep-going sends the others)"
		wantOut := "TARGET      POD      CONTAINER   RESULT\n" +
			"pod/web-0   web-0    dbg         not sent\n" +
			"pod/web-1   <none>   <none>      failed: --target: container \"web\" not found in pod \"web-1\"\n"
		want := []action{{"list", "pods", "", "test", ""}}
		if keepGoing {
			args = append(args, "--keep-going")
			wantErr = "1 of 2 targets failed"
			wantOut = "TARGET      POD      CONTAINER   RESULT\n" +
				"pod/web-0   web-0    dbg         added\n" +
				"pod/web-1   <none>   <none>      failed: --target: container \"web\" not found in pod \"web-1\"\n"
			want = append(want, action{"patch", "pods", "ephemeralcontainers", "test", "web-0"})
		}
		r := runCommand(t, client, "", args...)
		if got := errString(r.err); got != wantErr {
			t.Errorf("--keep-going=%v: error = %q, want %q", keepGoing, got, wantErr)
		}
		if r.stdout != wantOut {
			t.Errorf("--keep-going=%v: stdout:\n%s\nwant:\n%s", keepGoing, r.stdout, wantOut)
		}
		assertActions(t, client, want)
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

func TestPlanEphemeralTargetAndCommand(t *testing.T) {
	got := planOf(t, appTarget(), "app", "--image=busybox:1.36", "--image-pull-policy=Never", "--target=web", "-c", "dbg",
		"--env=B=2,A=1", "-it", "--attach=false", "--profile=baseline", "--", "sh", "-c", "id")
	want := &corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "dbg", Image: "busybox:1.36", ImagePullPolicy: corev1.PullNever, Command: []string{"sh", "-c", "id"},
			Env:   []corev1.EnvVar{{Name: "B", Value: "2"}, {Name: "A", Value: "1"}},
			Stdin: true, TTY: true, TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		},
		TargetContainerName: "web",
	}
	if diff := cmp.Diff(want, got.ephemeral); diff != "" {
		t.Errorf("ephemeral container (-want +got):\n%s", diff)
	}
}

// Plans are values: each field compared whole, notices and warnings as data.
func TestPlanValue(t *testing.T) {
	got := planOf(t, resolved{name: "pod/nonroot", pod: nonrootPod(), notices: []string{"Using pod/nonroot of deployment/web."}},
		"nonroot", "--image=busybox:1.36", "--target=main", "--profile=netadmin")
	ec := &corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debugger-aaaaa", Image: "busybox:1.36", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			SecurityContext: netadminSC.DeepCopy(),
		},
		TargetContainerName: "main",
	}
	want := &plan{
		target: "pod/nonroot", mode: ModeEphemeral, source: nonrootPod(), container: "debugger-aaaaa",
		profile: ProfileNetadmin, ephemeral: ec,
		notices: []string{
			"Using pod/nonroot of deployment/web.",
			"Defaulting debug container name to debugger-aaaaa.",
		},
		targeting: `Targeting container "main". If you don't see processes from this container it may be because the container runtime doesn't support this feature.`,
		warnings:  []string{nonRootWarning},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(plan{})); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	wantPatch := `{"spec":{"ephemeralContainers":[{"name":"debugger-aaaaa","image":"busybox:1.36","resources":{},"terminationMessagePolicy":"File","securityContext":{"capabilities":{"add":["NET_ADMIN","NET_RAW"]}},"targetContainerName":"main"}]}}`
	patch, err := ephemeralPatch(got.source, got.ephemeral)
	if err != nil {
		t.Fatal(err)
	}
	if string(patch) != wantPatch {
		t.Errorf("patch = %s, want %s", patch, wantPatch)
	}
}

// With ephemeral containers already there, the patch keeps their order; it holds only
// for the pod as it was read.
func TestEphemeralPatchKeepsOrder(t *testing.T) {
	pod := appPod()
	pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "old"}}}
	patch, err := ephemeralPatch(pod, &corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "new", Image: "busybox"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"metadata":{"resourceVersion":"42"},"spec":{"$setElementOrder/ephemeralContainers":[{"name":"old"},{"name":"new"}],"ephemeralContainers":[{"name":"new","image":"busybox","resources":{}}]}}`
	if string(patch) != want {
		t.Errorf("patch = %s, want %s", patch, want)
	}
}

// Copies are marked only when the command holds a session on them; a detached copy is
// left as kubectl leaves it. Node pods are marked whatever the session.
func TestPlanCopyMarks(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		marked bool
		// kept: without a debug container no profile runs, so the copy keeps the pod's
		// labels and annotations.
		kept bool
	}{
		{"detached", []string{"--image=busybox:1.36", "-c", "dbg"}, false, false},
		{"-i with --attach=false", []string{"--image=busybox:1.36", "-c", "dbg", "-i", "--attach=false"}, false, false},
		{"-i attaches", []string{"--image=busybox:1.36", "-c", "dbg", "-i"}, true, false},
		{"--attach", []string{"--image=busybox:1.36", "-c", "dbg", "--attach"}, true, false},
		{"--logs", []string{"--image=busybox:1.36", "-c", "dbg", "--logs"}, true, false},
		{"--rm", []string{"--image=busybox:1.36", "-c", "dbg", "-i", "--rm"}, true, false},
		{"--keep-labels, detached", []string{"--image=busybox:1.36", "-c", "dbg", "--keep-labels", "--keep-annotations"}, false, true},
		{"no debug container, detached", []string{"--set-image=*=busybox:2"}, false, true},
		{"no debug container, -i", []string{"--set-image=*=busybox:2", "-i"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planOf(t, appTarget(), append([]string{"app", "--copy-to=app-copy"}, tt.args...)...).pod
			want := &corev1.Pod{}
			if tt.kept {
				want.ObjectMeta = *copiedApp().ObjectMeta.DeepCopy()
			}
			if tt.marked {
				marked(want, "pod/app")
			}
			if diff := cmp.Diff(want.Labels, got.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want.Annotations, got.Annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
		})
	}
	node := planOf(t, nodeTarget(), "node/node-a", "--image=busybox:1.36", "--attach=false").pod
	want := &corev1.Pod{}
	marked(want, "node/node-a")
	if diff := cmp.Diff(want.Labels, node.Labels); diff != "" {
		t.Errorf("node pod labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Annotations, node.Annotations); diff != "" {
		t.Errorf("node pod annotations (-want +got):\n%s", diff)
	}
}

// The plan phase stands alone: built from its own settings, with no options, no flags and
// no client, it plans a node pod.
func TestPlannerAlone(t *testing.T) {
	pl := &planner{
		namespace:   "debug",
		session:     true,
		profileName: ProfileNetadmin,
		profile:     netadminProfile{},
		base:        containerSpec{Image: "busybox:1.36", PullPolicy: corev1.PullIfNotPresent},
		nameSuffix:  func() string { return "zzzzz" },
		identity:    KubectlIdentity(),
	}
	p, err := pl.planTarget(nodeTarget(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "node-debugger-node-a-zzzzz", Namespace: "debug",
			Labels:      map[string]string{"app.kubernetes.io/managed-by": "kubectl-debug"},
			Annotations: map[string]string{"kubectl.kubernetes.io/debug-target": "node/node-a"},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "debugger", Image: "busybox:1.36", ImagePullPolicy: corev1.PullIfNotPresent,
				TerminationMessagePolicy: corev1.TerminationMessageReadFile,
				SecurityContext:          netadminSC.DeepCopy(),
			}},
			NodeName:      "node-a",
			RestartPolicy: corev1.RestartPolicyNever,
			Tolerations:   []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
			HostNetwork:   true, HostPID: true, HostIPC: true,
		},
	}
	if diff := cmp.Diff(want, p.pod); diff != "" {
		t.Errorf("pod (-want +got):\n%s", diff)
	}
}
