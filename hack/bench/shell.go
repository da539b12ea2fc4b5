package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// shellSetup is what the shell rows need beyond the other groups: the real node they
// run on and the floor program.
type shellSetup struct {
	// floor is the program built from hack/bench/shellfloor.
	floor string
	// node is the real node, and taint the key of its NoSchedule taint, which the copy
	// source tolerates so that the scheduler may place it and its copies there.
	node, taint string
	runs        int
	// settle is the pause before each run, once the previous run's pods are deleted
	// and the run's target is ready: the kubelet finishes what it does for a pod that
	// just started or ended (a debug container added meanwhile would wait for it).
	settle time.Duration
	// timeout bounds each run's wait for the answer, exitTimeout its end after the exit
	// line.
	timeout, exitTimeout time.Duration
}

var (
	shellModes = []string{"ephemeral", "copy", "node"}
	shellTools = []string{"ours", "upstream", "floor"}
)

const (
	// shellImage is the image of the debug containers and of the target pods, which
	// the real node holds.
	shellImage = "busybox:1.36"
	// shellSource is the copy rows' source pod, which lives through the whole group.
	shellSource = "shell-source"
	// shellContainer names the debug container in ephemeral and copy runs; a node's
	// debugging pod has one container, named by the tool.
	shellContainer = "dbg"
)

// shellGoal is the bound on ours' p50 time to a shell that answers, as a
// fraction of upstream's and of the floor's.
const (
	shellGoalUpstream = 0.6
	shellGoalFloor    = 1.3
)

// shell measures, per mode, the time from Enter to a shell that answers: ours, upstream
// and the floor, one after the other in an order that rotates run by run, after one
// round that is not counted (it fills upstream's discovery cache and warms the node).
func (b *bench) shell(s shellSetup) {
	check(b.createShellPod(shellSource, s, true))
	dir, err := os.MkdirTemp("", "bench-shell")
	check(err)
	defer os.RemoveAll(dir)
	results := map[string]map[string][]time.Duration{}
	for _, mode := range shellModes {
		results[mode] = map[string][]time.Duration{}
	}
	for run := -1; run < s.runs; run++ {
		for _, mode := range shellModes {
			for _, tool := range rotate(shellTools, run) {
				d, err := b.shellRun(s, dir, mode, tool, run)
				check(err)
				label := "warm-up"
				if run >= 0 {
					results[mode][tool] = append(results[mode][tool], d)
					label = fmt.Sprintf("run %d/%d", run+1, s.runs)
				}
				fmt.Fprintf(os.Stderr, "shell: %s %s %s: %s\n", label, mode, tool, ms(d))
			}
		}
	}
	b.reportShell(s.runs, results)
}

// rotate is tools in the order of run: each tool starts every len(tools)-th run, and
// the runs before and after each tool's change.
func rotate(tools []string, run int) []string {
	n := len(tools)
	k := ((run % n) + n) % n
	return append(slices.Clone(tools[k:]), tools[:k]...)
}

// shellRunName is the suffix of the names a run gives its pods.
func shellRunName(tool string, run int) string {
	if run < 0 {
		return tool + "-warmup"
	}
	return fmt.Sprintf("%s-%d", tool, run)
}

// shellDebugArgs are the debug command's arguments of a run of mode, the same for every
// tool: the target (a pod of the run's own for ephemeral runs), an interactive terminal
// and the image.
func shellDebugArgs(mode, namespace, node, name string) []string {
	args := []string{"-n", namespace}
	switch mode {
	case "ephemeral":
		args = append(args, "shell-"+name, "-it", "--image="+shellImage, "--target=main", "--container="+shellContainer)
	case "copy":
		args = append(args, shellSource, "-it", "--image="+shellImage, "--copy-to=shell-copy-"+name, "--container="+shellContainer)
	case "node":
		args = append(args, "node/"+node, "-it", "--image="+shellImage)
	}
	return args
}

// shellFloorArgs are the floor's arguments for a run of mode, which sends the object in
// file.
func shellFloorArgs(floor, mode, namespace, file string) []string {
	args := []string{floor, "-n", namespace, "-f", file}
	switch mode {
	case "ephemeral":
		return append(args, "-mode", "ephemeral", "-c", shellContainer)
	case "copy":
		return append(args, "-mode", "pod", "-c", shellContainer)
	default:
		return append(args, "-mode", "pod")
	}
}

// shellRun prepares, measures and cleans up one run.
func (b *bench) shellRun(s shellSetup, dir, mode, tool string, run int) (time.Duration, error) {
	name := shellRunName(tool, run)
	if mode == "ephemeral" {
		if err := b.createShellPod("shell-"+name, s, false); err != nil {
			return 0, err
		}
	}
	debugArgs := shellDebugArgs(mode, b.namespace, s.node, name)
	var argv []string
	switch tool {
	case "ours":
		argv = append([]string{b.ours, "--cache-dir=" + filepath.Join(b.warmDir, "ours")}, debugArgs...)
	case "upstream":
		argv = append([]string{b.upstream, "debug", "--cache-dir=" + filepath.Join(b.warmDir, "upstream")}, debugArgs...)
	case "floor":
		// The object ours would send, made before the clock starts.
		file := filepath.Join(dir, name+"-"+mode+".json")
		if err := b.dryRun(append(debugArgs, "--dry-run=client", "-o", "json"), file); err != nil {
			return 0, err
		}
		argv = shellFloorArgs(s.floor, mode, b.namespace, file)
	}
	time.Sleep(s.settle)
	times, err := timeToAnswer(argv, commandEnv(b.kubeconfig), s.timeout, s.exitTimeout)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return times.answered, b.deleteShellPods()
}

// dryRun writes to file what ours prints for args.
func (b *bench) dryRun(args []string, file string) error {
	cmd := exec.Command(b.ours, args...)
	cmd.Env = commandEnv(b.kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", b.ours, strings.Join(args, " "), err, stderr.String())
	}
	return os.WriteFile(file, stdout.Bytes(), 0o600)
}

// shellPod is a pod on the real node whose container sleeps and ends at once on SIGTERM
// (as PID 1 it would otherwise ignore it until the grace period ran out). The copy
// source is placed by the scheduler, which its node selector and toleration lead to
// the real node, as they lead its copies; its containers are not restarted, so a
// copy's debug container stays ended after its session. Ephemeral targets name the
// node.
func shellPod(name, node, taint string, source bool) map[string]any {
	spec := map[string]any{
		"terminationGracePeriodSeconds": 1,
		"containers": []any{map[string]any{
			"name": "main", "image": shellImage, "imagePullPolicy": "Never",
			"command": []string{"sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"},
		}},
	}
	if source {
		spec["nodeSelector"] = map[string]string{"kubernetes.io/hostname": node}
		spec["tolerations"] = []any{map[string]string{"key": taint, "operator": "Exists", "effect": "NoSchedule"}}
		spec["restartPolicy"] = "Never"
	} else {
		spec["nodeName"] = node
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata":   map[string]any{"name": name},
		"spec":       spec,
	}
}

// createShellPod creates a shellPod and waits until it is ready.
func (b *bench) createShellPod(name string, s shellSetup, source bool) error {
	body, err := json.Marshal(shellPod(name, s.node, s.taint, source))
	if err != nil {
		return fmt.Errorf("encoding pod %s: %w", name, err)
	}
	cmd := exec.Command(b.kubectl, "--kubeconfig="+b.kubeconfig, "create", "-n", b.namespace, "-f", "-")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("creating pod %s: %w\n%s", name, err, out)
	}
	return b.kubectlRun("wait", "-n", b.namespace, "--for=condition=Ready", "pod/"+name, "--timeout=120s")
}

// deleteShellPods deletes every pod of the namespace but the copy source (the run's
// target, copy or node debugging pod) and waits until they are gone.
func (b *bench) deleteShellPods() error {
	return b.kubectlRun("delete", "pods", "-n", b.namespace, "--field-selector=metadata.name!="+shellSource,
		"--wait=true", "--timeout=120s")
}

func (b *bench) kubectlRun(args ...string) error {
	out, err := exec.Command(b.kubectl, append([]string{"--kubeconfig=" + b.kubeconfig}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// percentile is the nearest-rank percentile p (0 < p <= 100) of samples: the smallest
// sample that at least p percent of the samples do not exceed.
func percentile(samples []time.Duration, p float64) time.Duration {
	v := slices.Clone(samples)
	slices.Sort(v)
	rank := int(math.Ceil(p / 100 * float64(len(v))))
	return v[max(rank, 1)-1]
}

// shellGoalLine says whether ours' p50 of a mode meets both bounds.
func shellGoalLine(mode string, ours, upstream, floor time.Duration) string {
	toUpstream := float64(ours) / float64(upstream)
	toFloor := float64(ours) / float64(floor)
	return fmt.Sprintf("goal (%s): ours <= %.1fx upstream p50 and <= %.1fx floor p50: %.2fx and %.2fx, %s",
		mode, shellGoalUpstream, shellGoalFloor, toUpstream, toFloor,
		verdict(toUpstream <= shellGoalUpstream && toFloor <= shellGoalFloor))
}

func (b *bench) reportShell(runs int, results map[string]map[string][]time.Duration) {
	fmt.Printf("\nshell: Enter to a shell that answers, %d runs per tool and mode; from the start of the command in a pseudo-terminal, %q typed at once, to %q on the terminal\n\n",
		runs, strings.TrimSuffix(typedAhead, "\r"), answer)
	var rows [][]string
	var goals []string
	for _, mode := range shellModes {
		r := results[mode]
		p50 := map[string]time.Duration{}
		p90 := map[string]time.Duration{}
		for _, tool := range shellTools {
			p50[tool], p90[tool] = percentile(r[tool], 50), percentile(r[tool], 90)
			rows = append(rows, []string{mode, tool, ms(p50[tool]), ms(p90[tool])})
		}
		rows = append(rows,
			[]string{mode, "ours/upstream", ratio(p50["ours"], p50["upstream"]), ratio(p90["ours"], p90["upstream"])},
			[]string{mode, "ours/floor", ratio(p50["ours"], p50["floor"]), ratio(p90["ours"], p90["floor"])},
			// How far any client can go below upstream on this node.
			[]string{mode, "floor/upstream", ratio(p50["floor"], p50["upstream"]), ratio(p90["floor"], p90["upstream"])},
		)
		goals = append(goals, shellGoalLine(mode, p50["ours"], p50["upstream"], p50["floor"]))
	}
	b.table([]string{"mode", "tool", "p50", "p90"}, rows)
	fmt.Println()
	for _, g := range goals {
		fmt.Println(g)
	}
}
