package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// userPod is a pod whose main container runs as 1000:3000 by its own security context,
// or by the pod's when podLevel is set.
func userPod(podLevel bool) *corev1.Pod {
	pod := nonrootPod()
	pod.Spec.SecurityContext = nil
	sc := &corev1.SecurityContext{RunAsUser: ptr.To[int64](1000), RunAsGroup: ptr.To[int64](3000)}
	if podLevel {
		pod.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: sc.RunAsUser, RunAsGroup: sc.RunAsGroup}
	} else {
		pod.Spec.Containers[0].SecurityContext = sc
	}
	return pod
}

// --run-as takes the user from each source it can, after the profile and before the
// custom profiles; the debug container's security context is compared whole.
func TestRunAs(t *testing.T) {
	restrictedAs := func(user, group int64) *corev1.SecurityContext {
		sc := restrictedSC.DeepCopy()
		sc.RunAsUser, sc.RunAsGroup = ptr.To(user), ptr.To(group)
		return sc
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		args []string
		want *corev1.SecurityContext
	}{
		{"target, container level", userPod(false), []string{"--run-as=target", "--profile=restricted"}, restrictedAs(1000, 3000)},
		{"target, pod level", userPod(true), []string{"--run-as=target", "--profile=restricted"}, restrictedAs(1000, 3000)},
		{"target by --target", userPod(false), []string{"--run-as=target", "--target=main", "--profile=baseline"},
			&corev1.SecurityContext{RunAsUser: ptr.To[int64](1000), RunAsGroup: ptr.To[int64](3000), RunAsNonRoot: ptr.To(true)}},
		{"explicit user", userPod(false), []string{"--run-as=2000", "--profile=general"},
			&corev1.SecurityContext{RunAsUser: ptr.To[int64](2000), RunAsNonRoot: ptr.To(true), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_PTRACE"}}}},
		{"explicit user and group", userPod(false), []string{"--run-as=2000:4000", "--profile=restricted"}, restrictedAs(2000, 4000)},
		{"root", userPod(false), []string{"--run-as=root", "--profile=sysadmin"},
			&corev1.SecurityContext{Privileged: ptr.To(true), RunAsUser: ptr.To[int64](0), RunAsGroup: ptr.To[int64](0), RunAsNonRoot: ptr.To(false)}},
		{"a custom profile still wins", userPod(false), []string{"--run-as=target", "--profile=baseline", "--custom=" + writeFile(t, "u.yaml", "securityContext: {runAsUser: 5}\n")},
			&corev1.SecurityContext{RunAsUser: ptr.To[int64](5), RunAsGroup: ptr.To[int64](3000), RunAsNonRoot: ptr.To(true)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resolved{name: "pod/nonroot", pod: tt.pod}
			p := planOf(t, r, append([]string{"nonroot", "--image=busybox", "-c", "dbg"}, tt.args...)...)
			if diff := cmp.Diff(tt.want, p.ephemeral.SecurityContext); diff != "" {
				t.Errorf("ephemeral security context (-want +got):\n%s", diff)
			}
			p = planOf(t, r, append([]string{"nonroot", "--image=busybox", "-c", "dbg", "--copy-to=copy"}, without(tt.args, "--target=main")...)...)
			debug := p.pod.Spec.Containers[len(p.pod.Spec.Containers)-1]
			if diff := cmp.Diff(tt.want, debug.SecurityContext); diff != "" {
				t.Errorf("copy's debug container security context (-want +got):\n%s", diff)
			}
		})
	}
}

func without(args []string, drop string) []string {
	var out []string
	for _, a := range args {
		if a != drop {
			out = append(out, a)
		}
	}
	return out
}

func TestRunAsErrors(t *testing.T) {
	twoContainers := userPod(false)
	twoContainers.Spec.Containers = append(twoContainers.Spec.Containers, corev1.Container{Name: "side", Image: "x"})
	noUser := userPod(false)
	noUser.Spec.Containers[0].SecurityContext = nil
	tests := []struct {
		name string
		pod  *corev1.Pod
		args []string
		want string
	}{
		{"no user to take", noUser, []string{"--run-as=target"}, `--run-as=target: container "main" of pod "nonroot" runs as its image's user, which the API does not show: give --run-as=UID[:GID]`},
		{"which container", twoContainers, []string{"--run-as=target"}, `--run-as=target: pod "nonroot" has 2 containers: name the one whose user to take with --target`},
		{"which container of a copy", twoContainers, []string{"--run-as=target", "--copy-to=copy"}, `--run-as=target: pod "nonroot" has 2 containers: give its user with --run-as=UID[:GID] (or -c to debug that container itself)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := newHarness(t).complete(nil, append([]string{"nonroot", "--image=busybox", "-c", "dbg"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.planner().planTarget(resolved{name: "pod/nonroot", pod: tt.pod}, nil)
			if got := errString(err); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"nonroot", "--image=busybox", "--run-as=me"}, `invalid --run-as "me": want "target", "root", UID or UID:GID, IDs from 0 to 2147483647`},
		{[]string{"nonroot", "--image=busybox", "--run-as=1:-2"}, `invalid --run-as "1:-2": want "target", "root", UID or UID:GID, IDs from 0 to 2147483647`},
		{[]string{"nonroot", "--image=busybox", "--run-as=4294967296"}, `invalid --run-as "4294967296": want "target", "root", UID or UID:GID, IDs from 0 to 2147483647`},
		{[]string{"nonroot", "--copy-to=c", "--set-image=*=busybox", "--run-as=1000"}, "--run-as sets the debug container's user, and this copy has none: give --image or -c/--container"},
		{[]string{"node/node-a", "--image=busybox", "--run-as=1"}, "--run-as cannot be used with node/node-a: it sets the user of a container in a pod being debugged; use --custom with securityContext.runAsUser"},
	} {
		if _, err := newHarness(t).complete(nil, tt.args...); errString(err) != tt.want {
			t.Errorf("%v: error = %q, want %q", tt.args, errString(err), tt.want)
		}
	}
}

// With --profile=restricted, a target with a non-root user of its own and nothing
// setting the debug container's, a notice suggests --run-as=target.
func TestRestrictedHint(t *testing.T) {
	hint := `--profile=restricted requires a non-root user, and container "main" runs as 1000 while the debug container sets none: if its image runs as root it will not start; --run-as=target runs it as 1000.`
	p := planOf(t, resolved{name: "pod/nonroot", pod: userPod(false)}, "nonroot", "--image=busybox", "-c", "dbg", "--profile=restricted")
	if diff := cmp.Diff([]string{hint}, p.notices); diff != "" {
		t.Errorf("notices (-want +got):\n%s", diff)
	}
	for _, args := range [][]string{
		{"nonroot", "--image=busybox", "-c", "dbg", "--profile=restricted", "--run-as=target"},
		{"nonroot", "--image=busybox", "-c", "dbg", "--profile=general"},
	} {
		if p := planOf(t, resolved{name: "pod/nonroot", pod: userPod(false)}, args...); len(p.notices) != 0 {
			t.Errorf("%v: notices %q, want none", args, p.notices)
		}
	}
	// The pod's own user applies to the debug container too: nothing to suggest.
	if p := planOf(t, resolved{name: "pod/nonroot", pod: userPod(true)}, "nonroot", "--image=busybox", "-c", "dbg", "--profile=restricted"); len(p.notices) != 0 {
		t.Errorf("pod-level user: notices %q, want none", p.notices)
	}
}

// Root under the restricted profile is said to be refused, not silently allowed.
func TestRunAsRootUnderRestricted(t *testing.T) {
	p := planOf(t, resolved{name: "pod/nonroot", pod: userPod(true)}, "nonroot", "--image=busybox", "-c", "dbg", "--profile=restricted", "--run-as=root")
	want := []string{`--run-as runs the debug container as root, which --profile=restricted and Pod Security "restricted" do not allow`}
	if diff := cmp.Diff(want, p.warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if sc := p.ephemeral.SecurityContext; sc.RunAsNonRoot == nil || *sc.RunAsNonRoot {
		t.Errorf("runAsNonRoot = %v, want false: the pod requires non-root", sc.RunAsNonRoot)
	}
}
