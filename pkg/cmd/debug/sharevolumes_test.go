package debug

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// webNamedPod is a second pod called web, as the container of appPod is: the pod a
// user did not mean to debug when writing "app --share-volumes web".
func webNamedPod() *fake.Clientset {
	web := appPod()
	web.Name = "web"
	return fake.NewClientset(appPod(), web)
}

// A word after a bare --share-volumes is refused, not debugged as one more target:
// nothing is read or written, and the message says how to give the container.
func TestShareVolumesBareBeforeATarget(t *testing.T) {
	manifest := writeFile(t, "app.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: test}\nspec: {containers: [{name: web, image: nginx}]}\n")
	refusal := func(word string) string {
		return fmt.Sprintf("--share-volumes takes a container only as --share-volumes=NAME, so %q after it would be a target to debug: write --share-volumes=%s, or name the targets before --share-volumes", word, word)
	}
	tests := [][]string{
		// Pod web has a container web too: it would get a debug container of its own.
		{"app", "--image=busybox", "--target=web", "--share-volumes", "web"},
		{"app", "--image=busybox", "--share-volumes", "web"},
		{"--share-volumes", "web", "app", "--image=busybox"},
		{"-f", manifest, "--image=busybox", "--share-volumes", "web"},
		// Another flag in between changes nothing: the word still comes after it.
		{"app", "--share-volumes", "--image=busybox", "web"},
		// Nor does a later flag that gives no container.
		{"app", "--share-volumes", "web", "--image=busybox", "--dry-run=client"},
	}
	for _, args := range tests {
		client := webNamedPod()
		r := runCommand(t, client, "", args...)
		if got, want := errString(r.err), refusal("web"); got != want {
			t.Errorf("%q: error = %q, want %q", args, got, want)
		}
		if len(client.Actions()) != 0 {
			t.Errorf("%q: API calls were made: %v", args, client.Actions())
		}
	}

	client := webNamedPod()
	r := runCommand(t, client, "", "--share-volumes", "app", "--image=busybox")
	if got, want := errString(r.err), refusal("app"); got != want {
		t.Errorf("a lone target after the flag: error = %q, want %q", got, want)
	}
}

// The bare form stays where no word can be taken for a container: at the end, before
// another flag, or before --; a value given with = is the container.
func TestShareVolumesForms(t *testing.T) {
	tests := [][]string{
		{"app", "--image=busybox", "-c", "dbg", "--share-volumes=web"},
		{"app", "--image=busybox", "-c", "dbg", "--target=web", "--share-volumes"},
		{"app", "--share-volumes", "--target=web", "--image=busybox", "-c", "dbg"},
		{"app", "--image=busybox", "-c", "dbg", "--target=web", "--share-volumes", "--", "sh"},
		// A bare flag then a value: the value wins, and the word before is the target.
		{"app", "--share-volumes", "--share-volumes=web", "--image=busybox", "-c", "dbg"},
	}
	for _, args := range tests {
		client := webNamedPod()
		r := runCommand(t, client, "", args...)
		if r.err != nil {
			t.Errorf("%q: %v", args, r.err)
			continue
		}
		assertActions(t, client, []action{{"get", "pods", "", "test", "app"}, {"patch", "pods", "ephemeralcontainers", "test", "app"}})
		pod, err := client.CoreV1().Pods("test").Get(context.Background(), "app", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
		if diff := cmp.Diff(want, pod.Spec.EphemeralContainers[0].VolumeMounts); diff != "" {
			t.Errorf("%q: debug container mounts (-want +got):\n%s", args, diff)
		}
	}
}
