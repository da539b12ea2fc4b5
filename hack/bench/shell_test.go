package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		d := make([]time.Duration, len(v))
		for i := range v {
			d[i] = time.Duration(v[i]) * time.Millisecond
		}
		return d
	}
	ten := ms(10, 1, 9, 2, 8, 3, 7, 4, 6, 5)
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"p50 of 10 is the 5th", ten, 50, 5 * time.Millisecond},
		{"p90 of 10 is the 9th", ten, 90, 9 * time.Millisecond},
		{"p100 is the largest", ten, 100, 10 * time.Millisecond},
		{"p50 of 11 is the 6th", ms(11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6), 50, 6 * time.Millisecond},
		{"p90 of 11 is the 10th", ms(11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6), 90, 10 * time.Millisecond},
		{"a tiny p is the smallest", ten, 1, 1 * time.Millisecond},
		{"one sample", ms(3), 90, 3 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.samples, tc.p); got != tc.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tc.samples, tc.p, got, tc.want)
			}
		})
	}
	// The samples are left as they were.
	if diff := cmp.Diff(ms(10, 1, 9, 2, 8, 3, 7, 4, 6, 5), ten); diff != "" {
		t.Errorf("samples changed (-want +got):\n%s", diff)
	}
}

func TestRotate(t *testing.T) {
	got := map[int][]string{}
	for run := -1; run < 4; run++ {
		got[run] = rotate(shellTools, run)
	}
	want := map[int][]string{
		-1: {"floor", "ours", "upstream"},
		0:  {"ours", "upstream", "floor"},
		1:  {"upstream", "floor", "ours"},
		2:  {"floor", "ours", "upstream"},
		3:  {"ours", "upstream", "floor"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rotate (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ours", "upstream", "floor"}, shellTools); diff != "" {
		t.Errorf("shellTools changed (-want +got):\n%s", diff)
	}
}

func TestShellDebugArgs(t *testing.T) {
	got := map[string][]string{}
	for _, mode := range shellModes {
		got[mode] = shellDebugArgs(mode, "bench", "kd-real-node", shellRunName("ours", 3))
	}
	want := map[string][]string{
		"ephemeral": {"-n", "bench", "shell-ours-3", "-it", "--image=busybox:1.36", "--target=main", "--container=dbg"},
		"copy":      {"-n", "bench", "shell-source", "-it", "--image=busybox:1.36", "--copy-to=shell-copy-ours-3", "--container=dbg"},
		"node":      {"-n", "bench", "node/kd-real-node", "-it", "--image=busybox:1.36"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shellDebugArgs (-want +got):\n%s", diff)
	}
	if got, want := shellRunName("floor", -1), "floor-warmup"; got != want {
		t.Errorf("shellRunName of the warm-up = %q, want %q", got, want)
	}
}

func TestShellFloorArgs(t *testing.T) {
	got := map[string][]string{}
	for _, mode := range shellModes {
		got[mode] = shellFloorArgs("shellfloor", mode, "bench", "obj.json")
	}
	want := map[string][]string{
		"ephemeral": {"shellfloor", "-n", "bench", "-f", "obj.json", "-mode", "ephemeral", "-c", "dbg"},
		"copy":      {"shellfloor", "-n", "bench", "-f", "obj.json", "-mode", "pod", "-c", "dbg"},
		"node":      {"shellfloor", "-n", "bench", "-f", "obj.json", "-mode", "pod"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shellFloorArgs (-want +got):\n%s", diff)
	}
}

func TestShellPod(t *testing.T) {
	container := []any{map[string]any{
		"name": "main", "image": "busybox:1.36", "imagePullPolicy": "Never",
		"command": []string{"sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"},
	}}
	for _, tc := range []struct {
		name   string
		source bool
		want   map[string]any
	}{
		{"ephemeral target, bound to the node", false, map[string]any{
			"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p"},
			"spec": map[string]any{"terminationGracePeriodSeconds": 1, "containers": container, "nodeName": "n"},
		}},
		{"copy source, placed by the scheduler", true, map[string]any{
			"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p"},
			"spec": map[string]any{
				"terminationGracePeriodSeconds": 1, "containers": container, "restartPolicy": "Never",
				"nodeSelector": map[string]string{"kubernetes.io/hostname": "n"},
				"tolerations":  []any{map[string]string{"key": "t", "operator": "Exists", "effect": "NoSchedule"}},
			},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, shellPod("p", "n", "t", tc.source)); diff != "" {
				t.Errorf("shellPod (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShellGoalLine(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		ours, upstream, floor time.Duration
		want                  string
	}{
		{"both met", 600 * time.Millisecond, 1000 * time.Millisecond, 500 * time.Millisecond,
			"goal (copy): ours <= 0.6x upstream p50 and <= 1.3x floor p50: 0.60x and 1.20x, met"},
		{"upstream bound missed", 610 * time.Millisecond, 1000 * time.Millisecond, 500 * time.Millisecond,
			"goal (copy): ours <= 0.6x upstream p50 and <= 1.3x floor p50: 0.61x and 1.22x, NOT met"},
		{"floor bound missed", 600 * time.Millisecond, 2000 * time.Millisecond, 400 * time.Millisecond,
			"goal (copy): ours <= 0.6x upstream p50 and <= 1.3x floor p50: 0.30x and 1.50x, NOT met"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shellGoalLine("copy", tc.ours, tc.upstream, tc.floor); got != tc.want {
				t.Errorf("shellGoalLine =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
