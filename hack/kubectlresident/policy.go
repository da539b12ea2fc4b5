package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubectl-debugger/kubectl-debugger/hack/kubectlresident/wire"
)

// verbs are the commands run in the server: those the suite asserts and sets up with,
// which end on their own and touch no terminal. Any other (attach, exec, logs, debug,
// port-forward, plugins) runs in a kubectl process of its own.
var verbs = map[string]bool{
	"get": true, "create": true, "apply": true, "patch": true, "label": true,
	"annotate": true, "delete": true, "wait": true,
}

// refusedFlags change what a command shares with the process (watches that never end,
// warnings counted process-wide, profiles written to the working directory, kuberc
// aliases that rewrite the arguments, kustomize directories read relative to it).
var refusedFlags = []string{
	"-w", "--watch", "--watch-only", "--warnings-as-errors", "--profile",
	"--profile-output", "--kuberc", "-k", "--kustomize",
}

// command is what the server runs for a request.
type command struct {
	// args are kubectl's arguments, --kubeconfig added where the caller's KUBECONFIG
	// differs from the server's.
	args []string
	// stdin says the command reads its manifests from standard input (-f -).
	stdin bool
}

// plan decides whether the server runs req as kubectl would for the caller, given the
// server's own environment: the process-wide state a command reads (the environment,
// the working directory, os.Stdin) must be what the caller's process would have, or
// be passed as a flag. An error says why not; the caller then runs kubectl itself.
func plan(req wire.Request, own map[string]string) (command, error) {
	args := req.Args
	verb := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "--") || !strings.Contains(a, "=") {
			verb = a
			break
		}
	}
	if !verbs[verb] {
		return command{}, fmt.Errorf("command %q is not run here", verb)
	}
	cmd := command{args: args}
	hasKubeconfig := false
	for i := 0; i < len(args); i++ {
		name, value, inline := strings.Cut(args[i], "=")
		for _, refused := range refusedFlags {
			if name == refused {
				return command{}, fmt.Errorf("flag %s is not run here", name)
			}
		}
		switch {
		case name == "-f" || name == "--filename" || name == "--kubeconfig":
			if !inline {
				if i+1 == len(args) {
					continue
				}
				i++
				value = args[i]
			}
		case strings.HasPrefix(name, "-f") && !strings.HasPrefix(name, "--"):
			// The shorthand with its value attached: -fFILE.
			name, value = "-f", strings.TrimPrefix(args[i], "-f")
		default:
			continue
		}
		if name == "--kubeconfig" {
			hasKubeconfig = true
		}
		switch {
		case value == "-" && name != "--kubeconfig":
			cmd.stdin = true
		case strings.Contains(value, "://") && name != "--kubeconfig":
		case !filepath.IsAbs(value):
			return command{}, fmt.Errorf("%s %s is relative to the caller's directory", name, value)
		}
	}
	if err := sameEnv(req.Env, own); err != nil {
		return command{}, err
	}
	if err := noKuberc(req.Env); err != nil {
		return command{}, err
	}
	theirs, set := req.Env["KUBECONFIG"]
	if hasKubeconfig || theirs == own["KUBECONFIG"] {
		return cmd, nil
	}
	if !set || theirs == "" || strings.Contains(theirs, string(filepath.ListSeparator)) || !filepath.IsAbs(theirs) {
		return command{}, fmt.Errorf("KUBECONFIG %q cannot be given as --kubeconfig", theirs)
	}
	cmd.args = append([]string{"--kubeconfig=" + theirs}, args...)
	return cmd, nil
}

// sameEnv checks that the variables kubectl reads, but KUBECONFIG, are the server's.
func sameEnv(theirs, own map[string]string) error {
	for _, pair := range [2][2]map[string]string{{theirs, own}, {own, theirs}} {
		for name, value := range pair[0] {
			if name == "KUBECONFIG" {
				continue
			}
			if other, ok := pair[1][name]; !ok || other != value {
				return fmt.Errorf("environment variable %s differs from the server's", name)
			}
		}
	}
	return nil
}

// noKuberc checks that no kuberc applies: its aliases would rewrite the arguments.
func noKuberc(env map[string]string) error {
	if env["KUBECTL_KUBERC"] == "false" {
		return nil
	}
	if path, set := env["KUBERC"]; set {
		if path == "off" {
			return nil
		}
		return fmt.Errorf("KUBERC names a kuberc")
	}
	if home := env["HOME"]; home != "" {
		if _, err := os.Stat(filepath.Join(home, ".kube", "kuberc")); err == nil {
			return fmt.Errorf("%s exists", filepath.Join(home, ".kube", "kuberc"))
		}
	}
	return nil
}
