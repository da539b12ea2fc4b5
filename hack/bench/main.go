// Command bench compares the project's binary with upstream `kubectl debug` on the local
// cluster. hack/bench.sh prepares the cluster and runs it:
//
//	go run ./hack/bench -ours BIN -upstream KUBECTL -kubeconfig FILE -audit FILE -namespace NS -runs N \
//	    -floor BIN -help-floor BIN -kubectl KUBECTL -sessions BIN [-fanout-runs N] [-fanout-upstream-runs N] [-rows single,fanout,memory,sessions,scale]
//
// The scale rows need no cluster: go run ./hack/bench -ours BIN -rows scale
//
// The shell rows need a cluster with a real node, which hack/bench-shell.sh prepares:
//
//	go run ./hack/bench -rows shell -ours BIN -upstream KUBECTL -kubeconfig FILE -namespace NS \
//	    -shell-floor BIN [-real-node NODE] [-shell-runs N]
//
// Six groups of rows, each selectable with -rows:
//
//   - single: ephemeral, copy and node debugs of one target, the two commands interleaved
//     run by run, with a cold and a warm discovery cache. Per mode: the median wall time,
//     the median peak RSS, the API requests per call (from the audit log) and the ratio
//     ours/upstream. Then --help of both and of the help floor (hack/bench/helpfloor),
//     interleaved: the cost of starting alone, against the least any implementation of
//     NewCmdDebug's signature pays for it.
//
// The size of each binary comes first.
//   - fanout: an ephemeral container added to every one of -fanout-pods pods, by ours in
//     one call with -l, by upstream in a loop of one call per pod, and by the floor, a
//     bare client-go program doing the same requests with the same concurrency.
//   - memory: ours' peak RSS with -l over -memory-pods pods against one pod, and the size
//     of the pod list itself.
//   - sessions: `kubectl debugger sessions` over -memory-pods pods that each hold a debug
//     container against one such pod, and the size of the pod list: its requests and
//     peak RSS.
//   - scale: ours' CPU time and peak RSS for client dry runs of the pods of a -f List
//     (-scale-pods, 1,000, 10,000 and 100,000) with a custom profile of 50 variables,
//     and how the CPU time grows from one size to the next.
//   - shell: on a cluster with a real node (-real-node), the time from Enter to a
//     shell that answers, in each mode, for ours, upstream and the floor
//     (hack/bench/shellfloor, -shell-floor): each command runs in a pseudo-terminal
//     with a command typed ahead, and the clock stops when the terminal shows its
//     answer. p50 and p90 of -shell-runs runs per tool and mode.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
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
	helpFloor, sessionsBin         string
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
	floor := flag.String("floor", "", "the floor program built from hack/bench/floor (fanout, memory and sessions rows)")
	helpFloor := flag.String("help-floor", "", "the program built from hack/bench/helpfloor (single rows' --help)")
	sessionsBin := flag.String("sessions", "", "the project's sessions plugin (sessions rows)")
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
	shellRuns := flag.Int("shell-runs", 10, "runs per tool and mode of the shell rows")
	shellFloor := flag.String("shell-floor", "", "the program built from hack/bench/shellfloor (shell rows)")
	realNode := flag.String("real-node", "kd-real-node", "the real node of the shell rows")
	realNodeTaint := flag.String("real-node-taint", "kubectl-debugger/real-node", "the key of the real node's NoSchedule taint")
	shellSettle := flag.Duration("shell-settle", 3*time.Second, "pause before each shell run, once the previous run's pods are gone and the target is ready")
	rows := flag.String("rows", strings.Join(allGroups, ","), "comma-separated groups of rows to run")
	markdown := flag.Bool("markdown", false, "print Markdown tables")
	flag.Parse()
	groups := strings.Split(*rows, ",")
	for _, g := range groups {
		if !slices.Contains(allGroups, g) {
			fmt.Fprintf(os.Stderr, "bench: unknown group of rows %q\n", g)
			os.Exit(2)
		}
	}
	sizes, err := podCounts(*scalePods)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: -scale-pods: %v\n", err)
		os.Exit(2)
	}
	needFloor := slices.Contains(groups, "fanout") || slices.Contains(groups, "memory") || slices.Contains(groups, "sessions")
	needHelpFloor := slices.Contains(groups, "single")
	// Every group but scale runs against the cluster; all but scale and shell count
	// requests in its audit log.
	needCluster := slices.ContainsFunc(groups, func(g string) bool { return g != "scale" })
	needAudit := slices.ContainsFunc(groups, func(g string) bool { return g != "scale" && g != "shell" })
	needShell := slices.Contains(groups, "shell")
	if *ours == "" || (needCluster && (*upstream == "" || *kubeconfig == "" || *namespace == "")) || (needAudit && *audit == "") || *runs < 1 ||
		(needFloor && *floor == "") || (needHelpFloor && *helpFloor == "") || (slices.Contains(groups, "sessions") && *sessionsBin == "") ||
		(needShell && (*shellFloor == "" || *realNode == "" || *realNodeTaint == "" || *shellRuns < 1 || *shellSettle < 0)) ||
		*fanoutPods < 1 || *fanoutRuns < 1 || *fanoutUpstreamRuns < 1 ||
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
		ours: *ours, upstream: *upstream, floor: *floor, kubectl: *kubectl, helpFloor: *helpFloor, sessionsBin: *sessionsBin,
		kubeconfig: *kubeconfig, audit: *audit, namespace: *namespace, node: *node,
		warmDir: warmDir, markdown: *markdown,
		tools: []tool{
			{"ours", []string{*ours}},
			{"upstream", []string{*upstream, "debug"}},
		},
	}

	fmt.Printf("machine: %s\n", machine())
	// The shell rows run on a cluster of their own, in a run of their own, after the
	// others: the sizes were printed then.
	if slices.ContainsFunc(groups, func(g string) bool { return g != "shell" }) {
		b.sizes()
	}
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
	if slices.Contains(groups, "sessions") {
		b.sessions(*memoryPods, *memoryRuns)
	}
	if slices.Contains(groups, "scale") {
		b.scale(sizes, *scaleRuns)
	}
	if needShell {
		b.shell(shellSetup{
			floor: *shellFloor, node: *realNode, taint: *realNodeTaint, runs: *shellRuns, settle: *shellSettle,
			timeout: 120 * time.Second, exitTimeout: 60 * time.Second,
		})
	}
}

// allGroups are the groups of rows, in the order they run.
var allGroups = []string{"single", "fanout", "memory", "sessions", "scale", "shell"}

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
	for _, cache := range caches {
		got := float64(medianRSS(results[key{"ephemeral", cache, "ours"}])) /
			float64(medianRSS(results[key{"ephemeral", cache, "upstream"}]))
		fmt.Printf("goal: peak RSS of an ephemeral debug (%s cache) at most %.2fx upstream's: %.2fx, %s\n",
			cache, rssGoal, got, verdict(got <= rssGoal))
	}
}

// rssGoal is issue 18's bound on ours' peak RSS for an ephemeral debug, as a fraction
// of upstream's.
const rssGoal = 0.75

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

// helpGoal is issue 18's bound on ours' --help wall time, as a fraction of upstream's.
const helpGoal = 0.30

// help measures --help of both tools and of the help floor, interleaved run by run: no
// request is made, so this is the cost of starting, building the command and printing.
// The floor shows how much of that any implementation of NewCmdDebug that calls the
// API through kubernetes.Interface pays before its own code runs.
func (b *bench) help(runs int) {
	tools := append(slices.Clone(b.tools), tool{"floor", []string{b.helpFloor}})
	results := map[string][]sample{}
	for range runs {
		for _, t := range tools {
			m, err := measure(append(slices.Clone(t.argv), "--help"), b.kubeconfig, io.Discard)
			check(err)
			results[t.name] = append(results[t.name], sample{wall: m.wall, rssKiB: m.rssKiB})
		}
	}
	o, u, f := results["ours"], results["upstream"], results["floor"]
	ow, uw, fw := medianWall(o), medianWall(u), medianWall(f)
	or, ur, fr := medianRSS(o), medianRSS(u), medianRSS(f)
	fmt.Printf("\n--help: %d runs per tool\n\n", runs)
	b.table([]string{"tool", "median wall", "peak RSS"}, [][]string{
		{"ours", ms(ow), mib(or)},
		{"upstream", ms(uw), mib(ur)},
		{"floor (helpfloor)", ms(fw), mib(fr)},
		{"ours/upstream", ratio(ow, uw), ratio(or, ur)},
		{"ours/floor", ratio(ow, fw), ratio(or, fr)},
		{"floor/upstream", ratio(fw, uw), ratio(fr, ur)},
	})
	got := float64(ow) / float64(uw)
	fmt.Printf("\ngoal: --help wall at most %.2fx upstream's: %.2fx, %s (the floor alone is %s)\n",
		helpGoal, got, verdict(got <= helpGoal), ratio(fw, uw))
}
