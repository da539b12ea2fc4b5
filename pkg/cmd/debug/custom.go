package debug

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
)

// customProfile is one --custom document, checked strictly and kept as the user wrote
// it, so that explicit false, 0, "" and null reach the merge. It is either a plain
// partial container (upstream's format) or a DebugProfile document with a container
// and a pod section.
type customProfile struct {
	// source is the file name as the user gave it, for messages.
	source string
	// document is true for the DebugProfile form, whose fields sit under container.
	document bool
	// container is the partial container, or nil.
	container map[string]any
	// containerPatch is the strategic merge patch built from container.
	containerPatch []byte
	// pod is the pod section of a DebugProfile document, or nil.
	pod map[string]any
	// podPatch is the strategic merge patch built from pod, without tolerations.
	podPatch []byte
	// tolerations are appended rather than merged, so a node debugger keeps its
	// tolerate-everything entry.
	tolerations []corev1.Toleration
}

// Identity of the DebugProfile document form.
const (
	profileAPIVersion = "kubectl-debugger/v1alpha1"
	profileKind       = "DebugProfile"
)

// maxCustomSize bounds a custom file: profiles are a few lines, and anything larger is a
// mistake or an attack on the parser.
const maxCustomSize = 1 << 20

// refusedContainerFields are container fields a custom profile may not set, each with the
// reason a user needs to hear. A null value is dropped instead: it would only clear what
// the flags set, which no user means.
var refusedContainerFields = map[string]string{
	"name":          "the container name comes from -c/--container",
	"command":       "the command comes from the arguments after --",
	"image":         "the image comes from --image",
	"lifecycle":     "lifecycle hooks are not supported on debug containers",
	"volumeDevices": "volume devices are not supported on debug containers",
}

// refusedPodFields are pod fields a profile document may not set, by path.
var refusedPodFields = map[string]string{
	"metadata.name":            "the pod name comes from --copy-to or is generated",
	"metadata.namespace":       "the namespace comes from the target or -n/--namespace",
	"spec.containers":          "containers come from the target pod; use the container section for the debug container",
	"spec.initContainers":      "init containers come from the target pod",
	"spec.ephemeralContainers": "ephemeral containers cannot be created with a pod",
	"spec.nodeName":            "the node comes from the target; use --same-node or debug the node itself",
}

// ephemeralForbiddenFields are the container fields the API server refuses on an
// ephemeral container; they work on a pod copy or a node debugging pod.
var ephemeralForbiddenFields = []string{
	"lifecycle", "livenessProbe", "ports", "readinessProbe", "resizePolicy",
	"resources", "restartPolicy", "restartPolicyRules", "startupProbe",
}

// DebugProfile is the document form of a custom profile: apiVersion
// kubectl-debugger/v1alpha1, kind DebugProfile. The plain form is a bare partial
// container. The JSON Schema for editors is generated from these types (hack/schema).
type DebugProfile struct {
	// APIVersion is always kubectl-debugger/v1alpha1.
	APIVersion string `json:"apiVersion"`
	// Kind is always DebugProfile.
	Kind string `json:"kind"`
	// Container is merged onto the debug container, as the plain form is.
	Container *corev1.Container `json:"container,omitempty"`
	// Pod is merged onto the debug pod in --copy-to and node modes.
	Pod *ProfilePod `json:"pod,omitempty"`
}

// ProfilePod is the pod section of a DebugProfile.
type ProfilePod struct {
	// Metadata adds labels and annotations.
	Metadata ProfilePodMetadata `json:"metadata,omitempty"`
	// Spec is merged onto the pod spec; tolerations are appended.
	Spec corev1.PodSpec `json:"spec,omitempty"`
}

// ProfilePodMetadata is what a profile may add to the debug pod's metadata.
type ProfilePodMetadata struct {
	// Labels are added to the pod's.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations are added to the pod's.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Fields a custom profile may not set, for tools that describe the format.
var (
	// RefusedContainerFields may only be null in a container section.
	RefusedContainerFields = sortedKeys(toAnyMap(refusedContainerFields))
	// RefusedPodFields, as paths below pod, may not appear at all.
	RefusedPodFields = sortedKeys(toAnyMap(refusedPodFields))
)

var podSectionType = reflect.TypeFor[ProfilePod]()

// profileLocation says where named profiles live: $KUBECTL_DEBUGGER_PROFILES, else
// ~/.kube/debug-profiles.
func profileLocation() string {
	if dir := os.Getenv("KUBECTL_DEBUGGER_PROFILES"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".kube", "debug-profiles")
	}
	return filepath.Join(home, ".kube", "debug-profiles")
}

// resolveCustomPath finds the file a --custom value names: a path, or for a bare word
// that is no file, a named profile NAME.yaml, NAME.yml or NAME.json in dir.
func resolveCustomPath(value, dir string) (string, error) {
	if strings.ContainsRune(value, '/') || strings.ContainsRune(value, filepath.Separator) {
		return value, nil
	}
	if _, err := os.Stat(value); err == nil {
		return value, nil
	}
	tried := []string{value}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		candidate := filepath.Join(dir, value+ext)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		tried = append(tried, candidate)
	}
	return "", fmt.Errorf("--custom %s: no such file, and no named profile %q: tried %s", value, value, strings.Join(tried, ", "))
}

// readCustomProfile reads and checks the --custom file at path ("-" for stdin).
func readCustomProfile(path string, stdin io.Reader) (*customProfile, error) {
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--custom %s: %w", path, unwrapPathError(err))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxCustomSize+1))
	if err != nil {
		return nil, fmt.Errorf("--custom %s: %w", path, unwrapPathError(err))
	}
	if len(data) > maxCustomSize {
		return nil, fmt.Errorf("--custom %s: larger than 1 MiB: a custom profile is a short partial spec", path)
	}
	return parseCustomProfile(path, data)
}

// unwrapPathError drops the path os errors repeat, since the caller names the file.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseCustomProfile decodes data strictly, as a partial container or a DebugProfile
// document; name is the file name used in messages and to choose the grammar.
func parseCustomProfile(name string, data []byte) (*customProfile, error) {
	fail := func(err error) error { return fmt.Errorf("--custom %s: %w", name, err) }
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, fail(errors.New(`the file is empty: a custom profile is a partial container spec such as {"env": [...]}`))
	}
	// Editors on some systems start files with a byte order mark; it carries no content.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, fail(errors.New("the file is not text: a custom profile is a JSON or YAML document"))
	}
	var (
		doc any
		err error
	)
	if isJSON(name, data) {
		doc, err = decodeJSONDocument(data)
	} else {
		doc, err = decodeYAMLDocument(data)
	}
	if err != nil {
		return nil, fail(err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fail(fmt.Errorf("the document is %s, but a custom profile must be an object: a partial container spec", describeJSON(doc)))
	}
	if len(obj) == 0 {
		return nil, fail(errors.New(`the document is empty: a custom profile is a partial container spec such as {"env": [...]}`))
	}

	c := &customProfile{source: name}
	_, hasVersion := obj["apiVersion"]
	_, hasKind := obj["kind"]
	if !hasVersion && !hasKind {
		err = c.setContainer(obj, "")
	} else {
		err = c.setDocument(obj)
	}
	if err != nil {
		return nil, fail(err)
	}
	return c, nil
}

// setDocument takes a DebugProfile document.
func (c *customProfile) setDocument(obj map[string]any) error {
	if obj["apiVersion"] != profileAPIVersion || obj["kind"] != profileKind {
		return fmt.Errorf("apiVersion %s and kind %s: a profile document has apiVersion %s and kind %s",
			jsonText(obj["apiVersion"]), jsonText(obj["kind"]), profileAPIVersion, profileKind)
	}
	c.document = true
	for _, key := range sortedKeys(obj) {
		switch key {
		case "apiVersion", "kind":
		case "container":
			container, ok := obj[key].(map[string]any)
			if !ok {
				return typeError("container", "an object", obj[key])
			}
			if err := c.setContainer(container, "container."); err != nil {
				return err
			}
		case "pod":
			pod, ok := obj[key].(map[string]any)
			if !ok {
				return typeError("pod", "an object", obj[key])
			}
			if err := c.setPod(pod); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown field %q: a profile document has apiVersion, kind, container and pod", key)
		}
	}
	return nil
}

// setContainer takes a partial container found at prefix ("" or "container.").
func (c *customProfile) setContainer(obj map[string]any, prefix string) error {
	if err := checkAgainstSchema(obj, containerType, ""); err != nil {
		return prefixError(err, prefix)
	}
	patch := make(map[string]any, len(obj))
	for _, key := range sortedKeys(obj) {
		value := obj[key]
		if reason, refused := refusedContainerFields[key]; refused {
			if value != nil {
				return fmt.Errorf("field %q cannot be set by a custom profile: %s", prefix+key, reason)
			}
			continue
		}
		if err := checkTopDirective(key, prefix, refusedContainerFields, "the whole container"); err != nil {
			return err
		}
		patch[key] = value
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	// A trial merge onto an empty container catches what only the merge code knows
	// about, before any API call is made.
	if _, err := safeMerge([]byte(`{"name":"debugger"}`), raw, corev1.Container{}); err != nil {
		return fmt.Errorf("cannot be merged as a strategic merge patch: %w", err)
	}
	c.container, c.containerPatch = obj, raw
	return nil
}

// setPod takes the pod section of a profile document. It may add to the pod, never take
// away what the command built: metadata and spec must be objects (null would delete
// them), labels and annotations are only added, and tolerations only appended.
func (c *customProfile) setPod(obj map[string]any) error {
	for _, path := range sortedKeys(toAnyMap(refusedPodFields)) {
		section, field, _ := strings.Cut(path, ".")
		if inner, ok := obj[section].(map[string]any); ok {
			if _, set := inner[field]; set {
				return fmt.Errorf("field %q cannot be set by a custom profile: %s", "pod."+path, refusedPodFields[path])
			}
		}
	}
	if err := checkAgainstSchema(obj, podSectionType, ""); err != nil {
		return prefixError(err, "pod.")
	}
	patch := map[string]any{}
	for _, key := range sortedKeys(obj) {
		if err := checkTopDirective(key, "pod.", nil, "the whole pod"); err != nil {
			return err
		}
		inner, ok := obj[key].(map[string]any)
		if !ok {
			return typeError("pod."+key, "an object", obj[key])
		}
		refused := map[string]string{}
		for path, reason := range refusedPodFields {
			if section, field, _ := strings.Cut(path, "."); section == key {
				refused[field] = reason
			}
		}
		refused["tolerations"] = "tolerations are appended, never reordered"
		for _, innerKey := range sortedKeys(inner) {
			if err := checkTopDirective(innerKey, "pod."+key+".", refused, "the whole pod "+key); err != nil {
				return err
			}
		}
		patch[key] = inner
	}
	if meta, ok := obj["metadata"].(map[string]any); ok {
		for _, field := range []string{"labels", "annotations"} {
			if err := checkAddOnly(meta, field); err != nil {
				return err
			}
		}
	}
	if spec, ok := obj["spec"].(map[string]any); ok {
		if raw, ok := spec["tolerations"]; ok {
			if err := c.setTolerations(raw); err != nil {
				return err
			}
			rest := make(map[string]any, len(spec))
			for k, v := range spec {
				if k != "tolerations" {
					rest[k] = v
				}
			}
			patch["spec"] = rest
		}
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	if _, err := safeMerge([]byte(`{"metadata":{"name":"p"}}`), raw, corev1.Pod{}); err != nil {
		return fmt.Errorf("pod section cannot be merged as a strategic merge patch: %w", err)
	}
	c.pod, c.podPatch = obj, raw
	return nil
}

// checkAddOnly refuses a null map, directives and null values in pod.metadata.field:
// a profile adds labels and annotations, it cannot drop the ones the command sets, such
// as the label that marks node debugging pods.
func checkAddOnly(meta map[string]any, field string) error {
	value, set := meta[field]
	if !set {
		return nil
	}
	path := "pod.metadata." + field
	m, ok := value.(map[string]any)
	if !ok {
		return typeError(path, "an object", value)
	}
	for _, key := range sortedKeys(m) {
		if strings.HasPrefix(key, "$") || m[key] == nil {
			return fmt.Errorf("field %q: a custom profile adds %s, it cannot remove any", joinPath(path, key), field)
		}
	}
	return nil
}

// setTolerations takes pod.spec.tolerations, plain entries only: they are appended to
// the pod's, so there is nothing for a directive to act on.
func (c *customProfile) setTolerations(raw any) error {
	list, ok := raw.([]any)
	if !ok {
		return typeError("pod.spec.tolerations", "a list", raw)
	}
	for i, item := range list {
		entry, _ := item.(map[string]any)
		for _, key := range sortedKeys(entry) {
			if strings.HasPrefix(key, "$") {
				return fmt.Errorf("field \"pod.spec.tolerations[%d].%s\": tolerations are appended; directives do not apply to them", i, key)
			}
		}
	}
	encoded, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(encoded, &c.tolerations); err != nil {
		return fmt.Errorf("field %q: %w", "pod.spec.tolerations", err)
	}
	return nil
}

// checkTopDirective refuses directives at the top of a section that could replace or
// delete what the flags and the target set (the name, image, command, containers...).
func checkTopDirective(key, prefix string, refused map[string]string, whole string) error {
	if !strings.HasPrefix(key, "$") {
		return nil
	}
	_, field, hasField := strings.Cut(key, "/")
	if hasField && (strings.HasPrefix(key, "$setElementOrder/") || strings.HasPrefix(key, "$deleteFromPrimitiveList/")) {
		reason, bad := refused[field]
		if !bad {
			return nil
		}
		return fmt.Errorf("field %q: %s", prefix+key, reason)
	}
	return fmt.Errorf("field %q: a custom profile cannot replace or delete %s, nor fields the flags set", prefix+key, whole)
}

// prefixError puts a section prefix in front of the field path of a schema error.
func prefixError(err error, prefix string) error {
	if prefix == "" {
		return err
	}
	msg := err.Error()
	for _, marker := range []string{`unknown field "`, `field "`} {
		if strings.HasPrefix(msg, marker) {
			return errors.New(marker + prefix + strings.TrimPrefix(msg, marker))
		}
	}
	return fmt.Errorf("%s: %w", strings.TrimSuffix(prefix, "."), err)
}

func toAnyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// checkEphemeralFields refuses what the API server forbids on ephemeral containers, and
// any pod section (the target pod's spec cannot change), so the user hears it before the
// pod is touched and is told where the field does work.
func (c *customProfile) checkEphemeralFields() error {
	if c.pod != nil {
		return fmt.Errorf("--custom %s: field \"pod\": an ephemeral container cannot change its pod; use --copy-to to debug a copy with these pod settings", c.source)
	}
	prefix := ""
	if c.document {
		prefix = "container."
	}
	hint := "it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node"
	for _, field := range ephemeralForbiddenFields {
		for _, key := range []string{field, "$setElementOrder/" + field} {
			if v, ok := c.container[key]; ok && !isEmptyJSON(v) {
				return fmt.Errorf("--custom %s: field %q: %s", c.source, prefix+key, hint)
			}
		}
	}
	mounts, _ := c.container["volumeMounts"].([]any)
	for i, m := range mounts {
		mount, _ := m.(map[string]any)
		keys := make([]string, 0, 2)
		for _, key := range []string{"subPath", "subPathExpr"} {
			if v, ok := mount[key]; ok && v != nil && v != "" {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		if len(keys) > 0 {
			return fmt.Errorf("--custom %s: field \"%svolumeMounts[%d].%s\": %s", c.source, prefix, i, keys[0], hint)
		}
	}
	return nil
}

// isEmptyJSON tells whether v is null, {} or []: values the API accepts on any container.
func isEmptyJSON(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}
