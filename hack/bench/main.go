//go:build ignore

// Compares the project's binary with upstream `kubectl debug` on the local cluster.
// hack/bench.sh prepares the cluster and runs it:
//
//	go run hack/bench/main.go -ours BIN -upstream KUBECTL -kubeconfig FILE -audit FILE -namespace NS -runs N \
//	    -floor BIN -kubectl KUBECTL [-fanout-runs N] [-fanout-upstream-runs N] [-rows single,fanout,memory,scale]
//
// The scale rows need no cluster: go run hack/bench/main.go -ours BIN -rows scale
//
// Four groups of rows, each selectable with -rows:
//
//   - single: ephemeral, copy and node debugs of one target, the two commands interleaved
//     run by run, with a cold and a warm discovery cache. Per mode: the median wall time,
//     the median peak RSS, the API requests per call (from the audit log) and the ratio
//     ours/upstream. Then --help of both, interleaved: the cost of starting alone.
//
// The size of each binary comes first.
//   - fanout: an ephemeral container added to every one of -fanout-pods pods, by ours in
//     one call with -l, by upstream in a loop of one call per pod, and by the floor, a
//     bare client-go program doing the same requests with the same concurrency.
//   - memory: ours' peak RSS with -l over -memory-pods pods against one pod, and the size
//     of the pod list itself.
//   - scale: ours' CPU time and peak RSS for client dry runs of the pods of a -f List
//     (-scale-pods, 1,000, 10,000 and 100,000) with a custom profile of 50 variables,
//     and how the CPU time grows from one size to the next.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

type tool struct {
	name string
	argv []string // the command, before the debug arguments
}

type sample struct {
	wall     time.Duration
	rssKiB   int64
	requests int
}

type key struct{ mode, cache, tool string }

// bench holds what every group of rows needs.
type bench struct {
	ours, upstream, floor, kubectl string
	kubeconfig, audit              string
	namespace, node                string
	warmDir                        string
	tools                          []tool
	warmed                         bool
	markdown                       bool
}

func main() {
	ours := flag.String("ours", "", "the project's binary")
	upstream := flag.String("upstream", "", "upstream kubectl (run as `kubectl debug`)")
	floor := flag.String("floor", "", "the floor program built from hack/bench/floor (fanout and memory rows)")
	kubectl := flag.String("kubectl", "", "kubectl that creates the fan-out pods (default: -upstream)")
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the local cluster")
	audit := flag.String("audit", "", "the apiserver's audit log")
	namespace := flag.String("namespace", "", "namespace holding pods app-0..app-N")
	node := flag.String("node", "node-a", "node to debug, and the node the fan-out pods are bound to")
	runs := flag.Int("runs", 20, "runs per tool, mode and cache state (single rows)")
	fanoutPods := flag.Int("fanout-pods", 200, "pods per fan-out run")
	fanoutRuns := flag.Int("fanout-runs", 5, "fan-out runs of ours and of the floor")
	fanoutUpstreamRuns := flag.Int("fanout-upstream-runs", 1, "fan-out runs of the upstream loop")
	memoryPods := flag.Int("memory-pods", 2000, "pods selected by the memory rows' large call")
	memoryRuns := flag.Int("memory-runs", 3, "runs per memory measurement")
	scalePods := flag.String("scale-pods", "1000,10000,100000", "comma-separated pod counts of the scale rows, smallest first")
	scaleRuns := flag.Int("scale-runs", 3, "runs per size of the scale rows")
	rows := flag.String("rows", "single,fanout,memory,scale", "comma-separated groups of rows to run")
	markdown := flag.Bool("markdown", false, "print Markdown tables")
	flag.Parse()
	groups := strings.Split(*rows, ",")
	for _, g := range groups {
		if !slices.Contains([]string{"single", "fanout", "memory", "scale"}, g) {
			fmt.Fprintf(os.Stderr, "bench: unknown group of rows %q\n", g)
			os.Exit(2)
		}
	}
	sizes, err := podCounts(*scalePods)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: -scale-pods: %v\n", err)
		os.Exit(2)
	}
	needFloor := slices.Contains(groups, "fanout") || slices.Contains(groups, "memory")
	// Every group but scale runs against the cluster.
	needCluster := slices.ContainsFunc(groups, func(g string) bool { return g != "scale" })
	if *ours == "" || (needCluster && (*upstream == "" || *kubeconfig == "" || *audit == "" || *namespace == "")) || *runs < 1 ||
		(needFloor && *floor == "") || *fanoutPods < 1 || *fanoutRuns < 1 || *fanoutUpstreamRuns < 1 ||
		*memoryPods < 1 || *memoryRuns < 1 || *scaleRuns < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *kubectl == "" {
		*kubectl = *upstream
	}

	warmDir, err := os.MkdirTemp("", "bench-warm-cache")
	check(err)
	defer os.RemoveAll(warmDir)
	b := &bench{
		ours: *ours, upstream: *upstream, floor: *floor, kubectl: *kubectl,
		kubeconfig: *kubeconfig, audit: *audit, namespace: *namespace, node: *node,
		warmDir: warmDir, markdown: *markdown,
		tools: []tool{
			{"ours", []string{*ours}},
			{"upstream", []string{*upstream, "debug"}},
		},
	}

	fmt.Printf("machine: %s\n", machine())
	b.sizes()
	if slices.Contains(groups, "single") {
		b.single(*runs)
		b.help(*runs)
	}
	if slices.Contains(groups, "fanout") {
		b.fanout(*fanoutPods, *fanoutRuns, *fanoutUpstreamRuns)
	}
	if slices.Contains(groups, "memory") {
		b.memory(*memoryPods, *memoryRuns)
	}
	if slices.Contains(groups, "scale") {
		b.scale(sizes, *scaleRuns)
	}
}

// warm fills each tool's warm discovery cache once, with a call the measurements do not
// count.
func (b *bench) warm() {
	if b.warmed {
		return
	}
	for _, t := range b.tools {
		dir := filepath.Join(b.warmDir, t.name)
		_, err := run(t, b.kubeconfig, dir, b.audit, []string{"-n", b.namespace, "app-warmup", "--image=busybox:1.36", "--attach=false", "-q"})
		check(err)
	}
	b.warmed = true
}

// single measures the debugs of one target: ephemeral, copy and node, cold and warm.
func (b *bench) single(runs int) {
	modes := []string{"ephemeral", "copy", "node"}
	caches := []string{"cold", "warm"}
	results := map[key][]sample{}
	pod := 0
	var err error
	for _, cache := range caches {
		// Warm caches are filled once per tool before measuring.
		if cache == "warm" {
			b.warm()
		}
		for i := 0; i < runs; i++ {
			for _, mode := range modes {
				for _, t := range b.tools {
					cacheDir := filepath.Join(b.warmDir, t.name)
					if cache == "cold" {
						cacheDir, err = os.MkdirTemp("", "bench-cold-cache")
						check(err)
					}
					var args []string
					switch mode {
					case "ephemeral":
						// A pod of its own per run, so every patch starts from the same pod.
						args = []string{fmt.Sprintf("app-%d", pod), "--image=busybox:1.36", "-c", "dbg"}
						pod++
					case "copy":
						args = []string{"app-copy-source", "--image=busybox:1.36", "-c", "dbg",
							fmt.Sprintf("--copy-to=copy-%s-%s-%d", t.name, cache, i)}
					case "node":
						args = []string{"node/" + b.node, "--image=busybox:1.36"}
					}
					args = append([]string{"-n", b.namespace}, append(args, "--attach=false", "-q")...)
					s, err := run(t, b.kubeconfig, cacheDir, b.audit, args)
					check(err)
					results[key{mode, cache, t.name}] = append(results[key{mode, cache, t.name}], s)
					if cache == "cold" {
						os.RemoveAll(cacheDir)
					}
				}
			}
		}
	}
	report(results, modes, caches, runs, b.markdown)
}

// run executes one debug call and measures it: wall time and peak RSS from the process,
// API requests from the audit lines the call added.
func run(t tool, kubeconfig, cacheDir, audit string, args []string) (sample, error) {
	before, err := auditSize(audit)
	if err != nil {
		return sample{}, err
	}
	argv := append(append([]string{}, t.argv...), append([]string{"--cache-dir=" + cacheDir}, args...)...)
	m, err := measure(argv, kubeconfig, io.Discard)
	if err != nil {
		return sample{}, err
	}
	requests, err := settledRequests(audit, before)
	if err != nil {
		return sample{}, err
	}
	return sample{wall: m.wall, rssKiB: m.rssKiB, requests: requests.total}, nil
}

// measured is what one process cost: wall time, peak RSS and CPU time (user and
// system) as the kernel accounted them in the child's rusage.
type measured struct {
	wall, cpu time.Duration
	rssKiB    int64
}

// measure runs one command to its end and measures it.
func measure(argv []string, kubeconfig string, stdout io.Writer) (measured, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout = stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measured{}, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	ps := cmd.ProcessState
	return measured{wall: wall, cpu: ps.UserTime() + ps.SystemTime(), rssKiB: ps.SysUsage().(*syscall.Rusage).Maxrss}, nil
}

// requests are the API requests found in a stretch of the audit log.
type requests struct {
	total  int
	byVerb map[string]int
	// failed counts responses with a status of 400 or more.
	failed int
}

// breakdown lists the requests by verb, as "1 list + 200 patch".
func (r requests) breakdown() string {
	verbs := make([]string, 0, len(r.byVerb))
	for v := range r.byVerb {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	parts := make([]string, len(verbs))
	for i, v := range verbs {
		parts[i] = fmt.Sprintf("%d %s", r.byVerb[v], v)
	}
	return strings.Join(parts, " + ")
}

func auditSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// countRequests counts the completed requests by user admin in the audit log after
// offset, leaving out the fake kubelet's own traffic (it uses the same credentials).
// A line still being written is left for the next look.
func countRequests(path string, offset int64) (requests, error) {
	r := requests{byVerb: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return r, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return r, fmt.Errorf("seeking in the audit log: %w", err)
	}
	rd := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := rd.ReadBytes('\n')
		if err == io.EOF {
			return r, nil
		}
		if err != nil {
			return r, fmt.Errorf("reading the audit log: %w", err)
		}
		var ev struct {
			Stage     string `json:"stage"`
			Verb      string `json:"verb"`
			UserAgent string `json:"userAgent"`
			User      struct {
				Username string `json:"username"`
			} `json:"user"`
			ResponseStatus struct {
				Code int `json:"code"`
			} `json:"responseStatus"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			return r, fmt.Errorf("decoding an audit event: %w", err)
		}
		if ev.Stage != "ResponseComplete" || ev.User.Username != "admin" || strings.HasPrefix(ev.UserAgent, "kwok") {
			continue
		}
		r.total++
		r.byVerb[ev.Verb]++
		if ev.ResponseStatus.Code >= 400 {
			r.failed++
		}
	}
}

// settledRequests counts the requests after offset once the count stops moving: the
// audit event is written when the response completes, which can trail the client's
// exit by a moment.
func settledRequests(path string, offset int64) (requests, error) {
	var r requests
	last := -1
	for range 20 {
		var err error
		if r, err = countRequests(path, offset); err != nil {
			return r, err
		}
		if r.total == last {
			break
		}
		last = r.total
		time.Sleep(30 * time.Millisecond)
	}
	return r, nil
}

// quietOffset waits until the audit log stops growing and returns its size: the start of
// a measured run, after the events of whatever prepared it.
func quietOffset(path string) (int64, error) {
	last := int64(-1)
	for range 100 {
		size, err := auditSize(path)
		if err != nil {
			return 0, err
		}
		if size == last {
			return size, nil
		}
		last = size
		time.Sleep(50 * time.Millisecond)
	}
	return last, nil
}

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
	// No controller-manager: the namespace's ServiceAccount is created by hand.
	if err := kc("create", "serviceaccount", "default", "-n", namespace); err != nil {
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

// memory measures ours' peak RSS with -l over n pods against the same call selecting one
// pod, and the size of the pod list. Every write is a server dry run, so the same pods
// serve every run; the client receives and holds exactly what a real write returns.
func (b *bench) memory(n, runs int) {
	ns := "memory-0"
	check(b.createPods(ns, n, "fan"))
	// One more pod, alone under its label: the one-pod call makes the same kind of call.
	check(b.addPods(ns, n, 1, "solo"))
	_, err := quietOffset(b.audit)
	check(err)

	debugArgs := []string{"--image=busybox:1.36", "--attach=false", "-c", "dbg", "-q", "--dry-run=server"}
	oursCall := func(target ...string) []string {
		return append(append([]string{b.ours, "--cache-dir=" + filepath.Join(b.warmDir, "ours"), "-n", ns}, target...), debugArgs...)
	}
	floorCall := func(args ...string) []string {
		return append([]string{b.floor, "-kubeconfig", b.kubeconfig, "-n", ns}, args...)
	}
	measurements := []struct {
		name string
		argv []string
	}{
		{"ours -l, 1 pod", oursCall("-l", "app=solo")},
		{"ours by name, 1 pod", oursCall(fmt.Sprintf("app-%d", n))},
		{fmt.Sprintf("ours -l, %d pods", n), oursCall("-l", "app=fan")},
		{fmt.Sprintf("floor, %d pods", n), floorCall("-l", "app=fan", "-dry-run")},
		{"floor LIST only, 1 pod", floorCall("-l", "app=solo", "-list-only")},
		{fmt.Sprintf("floor LIST only, %d pods", n), floorCall("-l", "app=fan", "-list-only")},
	}
	walls := make([][]time.Duration, len(measurements))
	cpus := make([][]time.Duration, len(measurements))
	rss := make([][]int64, len(measurements))
	reqs := make([]requests, len(measurements))
	for range runs {
		for i, m := range measurements {
			start, err := quietOffset(b.audit)
			check(err)
			r, err := measure(m.argv, b.kubeconfig, io.Discard)
			check(err)
			walls[i], cpus[i], rss[i] = append(walls[i], r.wall), append(cpus[i], r.cpu), append(rss[i], r.rssKiB)
			// Every run makes the same requests; the last one's stand for them.
			reqs[i], err = settledRequests(b.audit, start)
			check(err)
		}
	}

	// The pod list as the wire carries it, in both encodings, and as kubectl prints it.
	listBytes := func(argv []string) int64 {
		var out bytes.Buffer
		_, err := measure(argv, b.kubeconfig, &out)
		check(err)
		var pods, size int64
		_, err = fmt.Sscanf(out.String(), "pods=%d bytes=%d", &pods, &size)
		check(err)
		if pods != int64(n) {
			check(fmt.Errorf("the floor listed %d pods, expected %d", pods, n))
		}
		return size
	}
	protoBytes := listBytes(floorCall("-l", "app=fan", "-list-only"))
	jsonBytes := listBytes(floorCall("-l", "app=fan", "-list-only", "-json"))
	var printed countingWriter
	_, err = measure([]string{b.kubectl, "--kubeconfig=" + b.kubeconfig, "get", "pods", "-n", ns, "-l", "app=fan", "-o", "json"},
		b.kubeconfig, &printed)
	check(err)

	fmt.Printf("\nmemory: server dry runs over %d pods against one; %d runs each\n\n", n, runs)
	var rows [][]string
	med := make([]int64, len(measurements))
	for i, m := range measurements {
		med[i] = median(rss[i])
		rows = append(rows, []string{m.name, ms(median(walls[i])), ms(median(cpus[i])), mib(med[i]),
			fmt.Sprintf("%d (%s)", reqs[i].total, reqs[i].breakdown())})
	}
	b.table([]string{"measurement", "median wall", "client CPU", "peak RSS", "requests"}, rows)

	one, many := med[0]*1024, med[2]*1024
	listHeld := (med[5] - med[4]) * 1024
	fmt.Printf("\npod list of %d pods: %s as protobuf, %s as JSON on the wire, %s printed by kubectl get -o json;\n"+
		"%s more peak RSS for the floor holding it than holding one pod\n",
		n, mibBytes(protoBytes), mibBytes(jsonBytes), mibBytes(printed.n), mibBytes(listHeld))
	fmt.Printf("goal: peak RSS for %d pods under 2x one pod's call plus the pod list:\n", n)
	for _, c := range []struct {
		what string
		size int64
	}{
		{"the list as protobuf", protoBytes},
		{"the list as printed JSON", printed.n},
		{"the list as the floor holds it", listHeld},
	} {
		budget := 2*one + c.size
		fmt.Printf("  with %s: %s against 2 x %s + %s = %s, %s (%.2fx the budget)\n", c.what,
			mibBytes(many), mibBytes(one), mibBytes(c.size), mibBytes(budget), verdict(many < budget), float64(many)/float64(budget))
	}
}

// scaleGoal is how much more CPU time a client dry run may take for ten times the pods.
const scaleGoal = 12

// scale measures ours' client dry runs over the pods of a -f List of each size in
// sizes, with a custom profile of 50 variables: nothing is sent, so the client's own
// cost is all there is. Each run must report every pod.
func (b *bench) scale(sizes []int, runs int) {
	dir, err := os.MkdirTemp("", "bench-scale")
	check(err)
	defer os.RemoveAll(dir)
	profile := filepath.Join(dir, "profile.json")
	check(writeProfile(profile, 50))
	// From a fresh copy, as hack/bench.sh runs every binary: one straight from the
	// linker maps in larger pages and shows a higher peak RSS.
	ours := filepath.Join(dir, "ours")
	check(copyFile(b.ours, ours))

	type result struct {
		pods      int
		fileBytes int64
		wall, cpu time.Duration
		rssKiB    int64
	}
	var results []result
	for _, n := range sizes {
		file := filepath.Join(dir, fmt.Sprintf("pods-%d.json", n))
		size, err := writePodList(file, n)
		check(err)
		var walls, cpus []time.Duration
		var rss []int64
		for range runs {
			var out lineCounter
			m, err := measure([]string{ours, "-f", file, "--image=busybox:1.36", "--dry-run=client", "--custom=" + profile, "-q"},
				b.kubeconfig, &out)
			check(err)
			// A header, then a line per pod.
			if out.lines != n+1 {
				check(fmt.Errorf("the client dry run of %d pods printed %d lines, expected %d", n, out.lines, n+1))
			}
			walls, cpus, rss = append(walls, m.wall), append(cpus, m.cpu), append(rss, m.rssKiB)
		}
		check(os.Remove(file))
		results = append(results, result{n, size, median(walls), median(cpus), median(rss)})
	}

	fmt.Printf("\nscale: client dry runs of the pods of a -f List with a custom profile of 50 variables; medians of %d runs\n\n", runs)
	var rows [][]string
	for _, r := range results {
		rows = append(rows, []string{fmt.Sprint(r.pods), mibBytes(r.fileBytes), ms(r.wall), ms(r.cpu), mib(r.rssKiB)})
	}
	b.table([]string{"pods", "-f file", "median wall", "client CPU", "peak RSS"}, rows)
	fmt.Println()
	for i := 1; i < len(results); i++ {
		prev, cur := results[i-1], results[i]
		growth := float64(cur.cpu) / float64(prev.cpu)
		goal := scaleGoal * float64(cur.pods) / float64(prev.pods) / 10
		fmt.Printf("goal: CPU for %d pods within %.0fx that of %d: %.1fx, %s (peak RSS %.1fx)\n",
			cur.pods, goal, prev.pods, growth, verdict(growth <= goal), float64(cur.rssKiB)/float64(prev.rssKiB))
	}
}

// podCounts reads a comma-separated list of pod counts, smallest first.
func podCounts(list string) ([]int, error) {
	var counts []int
	for _, field := range strings.Split(list, ",") {
		var n int
		if _, err := fmt.Sscan(field, &n); err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a number of pods", field)
		}
		if len(counts) > 0 && n <= counts[len(counts)-1] {
			return nil, fmt.Errorf("%d after %d: smallest first", n, counts[len(counts)-1])
		}
		counts = append(counts, n)
	}
	return counts, nil
}

// writeProfile writes a custom profile that sets vars environment variables.
func writeProfile(path string, vars int) error {
	env := make([]map[string]string, vars)
	for i := range env {
		env[i] = map[string]string{"name": fmt.Sprintf("VAR_%d", i), "value": fmt.Sprintf("value-%d", i)}
	}
	data, err := json.Marshal(map[string]any{"env": env})
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// writePodList writes a List of n pods, like those the cluster rows create, and
// returns its size.
func writePodList(path string, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `{"apiVersion":"v1","kind":"List","items":[`)
	for i := range n {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"app-%d","namespace":"bench","labels":{"app":"bench"}},`+
			`"spec":{"nodeName":"node-a","containers":[{"name":"main","image":"busybox:1.36","command":["sleep","3600"]}]}}`, i)
	}
	fmt.Fprint(w, "]}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// copyFile copies the executable from to a new file to with cp, as hack/bench.sh does:
// written in one large write, the copy would sit in large pages too.
func copyFile(from, to string) error {
	if out, err := exec.Command("cp", from, to).CombinedOutput(); err != nil {
		return fmt.Errorf("copying %s: %w\n%s", from, err, out)
	}
	return nil
}

// lineCounter counts the lines written to it.
type lineCounter struct{ lines int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "NOT met"
}

// table prints rows under header, as Markdown with -markdown.
func (b *bench) table(header []string, rows [][]string) {
	if b.markdown {
		fmt.Println("| " + strings.Join(header, " | ") + " |")
		fmt.Println("|" + strings.Repeat(" --- |", len(header)))
		for _, r := range rows {
			fmt.Println("| " + strings.Join(r, " | ") + " |")
		}
		return
	}
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range append([][]string{header}, rows...) {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = fmt.Sprintf("%-*s", widths[i], c)
		}
		fmt.Println(strings.TrimRight(strings.Join(cells, "  "), " "))
	}
}

func report(results map[key][]sample, modes, caches []string, runs int, markdown bool) {
	fmt.Printf("single target: %d runs per tool, mode and cache state\n\n", runs)
	header := []string{"mode", "cache", "tool", "median wall", "peak RSS", "requests/call"}
	rows := [][]string{}
	for _, mode := range modes {
		for _, cache := range caches {
			o, u := results[key{mode, cache, "ours"}], results[key{mode, cache, "upstream"}]
			ow, uw := medianWall(o), medianWall(u)
			or, ur := medianRSS(o), medianRSS(u)
			oq, uq := meanRequests(o), meanRequests(u)
			rows = append(rows,
				[]string{mode, cache, "ours", ms(ow), mib(or), fmt.Sprintf("%.1f", oq)},
				[]string{mode, cache, "upstream", ms(uw), mib(ur), fmt.Sprintf("%.1f", uq)},
				[]string{mode, cache, "ours/upstream", fmt.Sprintf("%.2fx", float64(ow)/float64(uw)),
					fmt.Sprintf("%.2fx", float64(or)/float64(ur)), fmt.Sprintf("%.2fx", oq/uq)},
			)
		}
	}
	if markdown {
		fmt.Println("| " + strings.Join(header, " | ") + " |")
		fmt.Println("|" + strings.Repeat(" --- |", len(header)))
		for _, r := range rows {
			fmt.Println("| " + strings.Join(r, " | ") + " |")
		}
		return
	}
	fmt.Printf("%-10s %-5s %-14s %12s %10s %14s\n", "mode", "cache", "tool", "median wall", "peak RSS", "requests/call")
	for _, r := range rows {
		fmt.Printf("%-10s %-5s %-14s %12s %10s %14s\n", r[0], r[1], r[2], r[3], r[4], r[5])
	}
}

func machine() string {
	model := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if name, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	cpus := 0
	if out, err := exec.Command("nproc").Output(); err == nil {
		fmt.Sscan(string(out), &cpus)
	}
	return fmt.Sprintf("%s, %d CPUs, %s", model, cpus, runtime.Version())
}

func median[T time.Duration | int64](s []T) T {
	v := slices.Clone(s)
	slices.Sort(v)
	return v[len(v)/2]
}

func medianWall(s []sample) time.Duration {
	v := make([]time.Duration, len(s))
	for i := range s {
		v[i] = s[i].wall
	}
	return median(v)
}

func medianRSS(s []sample) int64 {
	v := make([]int64, len(s))
	for i := range s {
		v[i] = s[i].rssKiB
	}
	return median(v)
}

func meanRequests(s []sample) float64 {
	total := 0
	for _, x := range s {
		total += x.requests
	}
	return float64(total) / float64(len(s))
}

func ratio[T time.Duration | int64 | int](a, b T) string {
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
func mib(kib int64) string      { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }
func mibBytes(b int64) string   { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// sizes prints the size of each tool's binary, as run.
func (b *bench) sizes() {
	for _, t := range b.tools {
		info, err := os.Stat(t.argv[0])
		check(err)
		fmt.Printf("binary size: %s %.1f MB (%d bytes)\n", t.name, float64(info.Size())/1e6, info.Size())
	}
	fmt.Println()
}

// help measures --help of both tools, interleaved run by run: no request is made, so
// this is the cost of starting, building the command and printing.
func (b *bench) help(runs int) {
	results := map[string][]sample{}
	for range runs {
		for _, t := range b.tools {
			m, err := measure(append(slices.Clone(t.argv), "--help"), b.kubeconfig, io.Discard)
			check(err)
			results[t.name] = append(results[t.name], sample{wall: m.wall, rssKiB: m.rssKiB})
		}
	}
	o, u := results["ours"], results["upstream"]
	ow, uw := medianWall(o), medianWall(u)
	or, ur := medianRSS(o), medianRSS(u)
	rows := [][]string{
		{"ours", ms(ow), mib(or)},
		{"upstream", ms(uw), mib(ur)},
		{"ours/upstream", fmt.Sprintf("%.2fx", float64(ow)/float64(uw)), fmt.Sprintf("%.2fx", float64(or)/float64(ur))},
	}
	fmt.Printf("\n--help: %d runs per tool\n\n", runs)
	if b.markdown {
		fmt.Println("| tool | median wall | peak RSS |")
		fmt.Println("| --- | --- | --- |")
		for _, r := range rows {
			fmt.Println("| " + strings.Join(r, " | ") + " |")
		}
		return
	}
	fmt.Printf("%-14s %12s %10s\n", "tool", "median wall", "peak RSS")
	for _, r := range rows {
		fmt.Printf("%-14s %12s %10s\n", r[0], r[1], r[2])
	}
}
