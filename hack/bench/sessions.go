package main

import (
	"fmt"
	"io"
	"path/filepath"
)

// sessions measures `kubectl debugger sessions` over n pods that each hold a debug
// container against the same call selecting one such pod, by the fan-out rows' rule:
// its peak RSS stays under twice the one-pod call's plus the pod list itself, and it
// sends one LIST (in pages of 500).
func (b *bench) sessions(n, runs int) {
	ns := "sessions-0"
	check(b.createPods(ns, n, "fan"))
	check(b.addPods(ns, n, 1, "solo"))
	// Every pod gets an ephemeral debug container: one fan-out call per label.
	for _, label := range []string{"fan", "solo"} {
		_, err := measure([]string{b.ours, "--cache-dir=" + filepath.Join(b.warmDir, "ours"), "-n", ns, "-l", "app=" + label,
			"--image=busybox:1.36", "--attach=false", "-c", "dbg", "-q"}, b.kubeconfig, io.Discard)
		check(err)
	}
	_, err := quietOffset(b.audit)
	check(err)

	sessionsCall := func(label string) []string {
		return []string{b.sessionsBin, "--cache-dir=" + filepath.Join(b.warmDir, "ours"), "-n", ns, "-l", "app=" + label}
	}
	floorCall := func(args ...string) []string {
		return append([]string{b.floor, "-kubeconfig", b.kubeconfig, "-n", ns}, args...)
	}
	// The floor's LIST of the pods, alone: what holding the list itself costs.
	argvs := [][]string{sessionsCall("solo"), sessionsCall("fan"), floorCall("-l", "app=solo", "-list-only"), floorCall("-l", "app=fan", "-list-only")}
	names := []string{"sessions, 1 pod", fmt.Sprintf("sessions, %d pods", n), "floor LIST only, 1 pod", fmt.Sprintf("floor LIST only, %d pods", n)}
	var rowsPrinted countingWriter
	walls, _, rss, reqs := b.measureEach(argvs, runs, func(i int) io.Writer {
		if i != 1 {
			return io.Discard
		}
		rowsPrinted = countingWriter{}
		return &rowsPrinted
	})

	fmt.Printf("\nsessions: the debug sessions of %d pods against one; %d runs each\n\n", n, runs)
	var rows [][]string
	med := make([]int64, len(argvs))
	for i, name := range names {
		med[i] = median(rss[i])
		rows = append(rows, []string{name, ms(median(walls[i])), mib(med[i]), fmt.Sprintf("%d (%s)", reqs[i].total, reqs[i].breakdown())})
	}
	b.table([]string{"measurement", "median wall", "peak RSS", "requests"}, rows)

	one, many := med[0]*1024, med[1]*1024
	listHeld := (med[3] - med[2]) * 1024
	budget := 2*one + listHeld
	pages := (n + 499) / 500
	fmt.Printf("\n%d pods listed in one LIST of %d pages; the table printed %s\n", n, pages, mibBytes(rowsPrinted.n))
	fmt.Printf("goal: one LIST: %d list requests, %s\n", reqs[1].byVerb["list"], verdict(reqs[1].byVerb["list"] == pages && reqs[1].total == pages))
	fmt.Printf("goal: peak RSS under 2x one pod's call plus the list as the floor holds it: %s against 2 x %s + %s = %s, %s (%.2fx the budget)\n",
		mibBytes(many), mibBytes(one), mibBytes(listHeld), mibBytes(budget), verdict(many < budget), float64(many)/float64(budget))
}
