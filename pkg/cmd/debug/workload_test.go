package debug

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// webPod is a pod of the web workload (labels app=web) in the given state.
func webPod(name string, phase corev1.PodPhase, ready bool, created time.Time) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "test", Labels: map[string]string{"app": "web"}, CreationTimestamp: metav1.NewTime(created)},
		Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "main", Image: "nginx"}}},
		Status:     corev1.PodStatus{Phase: phase},
	}
	if ready {
		pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(created)}}
	}
	return pod
}

// webWorkloads are one workload of each kind called web, selecting app=web.
func webWorkloads() []runtime.Object {
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	meta := metav1.ObjectMeta{Name: "web", Namespace: "test"}
	return []runtime.Object{
		&appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Selector: selector}},
		&appsv1.ReplicaSet{ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Selector: selector}},
		&appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{Selector: selector}},
		&appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Selector: selector}},
		&batchv1.Job{ObjectMeta: meta, Spec: batchv1.JobSpec{Selector: selector}},
		&corev1.ReplicationController{ObjectMeta: meta, Spec: corev1.ReplicationControllerSpec{Selector: map[string]string{"app": "web"}}},
		&corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}}},
	}
}

func TestWorkloadTargetsChooseAPod(t *testing.T) {
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pods := []runtime.Object{
		webPod("web-pending", corev1.PodPending, false, old.Add(-time.Hour)),
		webPod("web-unready", corev1.PodRunning, false, old.Add(-2*time.Hour)),
		webPod("web-new", corev1.PodRunning, true, old.Add(time.Hour)),
		webPod("web-old", corev1.PodRunning, true, old),
		// Another app's pod, which no selector matches.
		func() *corev1.Pod {
			p := webPod("db", corev1.PodRunning, true, old)
			p.Labels = map[string]string{"app": "db"}
			return p
		}(),
	}
	kinds := []struct{ arg, resource, group string }{
		{"deployment/web", "deployments", "apps"},
		{"deploy/web", "deployments", "apps"},
		{"rs/web", "replicasets", "apps"},
		{"statefulset/web", "statefulsets", "apps"},
		{"ds/web", "daemonsets", "apps"},
		{"jobs.batch/web", "jobs", "batch"},
		{"rc/web", "replicationcontrollers", ""},
		{"svc/web", "services", ""},
	}
	for _, k := range kinds {
		t.Run(k.arg, func(t *testing.T) {
			client := fake.NewClientset(append(webWorkloads(), pods...)...)
			r := runCommand(t, client, "", k.arg, "--image=busybox:1.36", "-c", "dbg")
			if r.err != nil {
				t.Fatal(r.err)
			}
			// Running and ready first; of two ready since different times, the one ready
			// longest, as kubectl attach and logs choose.
			assertActions(t, client, []action{
				{"get", k.resource, "", "test", "web"},
				{"list", "pods", "", "test", ""},
				{"patch", "pods", "ephemeralcontainers", "test", "web-old"},
			})
			kind := workloadByResource(k.arg[:len(k.arg)-len("/web")]).singular
			want := fmt.Sprintf("Found 4 pods for %s/web, using pod/web-old.\n", kind)
			if r.stdout != want {
				t.Errorf("stdout = %q, want %q", r.stdout, want)
			}
			list := client.Actions()[1].(k8stesting.ListAction)
			if got := list.GetListRestrictions().Labels.String(); got != "app=web" {
				t.Errorf("pods listed with selector %q, want app=web", got)
			}
		})
	}
}

func TestWorkloadWithOnePod(t *testing.T) {
	client := fake.NewClientset(append(webWorkloads(), webPod("web-1", corev1.PodRunning, true, time.Now()))...)
	r := runCommand(t, client, "", "deployment/web", "--image=busybox:1.36", "-c", "dbg", "--copy-to=web-copy")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "Using pod/web-1 of deployment/web.\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	assertActions(t, client, []action{
		{"get", "deployments", "", "test", "web"},
		{"list", "pods", "", "test", ""},
		{"create", "pods", "", "test", "web-copy"},
	})
}

func TestWorkloadErrors(t *testing.T) {
	noSelector := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "external", Namespace: "test"}}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no pods within the timeout", []string{"deployment/web", "--pod-running-timeout=50ms"},
			"deployment/web has no pods: none matched its selector app=web within 50ms (--pod-running-timeout)"},
		{"missing workload", []string{"sts/ghost"}, `statefulsets.apps "ghost" not found`},
		{"service without selector", []string{"svc/external"}, "service/external: it has no selector, so it has no pods to debug"},
		{"zero timeout", []string{"deployment/web", "--pod-running-timeout=0s"}, "--pod-running-timeout must be higher than zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(append(webWorkloads(), noSelector)...)
			r := runCommand(t, client, "", append(tt.args, "--image=busybox:1.36")...)
			if got := errString(r.err); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			for _, a := range client.Actions() {
				if a.GetVerb() == "patch" || a.GetVerb() == "create" {
					t.Errorf("a write was sent: %v", a)
				}
			}
		})
	}
}

// The pod a workload stands for may have completed (a finished job): kubectl attach
// refuses it, and so does an ephemeral container, which would never start. A copy of it
// runs, and a completed pod named directly gets its container, as kubectl debug sends it.
func TestWorkloadCompletedPod(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, phase := range []corev1.PodPhase{corev1.PodSucceeded, corev1.PodFailed} {
		t.Run(string(phase), func(t *testing.T) {
			objects := append(webWorkloads(), webPod("web-done", phase, false, created))

			client := fake.NewClientset(objects...)
			r := runCommand(t, client, "", "job/web", "--image=busybox:1.36", "-c", "dbg")
			want := fmt.Sprintf(`cannot add a debug container to pod "web-done" of job/web: the pod has completed (phase %s), so the container would never start; --copy-to debugs a copy of it`, phase)
			if got := errString(r.err); got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			assertActions(t, client, []action{{"get", "jobs", "", "test", "web"}, {"list", "pods", "", "test", ""}})
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}

			client = fake.NewClientset(objects...)
			r = runCommand(t, client, "", "job/web", "--image=busybox:1.36", "-c", "dbg", "--copy-to=web-copy")
			if r.err != nil {
				t.Fatal(r.err)
			}
			assertActions(t, client, []action{{"get", "jobs", "", "test", "web"}, {"list", "pods", "", "test", ""}, {"create", "pods", "", "test", "web-copy"}})

			client = fake.NewClientset(objects...)
			r = runCommand(t, client, "", "web-done", "--image=busybox:1.36", "-c", "dbg")
			if r.err != nil {
				t.Fatal(r.err)
			}
			assertActions(t, client, []action{{"get", "pods", "", "test", "web-done"}, {"patch", "pods", "ephemeralcontainers", "test", "web-done"}})
		})
	}
}

// A workload whose pod appears while the command waits gets that pod.
func TestWorkloadWaitsForAPod(t *testing.T) {
	client := fake.NewClientset(webWorkloads()...)
	watcher := watch.NewFake()
	client.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(watcher, nil))
	go watcher.Add(webPod("web-late", corev1.PodPending, false, time.Now()))
	r := runCommand(t, client, "", "deployment/web", "--image=busybox:1.36", "-c", "dbg", "--dry-run=client")
	if r.err != nil {
		t.Fatal(r.err)
	}
	assertActions(t, client, []action{
		{"get", "deployments", "", "test", "web"},
		{"list", "pods", "", "test", ""},
		{"watch", "pods", "", "test", ""},
	})
	if want := "Using pod/web-late of deployment/web.\n"; r.stdout[:len(want)] != want {
		t.Errorf("stdout = %q, want it to start with %q", r.stdout, want)
	}
}
