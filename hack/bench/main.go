//go:build ignore

// Compares the project's binary with upstream `kubectl debug` on the local cluster:
// ephemeral, copy and node debugs, the two commands interleaved run by run, with a cold
// and a warm discovery cache. Per mode it reports the median wall time, the median peak
// RSS, the API requests per call (from the audit log) and the ratio ours/upstream.
// hack/bench.sh prepares the cluster and runs it:
//
//	go run hack/bench/main.go -ours BIN -upstream KUBECTL -kubeconfig FILE -audit FILE -namespace NS -runs N
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

func main() {
	ours := flag.String("ours", "", "the project's binary")
	upstream := flag.String("upstream", "", "upstream kubectl (run as `kubectl debug`)")
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the local cluster")
	audit := flag.String("audit", "", "the apiserver's audit log")
	namespace := flag.String("namespace", "", "namespace holding pods app-0..app-N")
	node := flag.String("node", "node-a", "node to debug")
	runs := flag.Int("runs", 20, "runs per tool, mode and cache state")
	markdown := flag.Bool("markdown", false, "print a Markdown table")
	flag.Parse()
	if *ours == "" || *upstream == "" || *kubeconfig == "" || *audit == "" || *namespace == "" || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}

	tools := []tool{
		{"ours", []string{*ours}},
		{"upstream", []string{*upstream, "debug"}},
	}
	warmDir, err := os.MkdirTemp("", "bench-warm-cache")
	check(err)
	defer os.RemoveAll(warmDir)

	modes := []string{"ephemeral", "copy", "node"}
	caches := []string{"cold", "warm"}
	results := map[key][]sample{}
	pod := 0
	for _, cache := range caches {
		// Warm caches are filled once per tool before measuring.
		if cache == "warm" {
			for _, t := range tools {
				dir := filepath.Join(warmDir, t.name)
				_, err := run(t, *kubeconfig, dir, *audit, []string{"-n", *namespace, "app-warmup", "--image=busybox:1.36", "--attach=false", "-q"})
				check(err)
			}
		}
		for i := 0; i < *runs; i++ {
			for _, mode := range modes {
				for _, t := range tools {
					cacheDir := filepath.Join(warmDir, t.name)
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
						args = []string{"node/" + *node, "--image=busybox:1.36"}
					}
					args = append([]string{"-n", *namespace}, append(args, "--attach=false", "-q")...)
					s, err := run(t, *kubeconfig, cacheDir, *audit, args)
					check(err)
					results[key{mode, cache, t.name}] = append(results[key{mode, cache, t.name}], s)
					if cache == "cold" {
						os.RemoveAll(cacheDir)
					}
				}
			}
		}
	}
	report(results, modes, caches, *runs, *markdown)
}

// run executes one debug call and measures it: wall time and peak RSS from the process,
// API requests from the audit lines the call added.
func run(t tool, kubeconfig, cacheDir, audit string, args []string) (sample, error) {
	before, err := auditLines(audit)
	if err != nil {
		return sample{}, err
	}
	argv := append(append([]string{}, t.argv...), append([]string{"--cache-dir=" + cacheDir}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	// The audit event is written when the response completes, which can trail the
	// client's exit by a moment: wait until the count settles.
	requests, last := 0, -1
	for range 20 {
		after, err := auditLines(audit)
		if err != nil {
			return sample{}, err
		}
		requests = countRequests(after[len(before):])
		if requests == last {
			break
		}
		last = requests
		time.Sleep(30 * time.Millisecond)
	}
	return sample{wall: wall, rssKiB: rss, requests: requests}, nil
}

func auditLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

// countRequests counts completed requests by user admin, leaving out the fake kubelet's
// own traffic (it uses the same credentials).
func countRequests(lines []string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, `"stage":"ResponseComplete"`) &&
			strings.Contains(l, `"user":{"username":"admin"`) &&
			!strings.Contains(l, `"userAgent":"kwok`) {
			n++
		}
	}
	return n
}

func report(results map[key][]sample, modes, caches []string, runs int, markdown bool) {
	fmt.Printf("machine: %s; %d runs per tool, mode and cache state\n\n", machine(), runs)
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

func medianWall(s []sample) time.Duration {
	v := make([]time.Duration, len(s))
	for i := range s {
		v[i] = s[i].wall
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	return v[len(v)/2]
}

func medianRSS(s []sample) int64 {
	v := make([]int64, len(s))
	for i := range s {
		v[i] = s[i].rssKiB
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	return v[len(v)/2]
}

func meanRequests(s []sample) float64 {
	total := 0
	for _, x := range s {
		total += x.requests
	}
	return float64(total) / float64(len(s))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
func mib(kib int64) string      { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
