package debug

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// authorizer answers the SelfSubjectAccessReviews of client: denied lists the
// permissions ("patch pods/ephemeralcontainers") the caller lacks.
func authorizer(client *fake.Clientset, denied ...string) {
	client.PrependReactor("create", "selfsubjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		review := a.(k8stesting.CreateAction).GetObject().(*authorizationv1.SelfSubjectAccessReview).DeepCopy()
		attrs := review.Spec.ResourceAttributes
		asked := access{verb: attrs.Verb, subresource: attrs.Subresource}.String()
		review.Status.Allowed = true
		for _, d := range denied {
			if d == asked {
				review.Status.Allowed = false
			}
		}
		return true, review, nil
	})
}

// nodeWithImages is node-a holding images, under the names a kubelet reports.
func nodeWithImages(names ...string) *corev1.Node {
	n := nodeA()
	for _, name := range names {
		n.Status.Images = append(n.Status.Images, corev1.ContainerImage{Names: []string{name}})
	}
	return n
}

// reviewsOf lists the permissions client was asked about, sorted: they are asked
// concurrently.
func reviewsOf(client *fake.Clientset) []string {
	var got []string
	for _, a := range client.Actions() {
		if c, ok := a.(k8stesting.CreateAction); ok && a.GetResource().Resource == "selfsubjectaccessreviews" {
			attrs := c.GetObject().(*authorizationv1.SelfSubjectAccessReview).Spec.ResourceAttributes
			got = append(got, attrs.Namespace+": "+access{verb: attrs.Verb, subresource: attrs.Subresource}.String())
		}
	}
	slices.Sort(got)
	return got
}

func TestCheckWouldSucceed(t *testing.T) {
	client := fake.NewClientset(appPod(), nodeWithImages("docker.io/library/busybox:1.36"))
	authorizer(client)
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "-i", "--check")
	if r.err != nil {
		t.Fatalf("unexpected error: %v\nstderr: %s", r.err, r.stderr)
	}
	want := `pod/app: would succeed
  allowed: patch pods/ephemeralcontainers in namespace test
  allowed: create pods/attach in namespace test
  admitted by the server (dry run)
  image busybox:1.36: present on node node-a
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("", r.stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	// Every write is a server dry run; nothing else is sent.
	if diff := cmp.Diff([][]string{{"All"}}, podDryRunsOf(client)); diff != "" {
		t.Errorf("dryRun options (-want +got):\n%s", diff)
	}
	assertActionsUnordered(t, client, []action{
		{Verb: "get", Resource: "pods", Namespace: "test", Name: "app"},
		{Verb: "create", Resource: "selfsubjectaccessreviews"},
		{Verb: "create", Resource: "selfsubjectaccessreviews"},
		{Verb: "get", Resource: "nodes", Name: "node-a"},
		{Verb: "patch", Resource: "pods", Subresource: "ephemeralcontainers", Namespace: "test", Name: "app"},
	})
}

func TestCheckWouldFail(t *testing.T) {
	client := fake.NewClientset(appPod(), nodeWithImages("docker.io/library/nginx:1.27"))
	authorizer(client, "create pods/attach")
	client.PrependReactor("patch", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "app",
			errorString(`violates PodSecurity "baseline:latest": privileged (container "dbg" must not set securityContext.privileged=true)`))
	})
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "-it", "--profile=sysadmin",
		"--image-pull-policy=Never", "--check")
	want := `pod/app: would fail
  allowed: patch pods/ephemeralcontainers in namespace test
  forbidden: create pods/attach in namespace test
  refused by the server: adding debug container "dbg" to pod "app": pods "app" is forbidden: violates PodSecurity "baseline:latest": privileged (container "dbg" must not set securityContext.privileged=true)
  image busybox:1.36: not on node node-a, and imagePullPolicy is Never: the container could never start; pull it on the node or use another --image-pull-policy
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("1 of 1 targets would fail", errString(r.err)); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

// Several targets in one namespace need each permission once: the reviews are not
// repeated per target, and a node is read once.
func TestCheckAsksOncePerPermission(t *testing.T) {
	web1, web2 := appPod(), appPod()
	web1.Name, web2.Name = "web-1", "web-2"
	client := fake.NewClientset(web1, web2, nodeA())
	authorizer(client)
	r := runCommand(t, client, "", "web-1", "web-2", "--image=busybox:1.36", "-c", "dbg", "--logs", "--check")
	if r.err != nil {
		t.Fatalf("unexpected error: %v", r.err)
	}
	if diff := cmp.Diff([]string{"test: get pods/log", "test: patch pods/ephemeralcontainers"}, reviewsOf(client)); diff != "" {
		t.Errorf("reviews (-want +got):\n%s", diff)
	}
	want := `pod/web-1: would succeed
  allowed: patch pods/ephemeralcontainers in namespace test
  allowed: get pods/log in namespace test
  admitted by the server (dry run)
  image busybox:1.36: not checked: node node-a reports no images
pod/web-2: would succeed
  allowed: patch pods/ephemeralcontainers in namespace test
  allowed: get pods/log in namespace test
  admitted by the server (dry run)
  image busybox:1.36: not checked: node node-a reports no images
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// A copy and a node pod need create, and delete with --rm; a target that cannot be
// found fails the check by itself.
func TestCheckCopyNodeAndMissing(t *testing.T) {
	client := fake.NewClientset(appPod(), nodeWithImages("docker.io/library/busybox:1.36"))
	authorizer(client, "delete pods")
	r := runCommand(t, client, "", "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--same-node",
		"-i", "--rm", "--check")
	want := `pod/app: would fail
  allowed: create pods in namespace test
  forbidden: delete pods in namespace test
  allowed: create pods/attach in namespace test
  admitted by the server (dry run)
  image busybox:1.36: present on node node-a
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("copy report (-want +got):\n%s", diff)
	}

	client = fake.NewClientset(nodeWithImages("docker.io/library/busybox:1.36"))
	authorizer(client)
	r = runCommand(t, client, "", "node/node-a", "--image=busybox:latest", "--check")
	want = `node/node-a: would succeed
  allowed: create pods in namespace test
  admitted by the server (dry run)
  image busybox:latest: not checked: pulled on every start (imagePullPolicy Always)
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("node report (-want +got):\n%s", diff)
	}
	if r.err != nil {
		t.Errorf("node: unexpected error: %v", r.err)
	}

	client = fake.NewClientset(appPod())
	authorizer(client)
	r = runCommand(t, client, "", "app", "gone", "--image=busybox:1.36", "-c", "dbg", "--check")
	want = `pod/app: would succeed
  allowed: patch pods/ephemeralcontainers in namespace test
  admitted by the server (dry run)
  image busybox:1.36: not checked: node node-a could not be read: nodes "node-a" not found
pod/gone: would fail: pods "gone" not found
`
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("missing pod report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("1 of 2 targets would fail", errString(r.err)); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestCheckRefusedWith(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dry-run=client"}, "--check already sends nothing but server dry runs: drop --dry-run"},
		{[]string{"--dry-run=server"}, "--check already sends nothing but server dry runs: drop --dry-run"},
		{[]string{"-o", "yaml"}, "--check prints its own report: drop -o/--output"},
	} {
		client := fake.NewClientset(appPod())
		args := append([]string{"app", "--image=busybox:1.36", "--check"}, tc.args...)
		r := runCommand(t, client, "", args...)
		if diff := cmp.Diff(tc.want, errString(r.err)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tc.args, diff)
		}
		if len(client.Actions()) != 0 {
			t.Errorf("%v: API calls %v, want none", tc.args, actionsOf(client))
		}
	}
}

// podDryRunsOf lists the dryRun options of the writes to pods, in order.
func podDryRunsOf(client *fake.Clientset) [][]string {
	var got [][]string
	for _, a := range client.Actions() {
		if a.GetResource().Resource != "pods" {
			continue
		}
		switch a := a.(type) {
		case k8stesting.PatchActionImpl:
			got = append(got, a.GetPatchOptions().DryRun)
		case k8stesting.CreateActionImpl:
			got = append(got, a.GetCreateOptions().DryRun)
		case k8stesting.DeleteActionImpl:
			got = append(got, a.GetDeleteOptions().DryRun)
		}
	}
	return got
}

// errorString is an error with a fixed message.
type errorString string

func (e errorString) Error() string { return string(e) }
