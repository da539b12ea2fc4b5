package debug

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

// podSecurity plays Pod Security admission enforcing level on the server dry runs and
// writes of ephemeral containers: baseline refuses privileged containers and added
// capabilities, restricted also anything not set to run as non-root.
func podSecurity(client *fake.Clientset, level string) {
	client.PrependReactor("patch", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		patch := string(a.(k8stesting.PatchAction).GetPatch())
		refused := strings.Contains(patch, `"privileged":true`) || strings.Contains(patch, `"add":[`)
		if level == "restricted" {
			refused = refused || !strings.Contains(patch, `"runAsNonRoot":true`)
		}
		if !refused {
			return false, nil, nil
		}
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "nonroot",
			errorString(`violates PodSecurity "`+level+`:latest": some fields`))
	})
}

func TestProfileAutoChoosesTheFirstAdmitted(t *testing.T) {
	client := fake.NewClientset(nonrootPod())
	podSecurity(client, "baseline")
	r := runCommand(t, client, "", "nonroot", "--image=busybox:1.36", "-c", "dbg", "--profile=auto", "--attach=false")
	if r.err != nil {
		t.Fatalf("unexpected error: %v\nstderr: %s", r.err, r.stderr)
	}
	want := `--profile=auto chose "baseline" with --run-as=target (the target runs as non-root); refused by the server: "sysadmin", "netadmin" and "general" (violates PodSecurity "baseline:latest").
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	// Four dry runs, then the one write, made with the profile admitted.
	if diff := cmp.Diff([][]string{{"All"}, {"All"}, {"All"}, {"All"}, nil}, podDryRunsOf(client)); diff != "" {
		t.Errorf("dryRun options (-want +got):\n%s", diff)
	}
	pod, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("pods"), "test", "nonroot")
	if err != nil {
		t.Fatal(err)
	}
	got := pod.(*corev1.Pod).Spec.EphemeralContainers
	wantSC := &corev1.SecurityContext{RunAsUser: ptr.To[int64](1000), RunAsNonRoot: ptr.To(true)}
	if len(got) != 1 {
		t.Fatalf("ephemeral containers: %d, want 1", len(got))
	}
	if diff := cmp.Diff(wantSC, got[0].SecurityContext); diff != "" {
		t.Errorf("debug container's security context (-want +got):\n%s", diff)
	}
}

// On a pod that runs as non-root, the capability profiles run as root, or their
// capabilities would not work: in a namespace that admits everything, sysadmin as root.
func TestProfileAutoCapabilitiesAsRoot(t *testing.T) {
	client := fake.NewClientset(nonrootPod())
	r := runCommand(t, client, "", "nonroot", "--image=busybox:1.36", "-c", "dbg", "--profile=auto", "--attach=false", "--dry-run=server", "-o", "jsonpath={.spec.ephemeralContainers[0].securityContext}")
	if r.err != nil {
		t.Fatalf("unexpected error: %v\nstderr: %s", r.err, r.stderr)
	}
	if diff := cmp.Diff(`{"privileged":true,"runAsGroup":0,"runAsNonRoot":false,"runAsUser":0}`, r.stdout); diff != "" {
		t.Errorf("security context (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stderr, `--profile=auto chose "sysadmin" with --run-as=root (the pod runs as non-root, and the profile's capabilities need root).`) {
		t.Errorf("stderr lacks the notice:\n%s", r.stderr)
	}
}

func TestProfileAutoFailures(t *testing.T) {
	// Every profile refused: one error naming them, and nothing but dry runs sent.
	client := fake.NewClientset(nonrootPod())
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "nonroot",
			errorString(`violates PodSecurity "restricted:latest": some fields`))
	})
	r := runCommand(t, client, "", "nonroot", "--image=busybox:1.36", "-c", "dbg", "--profile=auto", "--attach=false")
	want := `--profile=auto: the server refuses every predefined profile: "sysadmin", "netadmin", "general", "baseline" and "restricted" (violates PodSecurity "restricted:latest"); "restricted" was refused with: adding debug container "dbg" to pod "nonroot": pods "nonroot" is forbidden: violates PodSecurity "restricted:latest": some fields`
	if diff := cmp.Diff(want, errString(r.err)); diff != "" {
		t.Errorf("all refused (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"All"}, {"All"}, {"All"}, {"All"}, {"All"}}, podDryRunsOf(client)); diff != "" {
		t.Errorf("all refused: dryRun options (-want +got):\n%s", diff)
	}

	// A refusal no profile changes (RBAC) stops at the first dry run.
	client = fake.NewClientset(nonrootPod())
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods", Group: ""}, "nonroot",
			errorString(`User "dev" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "test"`))
	})
	r = runCommand(t, client, "", "nonroot", "--image=busybox:1.36", "-c", "dbg", "--profile=auto", "--attach=false")
	want = `adding debug container "dbg" to pod "nonroot": pods "nonroot" is forbidden: User "dev" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "test"`
	if diff := cmp.Diff(want, errString(r.err)); diff != "" {
		t.Errorf("RBAC (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"All"}}, podDryRunsOf(client)); diff != "" {
		t.Errorf("RBAC: dryRun options (-want +got):\n%s", diff)
	}

	// A client dry run cannot ask the server.
	client = fake.NewClientset(nonrootPod())
	r = runCommand(t, client, "", "nonroot", "--image=busybox:1.36", "--profile=auto", "--dry-run=client")
	if diff := cmp.Diff("--profile=auto asks the server which profile it admits, and --dry-run=client sends nothing: use --dry-run=server", errString(r.err)); diff != "" {
		t.Errorf("client dry run (-want +got):\n%s", diff)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("client dry run: API calls %v, want none", actionsOf(client))
	}
}
