package debug

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-debugger/kubectl-debugger/internal/readfile"
	"github.com/kubectl-debugger/kubectl-debugger/internal/strictdoc"
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
	var unknown *meta.NoResourceMatchError
	if errors.As(err, &unknown) {
		// Itself, as kubectl's builder returns it: kubectl says the server has no such
		// type only for the error itself.
		return target{}, unknown
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
// .yaml and .yml files, an http or https URL, or - for standard input). An object
// without a namespace goes to namespace; one whose namespace contradicts an explicit -n
// is refused.
func readTargetFiles(ctx context.Context, paths []string, stdin io.Reader, namespace string, explicitNamespace bool) ([]target, error) {
	var targets []target
	for _, path := range paths {
		files := []string{path}
		if !isManifestURL(path) {
			var err error
			if files, err = expandPath(path); err != nil {
				return nil, err
			}
		}
		for _, file := range files {
			data, err := readManifest(ctx, file, stdin)
			if err != nil {
				return nil, fmt.Errorf("-f %s: %w", file, err)
			}
			found, err := decodeTargets(file, data, namespace, explicitNamespace)
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

// readManifest reads one -f file, standard input or URL.
func readManifest(ctx context.Context, file string, stdin io.Reader) ([]byte, error) {
	if isManifestURL(file) {
		return readManifestURL(ctx, file, maxManifestSize)
	}
	return readfile.Read(ctx, file, stdin, maxManifestSize)
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
	if len(files) == 0 {
		return nil, fmt.Errorf("-f %s: a directory with no .json, .yaml or .yml file", path)
	}
	sort.Strings(files)
	return files, nil
}

// decodeTargets decodes every document of the -f file name strictly: a pod, a node, a
// workload, or a list of them, each checked against its type, so that a misspelt
// field, a duplicate key or content after a document is an error naming the document,
// the item and the field, as for --custom.
func decodeTargets(name string, data []byte, namespace string, explicitNamespace bool) ([]target, error) {
	docs, err := strictdoc.Decode(name, data)
	if err != nil {
		return nil, err
	}
	var targets []target
	for i, doc := range docs {
		found, err := decodeObject(doc.Value, "", namespace, explicitNamespace)
		if err != nil {
			if len(docs) > 1 {
				return nil, fmt.Errorf("document %d (line %d): %w", i+1, doc.Line, err)
			}
			return nil, err
		}
		targets = append(targets, found...)
	}
	return targets, nil
}

var (
	podType  = reflect.TypeFor[corev1.Pod]()
	nodeType = reflect.TypeFor[corev1.Node]()
)

// decodeObject decodes one pod, node, workload or list of them found at path.
func decodeObject(value any, path string, namespace string, explicitNamespace bool) ([]target, error) {
	at := func(what string) string {
		if path == "" {
			return what
		}
		return path + " (" + what + ")"
	}
	prefix := ""
	if path != "" {
		prefix = path + ": "
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%sexpected an object (a pod, a node, a workload or a list), got %s", prefix, strictdoc.DescribeJSON(value))
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return nil, fmt.Errorf("%san object needs both apiVersion and kind (found apiVersion %s, kind %s)", prefix, strictdoc.JSONText(obj["apiVersion"]), strictdoc.JSONText(obj["kind"]))
	}
	name := ""
	if meta, ok := obj["metadata"].(map[string]any); ok {
		name, _ = meta["name"].(string)
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid apiVersion %q", at(strings.ToLower(kind)), apiVersion)
	}
	switch {
	case gv == corev1.SchemeGroupVersion && kind == "Pod":
		pod := &corev1.Pod{}
		if err := decodeStrict(obj, podType, pod); err != nil {
			return nil, fmt.Errorf("%s: %w", at(fmt.Sprintf("pod %q", name)), err)
		}
		if pod.Name == "" {
			return nil, fmt.Errorf("%s: a pod without metadata.name", at("pod"))
		}
		// Pod and node names are DNS subdomains, as the server checks them.
		if err := checkObjectMeta(apivalidation.NameIsDNSSubdomain, pod.Name, pod.Namespace); err != nil {
			return nil, fmt.Errorf("%s: %w", at(fmt.Sprintf("pod %q", pod.Name)), err)
		}
		switch {
		case pod.Namespace == "":
			pod.Namespace = namespace
		case explicitNamespace && pod.Namespace != namespace:
			return nil, fmt.Errorf("pod %q is in namespace %q, not in namespace %q given with --namespace", pod.Name, pod.Namespace, namespace)
		}
		return []target{{kind: kindPod, name: pod.Name, namespace: pod.Namespace, object: pod}}, nil
	case gv == corev1.SchemeGroupVersion && kind == "Node":
		node := &corev1.Node{}
		if err := decodeStrict(obj, nodeType, node); err != nil {
			return nil, fmt.Errorf("%s: %w", at(fmt.Sprintf("node %q", name)), err)
		}
		if node.Name == "" {
			return nil, fmt.Errorf("%s: a node without metadata.name", at("node"))
		}
		// A node is in no namespace: the server ignores one given.
		if err := checkObjectMeta(apivalidation.NameIsDNSSubdomain, node.Name, ""); err != nil {
			return nil, fmt.Errorf("%s: %w", at(fmt.Sprintf("node %q", node.Name)), err)
		}
		return []target{{kind: kindNode, name: node.Name, object: node}}, nil
	case strings.HasSuffix(kind, "List"):
		items, ok := obj["items"].([]any)
		if !ok && obj["items"] != nil {
			return nil, strictdoc.TypeError(strictdoc.JoinPath(path, "items"), "a list", obj["items"])
		}
		var targets []target
		for i, item := range items {
			found, err := decodeObject(item, fmt.Sprintf("%sitems[%d]", strings.TrimSuffix(path+".", "."), i), namespace, explicitNamespace)
			if err != nil {
				return nil, err
			}
			targets = append(targets, found...)
			// The decoded item is all that is needed of it from now on: a list of
			// thousands of pods is not held twice.
			items[i] = nil
		}
		return targets, nil
	}
	if w := workloadByKind(gv.WithKind(kind)); w != nil {
		if name == "" {
			return nil, fmt.Errorf("%s: a %s without metadata.name", at(w.singular), w.singular)
		}
		// A workload stands for one of its pods, read from the cluster.
		objNS := ""
		if meta, ok := obj["metadata"].(map[string]any); ok {
			objNS, _ = meta["namespace"].(string)
		}
		if err := checkObjectMeta(w.validName, name, objNS); err != nil {
			return nil, fmt.Errorf("%s: %w", at(fmt.Sprintf("%s %q", w.singular, name)), err)
		}
		ns := namespace
		if objNS != "" {
			if explicitNamespace && objNS != namespace {
				return nil, fmt.Errorf("%s %q is in namespace %q, not in namespace %q given with --namespace", w.singular, name, objNS, namespace)
			}
			ns = objNS
		}
		return []target{{kind: kindWorkload, resource: w.names[0], name: name, namespace: ns, workload: w}}, nil
	}
	return nil, fmt.Errorf("%s %s is not supported: only pods, nodes and workloads (%s) can be debugged", apiVersion, kind, workloadKindList())
}

// checkObjectMeta refuses the name and namespace of an object from a -f file that the
// server would refuse, as it checks objects of the kind with validName, before either
// reaches a request path or a preview.
func checkObjectMeta(validName apivalidation.ValidateNameFunc, name, namespace string) error {
	if errs := validName(name, false); len(errs) > 0 {
		return fmt.Errorf("invalid metadata.name: %s", errs[0])
	}
	if namespace == "" {
		return nil
	}
	if errs := apivalidation.ValidateNamespaceName(namespace, false); len(errs) > 0 {
		return fmt.Errorf("invalid metadata.namespace %q: %s", briefText(namespace), errs[0])
	}
	return nil
}

// decodeStrict checks obj against type t, then decodes it into out. The status is the
// server's, not the user's: an object saved from a newer server may have fields there
// this client does not know, and nothing reads them, so it is left out.
func decodeStrict(obj map[string]any, t reflect.Type, out any) error {
	obj = maps.Clone(obj)
	delete(obj, "status")
	if err := strictdoc.CheckObject(obj, t, ""); err != nil {
		return err
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// pathError drops the path os errors repeat, since the caller names the file.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
