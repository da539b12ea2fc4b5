package main

import (
	"bytes"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
)

// complete runs cobra's completion request for args, as the shell does through
// kubectl_complete-debugger-cp, against a fake cluster, and returns what it prints.
func complete(t *testing.T, client *fake.Clientset, args ...string) string {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	flags.Namespace = ptr.To("test")
	var out bytes.Buffer
	o := &Options{IOStreams: genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}}, client: client}
	cmd := newCmdWith(o, flags)
	flags.AddFlags(cmd.PersistentFlags())
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs(append([]string{"__complete"}, args...))
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestCompletion(t *testing.T) {
	pod := func(namespace, name string, containers ...string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
		for i, c := range containers {
			if i == 0 {
				p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: c})
				continue
			}
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		}
		p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger-cp-1"}}}
		return p
	}
	client := fake.NewClientset(pod("test", "web", "init", "app", "sidecar"), pod("test", "worker", "setup", "main"), pod("other", "web-other", "x", "y"))
	// Cobra prints the completions, then ":" and the directive (2: no space, 4: no
	// file completion, 0: the shell's default, its files).
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"pods of the namespace, ready for a path", []string{""}, "web:\nworker:\n:2\n"},
		{"pods by prefix", []string{"wo"}, "worker:\n:2\n"},
		{"a local path", []string{"./"}, ":0\n"},
		{"no pod matches: a local file", []string{"notes"}, ":0\n"},
		{"the path in a pod", []string{"web:/et"}, ":4\n"},
		{"the local side after a pod", []string{"web:/etc/hosts", ""}, ":0\n"},
		{"a pod after a local path", []string{"./hosts", "w"}, "web:\nworker:\n:2\n"},
		{"nothing after two paths", []string{"web:/a", "b", ""}, ":4\n"},
		{"-c: the containers a copy can target", []string{"web:/etc/hosts", "x", "-c", ""}, "init\napp\nsidecar\n:4\n"},
		{"-c by prefix", []string{"./x", "worker:/tmp", "-c", "ma"}, "main\n:4\n"},
		{"-c without a pod", []string{"-c", ""}, ":4\n"},
		{"another namespace", []string{"-n", "other", ""}, "web-other:\n:2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := complete(t, client, tt.args...)
			if got != tt.want {
				t.Errorf("completions of %q:\n%s\nwant:\n%s", tt.args, got, tt.want)
			}
		})
	}
}
