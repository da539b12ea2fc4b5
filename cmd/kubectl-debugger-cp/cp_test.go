package main

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

// The paths are checked before any API call.
func TestArgumentErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"a:/x", "b:/y"}, `both "a:/x" and "b:/y" are in pods: one side must be a local path`},
		{[]string{"./a", "/b"}, `neither "./a" nor "/b" is POD:PATH: one side must be in a pod`},
		{[]string{"./a:b", "c"}, `neither "./a:b" nor "c" is POD:PATH: one side must be in a pod`},
		{[]string{"app:etc/x", "x"}, `the path in pod "app" must be absolute, not "etc/x"`},
		{[]string{"x", "app:/"}, `the path in pod "app" is its root directory: name a file or directory in it`},
		{[]string{"x", "app:/a", "--image-pull-policy=Sometimes"}, `invalid --image-pull-policy "Sometimes": must be Always, IfNotPresent or Never`},
		{[]string{"x", "app:/a", "--image="}, `--image was given an empty value: the debug container needs an image with sh and tar`},
		{[]string{"x"}, `accepts 2 arg(s), received 1`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			flags := genericclioptions.NewConfigFlags(false)
			flags.Namespace = ptr.To("test")
			cmd := newCmd(flags, genericiooptions.NewTestIOStreamsDiscard())
			cmd.SetArgs(tt.args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			got := ""
			if err := cmd.Execute(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func cpPod(containers ...string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "test"}}
	for _, name := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{
			Name: name, SecurityContext: &corev1.SecurityContext{RunAsUser: ptr.To[int64](65532)},
		})
	}
	return pod
}

func TestTargetOf(t *testing.T) {
	annotated := cpPod("proxy", "app")
	annotated.Annotations = map[string]string{defaultContainerAnnotation: "app"}
	tests := []struct {
		name, container string
		pod             *corev1.Pod
		want, wantErr   string
	}{
		{"only container", "", cpPod("main"), "main", ""},
		{"-c", "b", cpPod("a", "b"), "b", ""},
		{"annotation", "", annotated, "app", ""},
		{"several", "", cpPod("a", "b"), "", `pod "app" has 2 containers (a, b): name one with -c`},
		{"missing", "c", cpPod("a"), "", `container "c" not found in pod "app"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Options{Container: tt.container}
			got, err := o.targetOf(tt.pod)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.wantErr {
				t.Errorf("targetOf = %q, %q; want %q, %q", got, gotErr, tt.want, tt.wantErr)
			}
		})
	}
}

// withHelper adds to pod a debug container of an earlier copy.
func withHelper(pod *corev1.Pod, name, image, target string, user *int64, running bool) *corev1.Pod {
	pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: image, SecurityContext: &corev1.SecurityContext{RunAsUser: user}},
		TargetContainerName:      target,
	})
	state := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}
	if running {
		state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	}
	pod.Status.EphemeralContainerStatuses = append(pod.Status.EphemeralContainerStatuses, corev1.ContainerStatus{Name: name, State: state})
	return pod
}

// A running debug container of the same image, target and user is used again; any
// other one is not, and a new one is added and waited for.
func TestEnsureHelper(t *testing.T) {
	user := ptr.To[int64](65532)
	tests := []struct {
		name  string
		pod   *corev1.Pod
		reuse string
	}{
		{"the same", withHelper(cpPod("main"), "debugger-cp-aaaaa", defaultImage, "main", user, true), "debugger-cp-aaaaa"},
		{"ended", withHelper(cpPod("main"), "debugger-cp-aaaaa", defaultImage, "main", user, false), ""},
		{"another image", withHelper(cpPod("main"), "debugger-cp-aaaaa", "busybox:1.37", "main", user, true), ""},
		{"another user", withHelper(cpPod("main"), "debugger-cp-aaaaa", defaultImage, "main", ptr.To[int64](0), true), ""},
		{"another target", withHelper(cpPod("main"), "debugger-cp-aaaaa", defaultImage, "other", user, true), ""},
		{"not a copy's", withHelper(cpPod("main"), "debugger-aaaaa", defaultImage, "main", user, true), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(tt.pod)
			var added []helperSpec
			o := &Options{Image: defaultImage, client: client}
			o.addHelper = func(ctx context.Context, pod *corev1.Pod, h helperSpec) error {
				added = append(added, h)
				// The kubelet starts it at once.
				p := withHelper(pod.DeepCopy(), h.name, h.image, h.target, h.user, true)
				_, err := client.CoreV1().Pods(p.Namespace).Update(ctx, p, metav1.UpdateOptions{})
				return err
			}
			name, _, err := o.ensureHelper(t.Context(), tt.pod, "main")
			if err != nil {
				t.Fatal(err)
			}
			var want []helperSpec
			if tt.reuse == "" {
				want = []helperSpec{{name: name, target: "main", image: defaultImage, user: user}}
			} else if name != tt.reuse {
				t.Errorf("debug container %q, want %q used again", name, tt.reuse)
			}
			if diff := cmp.Diff(want, added, cmp.AllowUnexported(helperSpec{})); diff != "" {
				t.Errorf("added (-want +got):\n%s", diff)
			}
		})
	}
}
