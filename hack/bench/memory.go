package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

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
	argvs := make([][]string, len(measurements))
	for i, m := range measurements {
		argvs[i] = m.argv
	}
	walls, cpus, rss, reqs := b.measureEach(argvs, runs, nil)

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

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// measureEach runs each command of argvs runs times, one after the other in every run,
// and returns per command its wall times, CPU times and peak RSS, and the requests of
// its last run (every run makes the same). out, when set, gives each run's standard
// output.
func (b *bench) measureEach(argvs [][]string, runs int, out func(i int) io.Writer) (walls, cpus [][]time.Duration, rss [][]int64, reqs []requests) {
	walls = make([][]time.Duration, len(argvs))
	cpus = make([][]time.Duration, len(argvs))
	rss = make([][]int64, len(argvs))
	reqs = make([]requests, len(argvs))
	for range runs {
		for i, argv := range argvs {
			start, err := quietOffset(b.audit)
			check(err)
			stdout := io.Discard
			if out != nil {
				stdout = out(i)
			}
			r, err := measure(argv, b.kubeconfig, stdout)
			check(err)
			walls[i], cpus[i], rss[i] = append(walls[i], r.wall), append(cpus[i], r.cpu), append(rss[i], r.rssKiB)
			reqs[i], err = settledRequests(b.audit, start)
			check(err)
		}
	}
	return walls, cpus, rss, reqs
}
