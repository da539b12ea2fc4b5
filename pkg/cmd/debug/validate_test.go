package debug

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestValidationErrors(t *testing.T) {
	custom := writeFile(t, "ports.yaml", "ports:\n- containerPort: 8080\n")
	env := writeFile(t, "env.yaml", "env: [{name: A, value: b}]\n")
	noAPIVersion := writeFile(t, "noapi.yaml", "kind: Pod\nmetadata: {name: a}\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"--image=busybox"}, "a pod or node to debug is required: give NAME, TYPE/NAME, TYPE -l SELECTOR or -f FILE"},
		{"unknown profile", []string{"app", "--image=busybox", "--profile=bogus"}, `invalid --profile "bogus": must be one of legacy, general, baseline, restricted, netadmin, sysadmin, auto`},
		{"profile is case sensitive", []string{"app", "--image=busybox", "--profile=General"}, `invalid --profile "General": must be one of legacy, general, baseline, restricted, netadmin, sysadmin, auto`},
		{"upper-case image", []string{"app", "--image=BusyBox"}, `invalid --image "BusyBox": invalid reference format`},
		{"bad set-image", []string{"app", "--copy-to=x", "--set-image=web=Nginx"}, `invalid --set-image image for container "web" "Nginx": invalid reference format`},
		{"pull policy", []string{"app", "--image=busybox", "--image-pull-policy=Sometimes"}, `invalid --image-pull-policy "Sometimes": must be Always, IfNotPresent or Never`},
		{"tty without stdin", []string{"app", "--image=busybox", "-t"}, "-t/--tty requires -i/--stdin"},
		{"attach without container", []string{"app", "--copy-to=x", "--set-image=*=busybox", "--attach=true"}, "--attach needs a container: give -c/--container or create a new one with --image"},
		{"replace alone", []string{"app", "--image=busybox", "--replace"}, "--replace can only be used with --copy-to"},
		{"same-node alone", []string{"app", "--image=busybox", "--same-node"}, "--same-node can only be used with --copy-to"},
		{"set-image alone", []string{"app", "--image=busybox", "--set-image=*=busybox"}, "--set-image can only be used with --copy-to"},
		{"no image", []string{"app"}, "--image is required unless --copy-to is used"},
		{"copy with nothing to change", []string{"app", "--copy-to=x"}, "--copy-to needs --image, --set-image or a command after --"},
		{"copy command without container", []string{"app", "--copy-to=x", "--", "sh"}, "a command with --copy-to needs -c/--container naming an existing container, or --image for a new one"},
		{"copy custom without container", []string{"app", "--copy-to=x", "--set-image=*=busybox", "--custom=" + env}, "--custom needs a debug container: give --image or -c/--container"},
		{"target with copy", []string{"app", "--image=busybox", "--copy-to=x", "--target=web"}, "--target cannot be used with --copy-to: use --share-processes to see the other containers' processes"},
		{"node with copy-to", []string{"node/node-a", "--image=busybox", "--copy-to=x"}, "--copy-to cannot be used with node/node-a: it only applies to copies of pods, and debugging a node creates a new pod"},
		{"node with keep-labels", []string{"nodes/node-a", "--image=busybox", "--keep-labels"}, "--keep-labels cannot be used with node/node-a: it only applies to copies of pods, and debugging a node creates a new pod"},
		{"node with share-processes", []string{"no/node-a", "--image=busybox", "--share-processes=false"}, "--share-processes cannot be used with node/node-a: it only applies to copies of pods, and debugging a node creates a new pod"},
		{"node with target", []string{"node/node-a", "--image=busybox", "--target=web"}, "--target cannot be used with node/node-a: it names a container of the debugged pod"},
		{"target-fs without --target", []string{"app", "--image=busybox", "--target-fs"}, "--target-fs runs the command in the filesystem of the --target container: give --target=NAME, or --target=auto"},
		{"target-fs with --copy-to", []string{"app", "--image=busybox", "--copy-to=x", "--target=web", "--target-fs"}, "--target-fs cannot be used with --copy-to: it enters the filesystem of the container an ephemeral debug container targets; with a copy, -c NAME -- COMMAND changes that container's own command"},
		{"target-fs a node", []string{"node/node-a", "--image=busybox", "--target-fs"}, "--target-fs cannot be used with node/node-a: it enters a container's filesystem, and a node's is at /host in its debugging pod (chroot /host)"},
		{"target-fs a node and --target", []string{"node/node-a", "--image=busybox", "--target=web", "--target-fs"}, "--target-fs cannot be used with node/node-a: it enters a container's filesystem, and a node's is at /host in its debugging pod (chroot /host)"},
		{"target-fs --arguments-only", []string{"app", "--image=busybox", "--target=web", "--target-fs", "--arguments-only", "--", "ls"}, "--target-fs runs the words after -- as the command in the target's filesystem, so they cannot be --arguments-only"},
		{"ephemeral ports", []string{"app", "--image=busybox", "--custom=" + custom}, `--custom ` + custom + `: field "ports": it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node`},
		{"bad target", []string{"pod/a/b", "--image=busybox"}, `invalid target "pod/a/b": want NAME, TYPE/NAME or -f FILE`},
		{"empty name", []string{"pod/", "--image=busybox"}, `invalid target "pod/": want NAME, TYPE/NAME or -f FILE`},
		{"bad env", []string{"app", "--image=busybox", "--env=A"}, `invalid argument "A" for "--env" flag: "A" is not NAME=VALUE`},
		{"unknown flag", []string{"app", "--image=busybox", "--bogus"}, `unknown flag: --bogus`},
		{"empty set-image", []string{"app", "--copy-to=x", "--set-image=web="}, `invalid --set-image: no image for container "web"`},
		{"copy onto itself", []string{"app", "--image=busybox", "--copy-to=app", "--replace"}, `--copy-to "app" is the name of the pod being copied: the copy needs a name of its own`},
		{"container name", []string{"app", "--image=busybox", "-c", "dbg-INT"}, `invalid -c/--container "dbg-INT": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`},
		{"copy name", []string{"app", "--image=busybox", "--copy-to=Copy_1"}, `invalid --copy-to "Copy_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		{"empty env", []string{"app", "--image=busybox", "--env="}, `invalid argument "" for "--env" flag: "" is not NAME=VALUE`},
		{"file without apiVersion", []string{"-f", noAPIVersion, "--image=busybox"},
			"-f " + noAPIVersion + `: an object needs both apiVersion and kind (found apiVersion null, kind "Pod")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fake.NewClientset(appPod(), nodeA())
			r := runCommand(t, client, "", tt.args...)
			if got := errString(r.err); got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.want)
			}
			if n := len(client.Actions()); n != 0 {
				t.Errorf("%d API calls were made, want none: %v", n, client.Actions())
			}
			if r.stdout != "" || r.stderr != "" {
				t.Errorf("printed %q / %q, want nothing", r.stdout, r.stderr)
			}
		})
	}
}

// The conformance data's error cases, which upstream refuses or this project refuses on
// purpose, fail here with these messages: before any API call, or for what only the
// node's operating system tells, after reading the node and before any write.
func TestConformanceErrorCases(t *testing.T) {
	dir := filepath.Join("testdata", "conformance")
	custom := filepath.Join(dir, "custom")
	want := map[string]string{
		"e-ports":           `--custom ` + custom + `/ports.yaml: field "ports": it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node`,
		"e-typo":            `--custom ` + custom + `/typo.yaml: unknown field "enviroment"`,
		"e-empty":           `--custom ` + custom + `/empty.yaml: the file is empty: a custom profile is a partial container spec such as {"env": [...]}`,
		"n-host-rm":         `--custom ` + custom + `/host-rm.yaml: volumeMounts: a custom profile may make the mount of the node's filesystem at /host read-only, but cannot remove, move or otherwise change it`,
		"n-copy-flag":       `--copy-to cannot be used with node/node-a: it only applies to copies of pods, and debugging a node creates a new pod`,
		"x-no-image":        `--image is required unless --copy-to is used`,
		"x-replace-alone":   `--replace can only be used with --copy-to`,
		"x-tty-no-stdin":    `-t/--tty requires -i/--stdin`,
		"x-target-copy":     `--target cannot be used with --copy-to: use --share-processes to see the other containers' processes`,
		"x-bad-profile":     `invalid --profile "bogus": must be one of legacy, general, baseline, restricted, netadmin, sysadmin, auto`,
		"x-missing-file":    `--custom /nonexistent/custom.json: no such file or directory`,
		"x-custom-image":    `--custom ` + custom + `/image.yaml: field "image" cannot be set by a custom profile: the image comes from --image`,
		"x-custom-command":  `--custom ` + custom + `/command.json: field "command" cannot be set by a custom profile: the command comes from the arguments after --`,
		"x-custom-badjson":  `--custom ` + custom + `/bad.json: invalid JSON at line 1, column 37: unexpected end of input`,
		"x-pull-policy":     `invalid --image-pull-policy "Sometimes": must be Always, IfNotPresent or Never`,
		"w-hostprocess-off": `--custom ` + custom + `/windows-hostprocess-off.yaml: securityContext.windowsOptions.hostProcess: a custom profile cannot turn off HostProcess, which debugging a Windows node runs as`,
	}
	reads := map[string][]action{
		"w-hostprocess-off": {{"get", "nodes", "", "", "node-w"}},
	}
	windows := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-w", Labels: map[string]string{"kubernetes.io/os": "windows"}}}
	f, err := os.Open(filepath.Join(dir, "cases.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := 0
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.SplitN(line, "|", 4)
		if len(fields) != 4 || fields[2] != "error" {
			continue
		}
		id, args := fields[0], strings.Fields(strings.ReplaceAll(fields[3], "$C", custom))
		seen++
		t.Run(id, func(t *testing.T) {
			client := fake.NewClientset(appPod(), nonrootPod(), nodeA(), windows)
			r := runCommand(t, client, "", args...)
			if got := errString(r.err); got != want[id] {
				t.Errorf("error:\n got: %s\nwant: %s", got, want[id])
			}
			assertActions(t, client, reads[id])
		})
	}
	if seen != len(want) {
		t.Errorf("ran %d error cases, want %d", seen, len(want))
	}
}

// A flag given an empty value where empty means nothing is refused, naming the flag,
// before any request.
func TestEmptyValuesRefused(t *testing.T) {
	hint := " was given an empty value: give a value, or leave the flag out"
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"app", "--image=busybox", "--dry-run="}, "--dry-run"},
		{[]string{"app", "--image=busybox", "--copy-to="}, "--copy-to"},
		{[]string{"app", "--image="}, "--image"},
		{[]string{"app", "--image=busybox", "--profile="}, "--profile"},
		{[]string{"app", "--image=busybox", "-c", ""}, "-c/--container"},
		{[]string{"app", "--image=busybox", "--container="}, "-c/--container"},
		{[]string{"app", "--image=busybox", "--custom="}, "--custom"},
		{[]string{"app", "--image=busybox", "--custom=c.yaml", "--custom", ""}, "--custom"},
		{[]string{"app", "--image=busybox", "--target="}, "--target"},
		{[]string{"app", "--image=busybox", "--share-volumes="}, "--share-volumes"},
		{[]string{"--image=busybox", "-l", ""}, "-l/--selector"},
		{[]string{"--image=busybox", "-f", ""}, "-f/--filename"},
	}
	for _, tt := range tests {
		client := fake.NewClientset(appPod())
		r := runCommand(t, client, "", tt.args...)
		if got, want := errString(r.err), tt.flag+hint; got != want {
			t.Errorf("%q: error = %q, want %q", tt.args, got, want)
		}
		assertActions(t, client, nil)
	}
	// The flags that take no value keep their meaning without one.
	client := fake.NewClientset(appPod())
	r := runCommand(t, client, "", "app", "--image=busybox", "-c", "dbg", "--dry-run", "--share-volumes", "--target=web")
	if r.err != nil {
		t.Errorf("--dry-run and --share-volumes without a value: %v", r.err)
	}
}

// Standard input is read once: by one -f -, or given to the debug container.
func TestStdinReadOnce(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-f", "-", "-f", "-", "--image=busybox"}, "-f - is given 2 times: standard input can be read once"},
		{[]string{"-f", "-", "--image=busybox", "-i"}, "-f - reads standard input, which -i/--stdin gives to the debug container"},
		{[]string{"-f", dir, "--image=busybox"}, "-f " + dir + ": a directory with no .json, .yaml or .yml file"},
	}
	for _, tt := range tests {
		client := fake.NewClientset(appPod())
		r := runCommand(t, client, "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\n", tt.args...)
		if got := errString(r.err); got != tt.want {
			t.Errorf("%v: error = %q, want %q", tt.args, got, tt.want)
		}
		assertActions(t, client, nil)
	}
}
