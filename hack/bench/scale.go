package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

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
