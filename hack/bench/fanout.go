package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// createPods makes a fresh namespace holding n pods labelled app=label, bound to the
// node no kubelet runs, so nothing changes them; the reference kubectl creates them from
// Lists of at most 500, the way hack/bench.sh creates its own pods.
func (b *bench) createPods(namespace string, n int, label string) error {
	kc := func(args ...string) error {
		out, err := exec.Command(b.kubectl, append([]string{"--kubeconfig=" + b.kubeconfig}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := kc("create", "namespace", namespace); err != nil {
		return err
	}
	// Pods are refused until the controller-manager has given the namespace its
	// ServiceAccount.
	if err := kc("wait", "--for=create", "serviceaccount/default", "-n", namespace, "--timeout=30s"); err != nil {
		return err
	}
	return b.addPods(namespace, 0, n, label)
}

// addPods creates pods app-first..app-(first+n-1) labelled app=label in namespace.
func (b *bench) addPods(namespace string, first, n int, label string) error {
	const chunk = 500
	for start := first; start < first+n; start += chunk {
		end := min(start+chunk, first+n)
		items := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			items = append(items, map[string]any{
				"apiVersion": "v1",
				"kind":       "Pod",
				"metadata":   map[string]any{"name": fmt.Sprintf("app-%d", i), "labels": map[string]string{"app": label}},
				"spec": map[string]any{
					"nodeName": b.node,
					"containers": []any{map[string]any{
						"name": "main", "image": "busybox:1.36", "command": []string{"sleep", "3600"},
					}},
				},
			})
		}
		list, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
		if err != nil {
			return fmt.Errorf("encoding the pod list: %w", err)
		}
		cmd := exec.Command(b.kubectl, "--kubeconfig="+b.kubeconfig, "create", "-n", namespace, "-f", "-")
		cmd.Stdin = bytes.NewReader(list)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("creating pods in %s: %w\n%s", namespace, err, out)
		}
	}
	return nil
}

// fanSample is one fan-out run: for the upstream loop, wall is the whole loop's, cpu the
// sum of its calls' and rssKiB the largest of their peaks.
type fanSample struct {
	measured
	requests requests
}

// fanout measures the ephemeral debug of n pods: ours in one call with -l, the floor
// program, and upstream in a loop of one call per pod, each run on fresh pods in a
// namespace of its own. Ours and the floor alternate, each first every other run.
func (b *bench) fanout(n, runs, upstreamRuns int) {
	// The upstream loop runs with the warm discovery cache of the warm single rows.
	b.warm()
	results := map[string][]fanSample{}
	for i := range max(runs, upstreamRuns) {
		if i < runs {
			ours := func() {
				results["ours"] = append(results["ours"], b.fanRun(fmt.Sprintf("fan-ours-%d", i), n, func(ns string) (fanSample, error) {
					m, err := measure([]string{b.ours, "--cache-dir=" + filepath.Join(b.warmDir, "ours"), "-n", ns, "-l", "app=fan",
						"--image=busybox:1.36", "--attach=false", "-c", "dbg", "-q"}, b.kubeconfig, io.Discard)
					return fanSample{measured: m}, err
				}))
			}
			floor := func() {
				results["floor"] = append(results["floor"], b.fanRun(fmt.Sprintf("fan-floor-%d", i), n, func(ns string) (fanSample, error) {
					m, err := measure([]string{b.floor, "-kubeconfig", b.kubeconfig, "-n", ns, "-l", "app=fan",
						"-image", "busybox:1.36", "-c", "dbg"}, b.kubeconfig, io.Discard)
					return fanSample{measured: m}, err
				}))
			}
			// Each goes first every other run: whatever the previous run leaves the
			// server to finish falls on both alike.
			if i%2 == 0 {
				ours()
				floor()
			} else {
				floor()
				ours()
			}
		}
		if i < upstreamRuns {
			results["upstream"] = append(results["upstream"], b.fanRun(fmt.Sprintf("fan-upstream-%d", i), n, func(ns string) (fanSample, error) {
				// One call after another, as a shell loop would make them.
				var s fanSample
				start := time.Now()
				for p := range n {
					m, err := measure([]string{b.upstream, "debug", "--cache-dir=" + filepath.Join(b.warmDir, "upstream"),
						fmt.Sprintf("app-%d", p), "--image=busybox:1.36", "--attach=false", "-c", "dbg", "-q", "-n", ns},
						b.kubeconfig, io.Discard)
					if err != nil {
						return s, err
					}
					s.cpu += m.cpu
					s.rssKiB = max(s.rssKiB, m.rssKiB)
				}
				s.wall = time.Since(start)
				return s, nil
			}))
		}
	}
	b.reportFanout(n, runs, upstreamRuns, results)
}

// fanRun prepares n fresh pods in namespace, then measures one run over them and checks
// that it patched every pod. The namespace is left to the cluster's teardown: without a
// namespace controller, deleting it would not remove its pods anyway.
func (b *bench) fanRun(namespace string, n int, do func(namespace string) (fanSample, error)) fanSample {
	check(b.createPods(namespace, n, "fan"))
	start, err := quietOffset(b.audit)
	check(err)
	// The server gets to finish whatever the burst of creates left it before the
	// measured run starts, so that work is not charged to the run.
	time.Sleep(500 * time.Millisecond)
	s, err := do(namespace)
	check(err)
	s.requests, err = settledRequests(b.audit, start)
	check(err)
	if s.requests.byVerb["patch"] != n || s.requests.failed > 0 {
		check(fmt.Errorf("%s: expected %d successful patches, audit log has %s, %d failed",
			namespace, n, s.requests.breakdown(), s.requests.failed))
	}
	return s
}

func (b *bench) reportFanout(n, runs, upstreamRuns int, results map[string][]fanSample) {
	fmt.Printf("\nfan-out: ephemeral debug of %d pods; %d runs of ours and of the floor, %d of the upstream loop\n\n",
		n, runs, upstreamRuns)
	type agg struct {
		wall, cpu time.Duration
		rss       int64
		req       requests
	}
	summary := map[string]agg{}
	for name, s := range results {
		walls := make([]time.Duration, len(s))
		cpus := make([]time.Duration, len(s))
		rss := make([]int64, len(s))
		for i := range s {
			walls[i], cpus[i], rss[i] = s[i].wall, s[i].cpu, s[i].rssKiB
		}
		// Every run of a tool makes the same requests; the last one stands for them.
		summary[name] = agg{median(walls), median(cpus), median(rss), s[len(s)-1].requests}
	}
	o, f, u := summary["ours"], summary["floor"], summary["upstream"]
	label := map[string]string{
		"ours":     "ours (-l, one call)",
		"floor":    "floor (client-go)",
		"upstream": fmt.Sprintf("upstream (loop of %d)", n),
	}
	header := []string{"tool", "median wall", "client CPU", "peak RSS", "requests"}
	var rows [][]string
	for _, name := range []string{"ours", "floor", "upstream"} {
		a := summary[name]
		rows = append(rows, []string{label[name], ms(a.wall), ms(a.cpu), mib(a.rss), fmt.Sprintf("%d (%s)", a.req.total, a.req.breakdown())})
	}
	rows = append(rows,
		[]string{"ours/upstream loop", ratio(o.wall, u.wall), ratio(o.cpu, u.cpu), ratio(o.rss, u.rss), ratio(o.req.total, u.req.total)},
		[]string{"ours/floor", ratio(o.wall, f.wall), ratio(o.cpu, f.cpu), ratio(o.rss, f.rss), ratio(o.req.total, f.req.total)},
	)
	b.table(header, rows)
	speedup := float64(u.wall) / float64(o.wall)
	overFloor := float64(o.wall) / float64(f.wall)
	fmt.Printf("\ngoal: at least 25x less wall time than the upstream loop: %.1fx, %s\n", speedup, verdict(speedup >= 25))
	fmt.Printf("goal: within 1.25x of the floor's wall time: %.2fx, %s\n", overFloor, verdict(overFloor <= 1.25))
}
