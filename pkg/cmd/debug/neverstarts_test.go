package debug

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-debugger/kubectl-debugger/internal/podutil"
)

func waitingOn(reason, message string) corev1.ContainerState {
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
}

func TestNeverStarts(t *testing.T) {
	unschedulable := debugState("app-copy", corev1.ContainerState{})
	unschedulable.Status.ContainerStatuses = nil
	unschedulable.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
		Message: "0/3 nodes are available: 3 Insufficient memory."}}
	ended := debugState("app-copy", waitingOn("", ""))
	ended.Status.Phase = corev1.PodSucceeded
	endedWithEphemeral := appPod()
	endedWithEphemeral.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg"}}}
	endedWithEphemeral.Status.Phase = corev1.PodFailed
	endedWithEphemeral.Status.Reason = "DeadlineExceeded"
	endedWithEphemeral.Status.Message = "Pod was active on the node longer than the specified deadline"
	tests := []struct {
		name string
		pod  *corev1.Pod
		want string
	}{
		{"never pull", debugState("app-copy", waitingOn("ErrImageNeverPull", `Container image "nginx:9" is not present with pull policy of Never`)),
			"container \"dbg\" of pod \"app-copy\" will not start: ErrImageNeverPull: Container image \"nginx:9\" is not present with pull policy of Never\n" +
				"The image is not on the node and --image-pull-policy=Never forbids pulling it: use IfNotPresent, or an image the node has."},
		{"invalid image", debugState("app-copy", waitingOn("InvalidImageName", `Failed to apply default image tag "Nginx": couldn't parse image name`)),
			"container \"dbg\" of pod \"app-copy\" will not start: InvalidImageName: Failed to apply default image tag \"Nginx\": couldn't parse image name\n" +
				"The kubelet cannot parse the image reference: check --image, or with --copy-to the image the copy keeps from the pod, which --set-image replaces."},
		{"root image, non-root required", debugState("app-copy", waitingOn("CreateContainerConfigError", "container has runAsNonRoot and image will run as root (pod: \"app-copy_test(uid)\", container: dbg)")),
			"container \"dbg\" of pod \"app-copy\" will not start: CreateContainerConfigError: container has runAsNonRoot and image will run as root (pod: \"app-copy_test(uid)\", container: dbg)\n" +
				"The container must run as non-root and its image does not say a numeric non-root user: --run-as=target runs it as the target's user (or --run-as=UID), or choose a --profile that allows root."},
		{"missing config map", debugState("app-copy", waitingOn("CreateContainerConfigError", `configmap "settings" not found`)),
			"container \"dbg\" of pod \"app-copy\" will not start: CreateContainerConfigError: configmap \"settings\" not found\n" +
				"The kubelet cannot build the container's configuration: check what --custom or the pod refers to (a ConfigMap, a Secret, a volume)."},
		{"runtime refusal", debugState("app-copy", waitingOn("CreateContainerError", `exec: "bash": executable file not found in $PATH`)),
			"container \"dbg\" of pod \"app-copy\" will not start: CreateContainerError: exec: \"bash\": executable file not found in $PATH\n" +
				"The container runtime refused to create the container: check the image's entrypoint and the command after --."},
		{"unschedulable", unschedulable,
			"container \"dbg\" of pod \"app-copy\" will not start: Unschedulable: 0/3 nodes are available: 3 Insufficient memory.\n" +
				"No node can take the pod as it is: free a node, or with --copy-to use --same-node or a --custom profile that fits."},
		{"copy ended", ended,
			"container \"dbg\" of pod \"app-copy\" will not start: the pod has ended: phase Succeeded\n" +
				"The debugging pod ended before its container started: with --copy-to, the copy keeps the pod's spec (its activeDeadlineSeconds, its restart policy), which a --custom profile's pod section can change."},
		{"pod of an ephemeral container ended", endedWithEphemeral,
			"container \"dbg\" of pod \"app\" will not start: the pod has ended: phase Failed, DeadlineExceeded: Pod was active on the node longer than the specified deadline\n" +
				"A pod that has ended starts no container: debug a copy of it with --copy-to."},
		{"still creating", debugState("app-copy", waitingOn("ContainerCreating", "")), ""},
		{"pulling fails, may recover", debugState("app-copy", waitingOn("ImagePullBackOff", `Back-off pulling image "nginx:9"`)), ""},
		{"no status yet", func() *corev1.Pod { p := debugState("app-copy", running); p.Status.ContainerStatuses = nil; return p }(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := neverStarts(tt.pod, "dbg", podutil.Status(tt.pod, "dbg")); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// sessionWith runs an attached --rm copy session whose container the watch reports in
// state, and returns the result and the client.
func sessionWith(t *testing.T, state corev1.ContainerState, args ...string) (result, *fake.Clientset) {
	t.Helper()
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go watcher.Modify(debugState("app-copy", state))
	attached := false
	r := newHarness(t, withAttach(func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error { attached = true; return nil })).
		run(client, append([]string{"app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "--rm", "-i"}, args...)...)
	if attached {
		t.Error("attached to a container that never started")
	}
	return r, client
}

// A container that will never start ends the wait at once, with exit status 1 and the
// kubelet's reason; a pull that keeps failing is waited for up to --pod-running-timeout
// after it first fails, then ends with the pull's error. --rm deletes the copy either way.
func TestWaitEndsWhenTheContainerNeverStarts(t *testing.T) {
	tests := []struct {
		name  string
		state corev1.ContainerState
		args  []string
		want  string
	}{
		{"never pulled", waitingOn("ErrImageNeverPull", `Container image "nginx:9" is not present with pull policy of Never`), nil,
			"container \"dbg\" of pod \"app-copy\" will not start: ErrImageNeverPull: Container image \"nginx:9\" is not present with pull policy of Never\n" +
				"The image is not on the node and --image-pull-policy=Never forbids pulling it: use IfNotPresent, or an image the node has."},
		{"pull keeps failing", waitingOn("ImagePullBackOff", `Back-off pulling image "registry.invalid/x:1"`), []string{"--pod-running-timeout=50ms"},
			"container \"dbg\" of pod \"app-copy\" will not start: ImagePullBackOff: Back-off pulling image \"registry.invalid/x:1\"\n" +
				"The image could not be pulled within --pod-running-timeout (50ms): check --image, the registry and its credentials."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, client := sessionWith(t, tt.state, tt.args...)
			if got := errString(r.err); got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.want)
			}
			if n := deletesOf(client, "app-copy"); n != 1 {
				t.Errorf("%d deletes of the copy, want 1", n)
			}
		})
	}
}

// With --logs over several targets, a container that will never start ends its own
// wait at once, and one whose pull keeps failing ends it --pod-running-timeout after
// the first failure, each named with the kubelet's reason; the others are streamed.
func TestLogsEndForAContainerThatNeverStarts(t *testing.T) {
	tests := []struct {
		name  string
		state corev1.ContainerState
		want  string
	}{
		{"never pulled", waitingOn("ErrImageNeverPull", `Container image "nginx:9" is not present with pull policy of Never`),
			"1 of 2 debug containers failed: pod/web-1/dbg: container \"dbg\" of pod \"web-1\" will not start: ErrImageNeverPull: Container image \"nginx:9\" is not present with pull policy of Never\n" +
				"The image is not on the node and --image-pull-policy=Never forbids pulling it: use IfNotPresent, or an image the node has."},
		{"pull keeps failing", waitingOn("ImagePullBackOff", `Back-off pulling image "registry.invalid/x:1"`),
			"1 of 2 debug containers failed: pod/web-1/dbg: container \"dbg\" of pod \"web-1\" will not start: ImagePullBackOff: Back-off pulling image \"registry.invalid/x:1\"\n" +
				"The image could not be pulled within --pod-running-timeout (50ms): check --image, the registry and its credentials."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := labelledPods("test", 2)
			client := fake.NewClientset(objs...)
			watcher := watch.NewFake()
			client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
			stuck := withDebugState(objs[1].(*corev1.Pod), -1)
			stuck.Status.EphemeralContainerStatuses[0].State = tt.state
			go func() {
				watcher.Modify(withDebugState(objs[0].(*corev1.Pod), -1))
				watcher.Modify(stuck)
				watcher.Modify(withDebugState(objs[0].(*corev1.Pod), 0))
			}()
			r := runCommand(t, client, "", "-l", "app=web", "--image=busybox:1.36", "-c", "dbg", "--logs", "-q", "--pod-running-timeout=50ms")
			if got := errString(r.err); got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.want)
			}
			if !strings.Contains(r.stdout, "[pod/web-0/dbg] fake logs") {
				t.Errorf("stdout = %q, want web-0's logs", r.stdout)
			}
		})
	}
}

// A pull that failed and then got through is no longer bounded: the container that
// starts after --pod-running-timeout is attached to.
func TestWaitForgetsAPullThatGotThrough(t *testing.T) {
	client := fake.NewClientset(appPod())
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go func() {
		watcher.Modify(debugState("app-copy", waitingOn("ErrImagePull", "rpc error: i/o timeout")))
		watcher.Modify(debugState("app-copy", waitingOn("ContainerCreating", "")))
		// Past the 20ms timeout, with the container still being created.
		time.Sleep(100 * time.Millisecond)
		watcher.Modify(debugState("app-copy", running))
	}()
	attached := false
	r := newHarness(t, withAttach(func(context.Context, *corev1.Pod, string, io.Writer, io.Writer) error { attached = true; return nil })).
		run(client, "app", "--image=busybox:1.36", "-c", "dbg", "--copy-to=app-copy", "-i", "-q", "--pod-running-timeout=20ms")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !attached {
		t.Error("not attached to the container that started")
	}
}
