package debug

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// variedPods are pods whose differences reach the debug container, its warnings and
// notices: the target container's user and group (--run-as=target), or none; a pod-level
// user (the non-root warning and the restricted hint); the target container's volume
// mounts (--share-volumes), a subPath one among them; ephemeral containers already
// there; namespaces. Several pods share each combination, as a fan-out's pods do.
func variedPods() []resolved {
	var found []resolved
	for i := range 48 {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%d", i), Namespace: []string{"test", "other"}[i%2]},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "main", Image: "nginx:1.27",
			}}},
		}
		main := &pod.Spec.Containers[0]
		switch i % 4 {
		case 1:
			main.SecurityContext = &corev1.SecurityContext{RunAsUser: ptr.To[int64](1000)}
		case 2:
			main.SecurityContext = &corev1.SecurityContext{RunAsUser: ptr.To[int64](2000), RunAsGroup: ptr.To[int64](3000)}
		case 3:
			main.SecurityContext = &corev1.SecurityContext{RunAsUser: ptr.To[int64](0)}
		}
		if i%3 == 1 {
			pod.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](1500), RunAsGroup: ptr.To[int64](1600)}
		}
		switch i % 5 {
		case 1:
			main.VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
		case 2:
			main.VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data", ReadOnly: true}}
		case 3:
			main.VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}, {Name: "conf", MountPath: "/etc/app", SubPath: "app"}}
		}
		if i%7 == 3 {
			pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "old"}}}
		}
		found = append(found, resolved{name: "pod/" + pod.Name, pod: pod})
	}
	return found
}

// countingSuffixes yields a new suffix on every call, the same sequence for every
// options it is given to.
func countingSuffixes() func() string {
	n := 0
	return func() string {
		n++
		return fmt.Sprintf("s%04d", n)
	}
}

// A fan-out plans every pod as if it were alone: planning the pods together, with the
// profiled containers shared, gives the plans, warnings, notices and failures that
// planning each on its own gives.
func TestPlanAllSharesProfiledContainers(t *testing.T) {
	var env []string
	for i := range 50 {
		env = append(env, fmt.Sprintf(`{"name": "VAR_%d", "value": "value-%d"}`, i, i))
	}
	envCustom := "--custom=" + writeFile(t, "env.json", `{"env": [`+strings.Join(env, ", ")+`]}`)
	raiseCustom := "--custom=" + writeFile(t, "raise.json", `{"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}, "runAsNonRoot": false}, "workingDir": "/tmp"}`)
	rootCustom := "--custom=" + writeFile(t, "root.json", `{"securityContext": {"runAsUser": 0}}`)

	for _, args := range [][]string{
		{"--image=busybox:1.36", envCustom},
		{"--image=busybox:1.36", "-c", "dbg", "--profile=restricted"},
		{"--image=busybox:1.36", "--profile=general", envCustom},
		{"--image=busybox:1.36", "--run-as=target", "--profile=restricted", raiseCustom, "--keep-going"},
		{"--image=busybox:1.36", "--run-as=target", "--target=main", "--profile=netadmin", envCustom, rootCustom, "--keep-going"},
		{"--image=busybox:1.36", "--run-as=root", "--profile=restricted", envCustom},
		{"--image=busybox:1.36", "--run-as=1000:1000", "--profile=sysadmin", rootCustom},
		{"--image=busybox:1.36", "--share-volumes", "--profile=baseline", "--env=A=1", envCustom, "--keep-going"},
		{"--image=busybox:1.36", "--share-volumes=main", "--run-as=target", "--profile=legacy", raiseCustom, "--keep-going"},
		{"--image=busybox:1.36", "-c", "dbg", "--target=main", "--logs", "--", "sh", "-c", "id"},
	} {
		shown := make([]string, len(args))
		for i, arg := range args {
			if path, ok := strings.CutPrefix(arg, "--custom="); ok {
				arg = "--custom=" + filepath.Base(path)
			}
			shown[i] = arg
		}
		t.Run(strings.Join(shown, " "), func(t *testing.T) {
			complete := func() *DebugOptions {
				h := newHarness(t, withOptions(func(o *DebugOptions) { o.nameSuffix = countingSuffixes() }))
				o, err := h.complete(nil, append([]string{"-l", "app=web"}, args...)...)
				if err != nil {
					t.Fatal(err)
				}
				return o
			}

			together, failedTogether, err := complete().planAll(context.Background(), variedPods())
			if err != nil {
				t.Fatal(err)
			}

			alone := complete()
			var each []*plan
			var failedAlone []outcome
			for i, r := range variedPods() {
				p, err := alone.planner().planTarget(r, nil)
				if err != nil {
					failedAlone = append(failedAlone, outcome{index: i, target: r.name, err: err})
					continue
				}
				p.index = i
				each = append(each, p)
			}

			if diff := cmp.Diff(each, together, cmp.AllowUnexported(plan{})); diff != "" {
				t.Errorf("plans (-alone +together):\n%s", diff)
			}
			if diff := cmp.Diff(failureTexts(failedAlone), failureTexts(failedTogether)); diff != "" {
				t.Errorf("failures (-alone +together):\n%s", diff)
			}
			if len(together) == 0 {
				t.Errorf("no pod could be planned: nothing was compared")
			}
		})
	}
}

func failureTexts(failed []outcome) []string {
	var texts []string
	for _, out := range failed {
		texts = append(texts, fmt.Sprintf("%d %s: %v", out.index, out.target, out.err))
	}
	return texts
}

// The profiles run once per distinct input, not once per pod: the user --run-as takes
// from each pod and the mounts --share-volumes borrows are all that tells the pods
// apart. A failure is not kept.
func TestProfiledContainersRunOncePerInput(t *testing.T) {
	custom := "--custom=" + writeFile(t, "env.json", `{"env": [{"name": "A", "value": "1"}]}`)
	tests := []struct {
		args []string
		want int
	}{
		// Every pod alike.
		{[]string{"--image=busybox:1.36", custom}, 1},
		// Users 1000 and 0, each with no group or the pod's 1600; 2000:3000; the pod's
		// 1500:1600 where the container sets none. The other pods have no user to
		// take and are not planned.
		{[]string{"--image=busybox:1.36", "--run-as=target", "--keep-going", custom}, 6},
		// No mounts, /data, /data read only, /data with the subPath mount left out.
		{[]string{"--image=busybox:1.36", "--share-volumes", custom}, 3},
	}
	for _, tt := range tests {
		o, err := newHarness(t).complete(nil, append([]string{"-l", "app=web"}, tt.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		profiled := newProfiledContainers()
		for _, r := range variedPods() {
			_, _ = o.planner().planTarget(r, profiled)
		}
		if got := len(profiled.byInput); got != tt.want {
			t.Errorf("%v: profiled %d containers, want %d", tt.args, got, tt.want)
		}
	}
}

// Planning a fan-out costs the same per pod whatever the size of the custom profile:
// its merge is done once, not once per pod. Measured in allocations, which do not
// depend on the machine's speed or load.
func TestPlanAllCostPerPodIndependentOfProfile(t *testing.T) {
	profile := func(vars int) string {
		env := make([]string, vars)
		for i := range env {
			env[i] = fmt.Sprintf(`{"name": "VAR_%d", "value": "value-%d"}`, i, i)
		}
		return "--custom=" + writeFile(t, fmt.Sprintf("env-%d.json", vars), `{"env": [`+strings.Join(env, ", ")+`]}`)
	}
	pods := func(n int) []resolved {
		found := make([]resolved, n)
		for i := range found {
			pod := appPod()
			pod.Name = fmt.Sprintf("web-%d", i)
			found[i] = resolved{name: "pod/" + pod.Name, pod: pod}
		}
		return found
	}
	// allocsPerPod is what each pod beyond the first 50 adds to planning them all.
	allocsPerPod := func(custom string) float64 {
		o, err := newHarness(t).complete(nil, "-l", "app=web", "--image=busybox:1.36", custom)
		if err != nil {
			t.Fatal(err)
		}
		few, many := pods(50), pods(250)
		allocs := func(found []resolved) float64 {
			return testing.AllocsPerRun(3, func() {
				if _, failed, err := o.planAll(context.Background(), found); err != nil || len(failed) > 0 {
					t.Fatalf("planning failed: %v %v", err, failed)
				}
			})
		}
		return (allocs(many) - allocs(few)) / 200
	}
	small, large := allocsPerPod(profile(5)), allocsPerPod(profile(500))
	if large > small+1 {
		t.Errorf("each pod costs %.0f allocations with a profile of 500 variables, %.0f with one of 5: the profile is merged per pod", large, small)
	}
}
