package customprofile

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/utils/ptr"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
)

// debugContainers are containers a profile is merged onto: bare, as the profiles leave
// them, and as a copy's edited container with lists of every kind.
func debugContainers() []corev1.Container {
	return []corev1.Container{
		{Name: "dbg", Image: "busybox:1.36"},
		{
			Name: "dbg", Image: "busybox:1.36", Command: []string{"sh"}, Args: []string{"-c", "date"}, Stdin: true,
			Env:             []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}, {Name: "C", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
			VolumeMounts:    []corev1.VolumeMount{{Name: "data", MountPath: "/data"}, {Name: "host-root", MountPath: "/host"}},
			Ports:           []corev1.ContainerPort{{ContainerPort: 80, Name: "http"}, {ContainerPort: 443}},
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_PTRACE"}, Drop: []corev1.Capability{"ALL"}}},
			EnvFrom:         []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}},
		},
	}
}

// directivePatches exercise each directive and list strategy.
var directivePatches = []string{
	`{"env": [{"name": "B", "value": "two"}, {"name": "D", "value": "4"}]}`,
	`{"env": [{"name": "D", "value": "4"}, {"name": "A", "value": "one"}]}`,
	`{"env": [{"$patch": "delete", "name": "A"}, {"name": "E", "value": "5"}]}`,
	`{"env": [{"$patch": "replace"}, {"name": "Z", "value": "26"}, {"name": "Y"}]}`,
	`{"env": [{"name": "C", "valueFrom": null, "value": "plain"}]}`,
	`{"env": [{"name": "B", "value": "x"}, {"name": "A"}], "$setElementOrder/env": [{"name": "C"}, {"name": "B"}, {"name": "A"}]}`,
	`{"$setElementOrder/env": [{"name": "C"}, {"name": "A"}, {"name": "B"}]}`,
	`{"$setElementOrder/env": [{"name": "N"}, {"name": "A"}], "env": [{"name": "N", "value": "new"}]}`,
	`{"volumeMounts": [{"mountPath": "/data", "name": "data", "readOnly": true}, {"mountPath": "/tmp", "name": "tmp"}]}`,
	`{"volumeMounts": [{"mountPath": "/data", "$patch": "delete"}]}`,
	`{"ports": [{"containerPort": 8080}, {"containerPort": 80, "name": "web"}]}`,
	`{"securityContext": {"$patch": "replace", "runAsUser": 0}}`,
	`{"securityContext": {"$patch": "delete"}}`,
	`{"securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": null}, "privileged": null}}`,
	`{"securityContext": {"$retainKeys": ["runAsUser"], "runAsUser": 1000}}`,
	`{"$deleteFromPrimitiveList/args": ["date"], "stdin": false}`,
	`{"args": ["a", "b"], "envFrom": [{"secretRef": {"name": "s"}}]}`,
	`{"env": null, "workingDir": "/w", "resources": {"limits": {"cpu": "1"}}}`,
	`{"env": [{"name": "A", "value": "1"}, {"name": "A", "value": "again"}]}`,
	`{"securityContext": {"runAsUser": 9007199254740993}}`,
	`{"securityContext": {"$patch": "replace", "capabilities": {"$patch": "replace", "add": ["NET_ADMIN"]}}}`,
	`{"securityContext": {"$patch": "replace", "capabilities": {"$patch": "delete"}}}`,
}

// A list the patch sets is set before values are deleted from it, every time: the
// order of a map's keys decides nothing.
func TestMergeIsDeterministic(t *testing.T) {
	p := mustParse(t, "p.json", `{"$deleteFromPrimitiveList/args": ["date"], "args": ["date", "y"]}`)
	for range 50 {
		c := debugContainers()[1]
		if err := mergeInto(&c, p.containerPatch); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"y"}, c.Args); diff != "" {
			t.Fatalf("args (-want +got):\n%s", diff)
		}
	}
}

// The merge has strategicpatch's semantics: for every profile and container, the two
// give the same container.
func TestMergeMatchesStrategicPatch(t *testing.T) {
	patches := append([]string{}, directivePatches...)
	patches = append(patches, fuzzSeeds...)
	for _, in := range cataloguetest.Containers {
		patches = append(patches, in.Content)
	}
	compared := 0
	for _, doc := range patches {
		p, err := Parse("p.yaml", []byte(doc))
		if err != nil || p.containerPatch == nil {
			continue
		}
		for i, c := range debugContainers() {
			ours, theirs, ok := mergeBoth(t, c, p.containerPatch)
			if !ok {
				continue
			}
			compared++
			if !equality.Semantic.DeepEqual(ours, theirs) {
				t.Errorf("container %d, patch %s (-strategicpatch +ours):\n%s", i, p.containerPatch, cmp.Diff(theirs, ours))
			}
		}
	}
	if compared < 40 {
		t.Errorf("only %d merges compared", compared)
	}
}

// mergeBoth merges patch onto c with our merge and with strategicpatch; ok is false when
// strategicpatch refuses or crashes on the patch.
func mergeBoth(t *testing.T, c corev1.Container, patch []byte) (ours, theirs corev1.Container, ok bool) {
	t.Helper()
	original, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	theirsJSON, err := func() (out []byte, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return strategicpatch.StrategicMergePatch(original, patch, corev1.Container{})
	}()
	if err != nil {
		return ours, theirs, false
	}
	if err := json.Unmarshal(theirsJSON, &theirs); err != nil {
		return ours, theirs, false
	}
	ours = c
	if err := mergeInto(&ours, patch); err != nil {
		t.Errorf("patch %s: strategicpatch merges it, ours fails: %v", patch, err)
		return ours, theirs, false
	}
	return ours, theirs, true
}

// FuzzMergeMatchesStrategicPatch: whatever profile is accepted, our merge and
// strategicpatch agree on the container, where strategicpatch can merge it at all.
func FuzzMergeMatchesStrategicPatch(f *testing.F) {
	for _, seed := range append(directivePatches, fuzzSeeds...) {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.json", data)
		if err != nil || p.containerPatch == nil {
			return
		}
		for _, c := range debugContainers() {
			ours, theirs, ok := mergeBoth(t, c, p.containerPatch)
			if ok && !equality.Semantic.DeepEqual(ours, theirs) {
				t.Fatalf("patch %s (-strategicpatch +ours):\n%s", p.containerPatch, cmp.Diff(theirs, ours))
			}
		}
	})
}

// BenchmarkMergeEnv sets the merge beside strategicpatch on the same container and
// patch: N variables, a patch of N, half of them new. strategicpatch matches keyed list
// entries by scanning the list, so its cost grows with N squared.
func BenchmarkMergeEnv(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		c := corev1.Container{Name: "dbg", Image: "busybox", Env: make([]corev1.EnvVar, n)}
		for i := range c.Env {
			c.Env[i] = corev1.EnvVar{Name: fmt.Sprintf("VAR_%d", i), Value: "old"}
		}
		patch := make([]corev1.EnvVar, n)
		for i := range patch {
			patch[i] = corev1.EnvVar{Name: fmt.Sprintf("VAR_%d", i+n/2), Value: "new"}
		}
		patchJSON, err := json.Marshal(map[string]any{"env": patch})
		if err != nil {
			b.Fatal(err)
		}
		original, err := json.Marshal(c)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("ours/env=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				merged := c
				merged.Env = slices.Clone(c.Env)
				if err := mergeInto(&merged, patchJSON); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("strategicpatch/env=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := strategicpatch.StrategicMergePatch(original, patchJSON, corev1.Container{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
