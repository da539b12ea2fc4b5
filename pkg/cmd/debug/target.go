package debug

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-debugger/kubectl-debugger/internal/readfile"
)

// targetKind is what a target turned out to be; kindUnknown needs the REST mapper.
type targetKind int

const (
	kindUnknown targetKind = iota
	kindPod
	kindNode
	// kindWorkload is a controller or service that stands for one of its pods.
	kindWorkload
)

// target is one thing to debug as the command line or a -f file names it: a pod, a node
// or a workload by name, or every pod or node a label selector matches.
type target struct {
	kind targetKind
	// resource is the TYPE part of TYPE/NAME, kept for the REST mapper.
	resource string
	// name is empty for a selector target.
	name string
	// namespace is empty for nodes, and for pods selected in every namespace.
	namespace string
	// selector is the -l label query of a selector target.
	selector string
	// workload says how to find the pods of a kindWorkload target.
	workload *workloadKind
	// object is the pod or node read from a -f file; it is used as it is, without a GET.
	object runtime.Object
}

// describe names the target for messages.
func (t target) describe() string {
	if t.selector != "" {
		what := "pods"
		if t.kind == kindNode {
			what = "nodes"
		}
		return fmt.Sprintf("%s -l %s", what, t.selector)
	}
	switch t.kind {
	case kindPod:
		return "pod/" + t.name
	case kindNode:
		return "node/" + t.name
	case kindWorkload:
		return t.workload.singular + "/" + t.name
	}
	return t.resource + "/" + t.name
}

// Short forms of pods and nodes resolve without API discovery, so a debug call costs one
// GET; workloads have a table of their own (workload.go); anything else goes through the
// REST mapper.
var (
	podResources  = map[string]bool{"pod": true, "pods": true, "po": true}
	nodeResources = map[string]bool{"node": true, "nodes": true, "no": true}
)

// parseTargets turns the words before -- into targets: names, or with -l at most one
// TYPE (pods when none) whose objects the selector chooses.
func parseTargets(args []string, selector string, allNamespaces bool, namespace string) ([]target, error) {
	if allNamespaces {
		namespace = ""
	}
	if selector == "" {
		targets := make([]target, 0, len(args))
		for _, arg := range args {
			t, err := parseTarget(arg, namespace)
			if err != nil {
				return nil, err
			}
			targets = append(targets, t)
		}
		return targets, nil
	}
	resource := "pods"
	switch {
	case len(args) > 1:
		return nil, fmt.Errorf("-l/--selector chooses the targets: give at most one TYPE (pods or nodes) with it, not %d names", len(args))
	case len(args) == 1:
		resource = args[0]
	}
	if strings.Contains(resource, "/") {
		return nil, fmt.Errorf("-l/--selector cannot be used with a name (%s): give either names or a selector", resource)
	}
	kind := kindOf(resource)
	switch kind {
	case kindPod:
		return []target{{kind: kindPod, resource: resource, namespace: namespace, selector: selector}}, nil
	case kindNode:
		return []target{{kind: kindNode, resource: resource, selector: selector}}, nil
	}
	return nil, fmt.Errorf("-l/--selector selects pods or nodes: %q is neither (give TYPE pods or nodes, or names without a selector)", resource)
}

// kindOf tells whether resource (TYPE, maybe with version and group) is pods or nodes.
func kindOf(resource string) targetKind {
	base, version, _ := strings.Cut(strings.ToLower(resource), ".")
	if version != "" && version != "v1" && version != "v1." {
		return kindUnknown
	}
	switch {
	case podResources[base]:
		return kindPod
	case nodeResources[base]:
		return kindNode
	}
	return kindUnknown
}

// parseTarget turns NAME or TYPE/NAME into a target in namespace.
func parseTarget(arg, namespace string) (target, error) {
	resource, name, hasType := strings.Cut(arg, "/")
	if !hasType {
		resource, name = "pods", arg
	}
	if name == "" || strings.Contains(name, "/") || resource == "" {
		return target{}, fmt.Errorf("invalid target %q: want NAME, TYPE/NAME or -f FILE", arg)
	}
	t := target{kind: kindOf(resource), resource: resource, name: name, namespace: namespace}
	switch t.kind {
	case kindNode:
		t.namespace = ""
	case kindUnknown:
		if w := workloadByResource(resource); w != nil {
			t.kind, t.workload = kindWorkload, w
		}
	}
	return t, nil
}

// mapTarget resolves a target of unknown kind with the REST mapper.
func mapTarget(t target, mapper meta.RESTMapper) (target, error) {
	fullySpecified, groupResource := schema.ParseResourceArg(strings.ToLower(t.resource))
	var (
		gvk schema.GroupVersionKind
		err error
	)
	if fullySpecified != nil {
		gvk, err = mapper.KindFor(*fullySpecified)
	}
	if fullySpecified == nil || err != nil {
		gvk, err = mapper.KindFor(groupResource.WithVersion(""))
	}
	if err != nil {
		return target{}, fmt.Errorf("resolving %q: %w", t.resource+"/"+t.name, err)
	}
	if gvk.Group == "" && gvk.Version == "v1" {
		switch gvk.Kind {
		case "Pod":
			t.kind = kindPod
			return t, nil
		case "Node":
			t.kind, t.namespace = kindNode, ""
			return t, nil
		}
	}
	if w := workloadByKind(gvk); w != nil {
		t.kind, t.workload = kindWorkload, w
		return t, nil
	}
	return target{}, fmt.Errorf("%s %q is not supported: only pods, nodes and workloads (%s) can be debugged", gvk.Kind, t.name, workloadKindList())
}

// maxManifestSize bounds a -f file before it is read whole: a List of thousands of pods
// fits, an endless stream (a device, a pipe that never ends) does not.
const maxManifestSize = 64 << 20

// readTargetFiles reads the pods and nodes in the -f files (a file, a directory of .json,
// .yaml and .yml files, or - for standard input). An object without a namespace goes to
// namespace; one whose namespace contradicts an explicit -n is refused.
func readTargetFiles(ctx context.Context, paths []string, stdin io.Reader, namespace string, explicitNamespace bool) ([]target, error) {
	var targets []target
	for _, path := range paths {
		files, err := expandPath(path)
		if err != nil {
			return nil, err
		}
		for _, file := range files {
			data, err := readfile.Read(ctx, file, stdin, maxManifestSize)
			if err != nil {
				return nil, fmt.Errorf("-f %s: %w", file, err)
			}
			found, err := decodeTargets(data, namespace, explicitNamespace)
			if err != nil {
				return nil, fmt.Errorf("-f %s: %w", file, err)
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("-f %s: no objects found", file)
			}
			targets = append(targets, found...)
		}
	}
	return targets, nil
}

// expandPath lists the manifest files path stands for.
func expandPath(path string) ([]string, error) {
	if path == "-" {
		return []string{path}, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("-f %s: %w", path, pathError(err))
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("-f %s: %w", path, pathError(err))
	}
	var files []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".json", ".yaml", ".yml":
			if !e.IsDir() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	}
	sort.Strings(files)
	return files, nil
}

// decodeTargets decodes every document in data, expanding lists.
func decodeTargets(data []byte, namespace string, explicitNamespace bool) ([]target, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var targets []target
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return targets, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		found, err := decodeObject(doc, namespace, explicitNamespace)
		if err != nil {
			return nil, err
		}
		targets = append(targets, found...)
	}
}

// decodeObject decodes one pod, node or list of them.
func decodeObject(doc []byte, namespace string, explicitNamespace bool) ([]target, error) {
	var meta struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return nil, err
	}
	if meta.APIVersion == "" && meta.Kind == "" {
		return nil, nil
	}
	if meta.APIVersion == "" || meta.Kind == "" {
		return nil, fmt.Errorf("an object needs both apiVersion and kind (found apiVersion %q, kind %q)", meta.APIVersion, meta.Kind)
	}
	switch {
	case meta.APIVersion == "v1" && meta.Kind == "Pod":
		pod := &corev1.Pod{}
		if err := yaml.Unmarshal(doc, pod); err != nil {
			return nil, fmt.Errorf("decoding pod: %w", err)
		}
		if pod.Name == "" {
			return nil, fmt.Errorf("a pod without metadata.name")
		}
		switch {
		case pod.Namespace == "":
			pod.Namespace = namespace
		case explicitNamespace && pod.Namespace != namespace:
			return nil, fmt.Errorf("pod %q is in namespace %q, not in namespace %q given with --namespace", pod.Name, pod.Namespace, namespace)
		}
		return []target{{kind: kindPod, name: pod.Name, namespace: pod.Namespace, object: pod}}, nil
	case meta.APIVersion == "v1" && meta.Kind == "Node":
		node := &corev1.Node{}
		if err := yaml.Unmarshal(doc, node); err != nil {
			return nil, fmt.Errorf("decoding node: %w", err)
		}
		if node.Name == "" {
			return nil, fmt.Errorf("a node without metadata.name")
		}
		return []target{{kind: kindNode, name: node.Name, object: node}}, nil
	case strings.HasSuffix(meta.Kind, "List"):
		var targets []target
		for _, item := range meta.Items {
			found, err := decodeObject(item, namespace, explicitNamespace)
			if err != nil {
				return nil, err
			}
			targets = append(targets, found...)
		}
		return targets, nil
	}
	return nil, fmt.Errorf("%s %s is not supported: only pods and nodes can be debugged", meta.APIVersion, meta.Kind)
}

// pathError drops the path os errors repeat, since the caller names the file.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
