// Package customprofile reads, checks and applies --custom profiles: partial container
// specs (upstream's format) and DebugProfile documents with a pod section. Load reads one
// strictly, CheckEphemeral refuses what an ephemeral container cannot honour, and Apply
// merges profiles onto a debug pod with the pod schema's strategic merge rules.
package customprofile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-debugger/kubectl-debugger/internal/jsonfields"
	"github.com/kubectl-debugger/kubectl-debugger/internal/strictdoc"
	"github.com/kubectl-debugger/kubectl-debugger/pkg/apis/debugprofile/v1alpha1"
)

// Profile is one --custom document, checked strictly and kept as the user wrote it, so
// that explicit false, 0, "" and null reach the merge.
type Profile struct {
	// source is the file it was read from ("-" for standard input): a --custom value, or
	// the named profile that value resolved to. Messages name it.
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
	// warnings are about the file itself, such as a deprecated apiVersion.
	warnings []string
}

// Source is the file the profile was read from: the --custom value itself, the named
// profile it resolved to, or "-" for standard input.
func (p *Profile) Source() string { return p.source }

// Warnings are what the file should change but may keep for now, such as a deprecated
// apiVersion.
func (p *Profile) Warnings() []string { return p.warnings }

// HasPodSection tells whether the profile changes the debug pod, not only its container.
func (p *Profile) HasPodSection() bool { return p.podPatch != nil || len(p.tolerations) > 0 }

var (
	documentType  = reflect.TypeFor[v1alpha1.DebugProfile]()
	containerType = reflect.TypeFor[corev1.Container]()
)

// Parse decodes data strictly, as a partial container or a DebugProfile document; name
// is the file name used in messages and to choose the grammar.
func Parse(name string, data []byte) (*Profile, error) {
	fail := func(err error) error { return fmt.Errorf("--custom %s: %w", name, brief(err)) }
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(errors.New(`the file is empty: a custom profile is a partial container spec such as {"env": [...]}`))
	}
	// Editors on some systems start files with a byte order mark; it carries no content.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, fail(errors.New("the file is not text: a custom profile is a JSON or YAML document"))
	}
	docs, err := strictdoc.Decode(name, data)
	if err != nil {
		return nil, fail(err)
	}
	var doc any
	switch {
	case len(docs) > 1 && strictdoc.IsJSON(name, data):
		return nil, fail(errors.New("more than one JSON document: a custom profile is a single object"))
	case len(docs) > 1:
		return nil, fail(fmt.Errorf("more than one YAML document (a second one starts at line %d): a custom profile is a single object", docs[1].Line))
	case len(docs) == 1:
		doc = docs[0].Value
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fail(fmt.Errorf("the document is %s, but a custom profile must be an object: a partial container spec", strictdoc.DescribeJSON(doc)))
	}
	if len(obj) == 0 {
		return nil, fail(errors.New(`the document is empty: a custom profile is a partial container spec such as {"env": [...]}`))
	}

	p := &Profile{source: name}
	_, hasVersion := obj["apiVersion"]
	_, hasKind := obj["kind"]
	if !hasVersion && !hasKind {
		err = p.setContainer(obj, "")
	} else {
		err = p.setDocument(obj)
	}
	if err != nil {
		return nil, fail(err)
	}
	return p, nil
}

// setDocument takes a DebugProfile document; its sections are checked against the
// types of the v1alpha1 package, which the JSON Schema is generated from.
func (p *Profile) setDocument(obj map[string]any) error {
	version := obj["apiVersion"]
	if (version != v1alpha1.APIVersion && version != v1alpha1.DeprecatedAPIVersion) || obj["kind"] != v1alpha1.Kind {
		return fmt.Errorf("apiVersion %s and kind %s: a profile document has apiVersion %s and kind %s",
			strictdoc.JSONText(version), strictdoc.JSONText(obj["kind"]), v1alpha1.APIVersion, v1alpha1.Kind)
	}
	if version == v1alpha1.DeprecatedAPIVersion {
		p.warnings = append(p.warnings, fmt.Sprintf("--custom %s: apiVersion %s is deprecated: use apiVersion %s",
			p.source, v1alpha1.DeprecatedAPIVersion, v1alpha1.APIVersion))
	}
	p.document = true
	fields := jsonfields.Of(documentType)
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if _, known := fields[key]; !known {
			return fmt.Errorf("unknown field %q: a profile document has %s", key, joinAnd(jsonfields.Names(documentType)))
		}
	}
	_, hasContainer := obj["container"]
	_, hasPod := obj["pod"]
	if !hasContainer && !hasPod {
		return errors.New("the profile document has neither a container nor a pod section: there is nothing to apply")
	}
	if value, set := obj["container"]; set {
		container, ok := value.(map[string]any)
		if !ok {
			return strictdoc.TypeError("container", "an object", value)
		}
		if err := p.setContainer(container, "container."); err != nil {
			return err
		}
	}
	if value, set := obj["pod"]; set {
		pod, ok := value.(map[string]any)
		if !ok {
			return strictdoc.TypeError("pod", "an object", value)
		}
		if err := p.setPod(pod, fields["pod"]); err != nil {
			return err
		}
	}
	return nil
}

// setContainer takes a partial container found at prefix ("" or "container.").
func (p *Profile) setContainer(obj map[string]any, prefix string) error {
	if err := strictdoc.Check(obj, containerType, ""); err != nil {
		return prefixError(err, prefix)
	}
	patch := make(map[string]any, len(obj))
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		value := obj[key]
		// A null refused field is dropped: it would only clear what the flags set, which
		// no user means.
		if reason, refused := v1alpha1.RefusedContainerFields[key]; refused {
			if value != nil {
				return fmt.Errorf("field %q cannot be set by a custom profile: %s", prefix+key, reason)
			}
			continue
		}
		if err := checkTopDirective(key, prefix, v1alpha1.RefusedContainerFields, "the whole container"); err != nil {
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
	p.container, p.containerPatch = obj, raw
	return nil
}

// setPod takes the pod section of a profile document, of type t. It may add to the pod,
// never take away what the command built: metadata and spec must be objects (null would
// delete them), labels and annotations are only added, and tolerations only appended.
func (p *Profile) setPod(obj map[string]any, t reflect.Type) error {
	for _, path := range slices.Sorted(maps.Keys(v1alpha1.RefusedPodFields)) {
		section, field, _ := strings.Cut(path, ".")
		if inner, ok := obj[section].(map[string]any); ok {
			if _, set := inner[field]; set {
				return fmt.Errorf("field %q cannot be set by a custom profile: %s", "pod."+path, v1alpha1.RefusedPodFields[path])
			}
		}
	}
	if err := strictdoc.Check(obj, t, ""); err != nil {
		return prefixError(err, "pod.")
	}
	patch := map[string]any{}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if err := checkTopDirective(key, "pod.", nil, "the whole pod"); err != nil {
			return err
		}
		inner, ok := obj[key].(map[string]any)
		if !ok {
			return strictdoc.TypeError("pod."+key, "an object", obj[key])
		}
		refused := map[string]string{}
		for path, reason := range v1alpha1.RefusedPodFields {
			if section, field, _ := strings.Cut(path, "."); section == key {
				refused[field] = reason
			}
		}
		refused["tolerations"] = "tolerations are appended, never reordered"
		for _, innerKey := range slices.Sorted(maps.Keys(inner)) {
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
			if err := p.setTolerations(raw); err != nil {
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
	p.pod, p.podPatch = obj, raw
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
		return strictdoc.TypeError(path, "an object", value)
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		if strings.HasPrefix(key, "$") || m[key] == nil {
			return fmt.Errorf("field %q: a custom profile adds %s, it cannot remove any", strictdoc.JoinPath(path, key), field)
		}
	}
	return nil
}

// setTolerations takes pod.spec.tolerations, plain entries only: they are appended to
// the pod's, so there is nothing for a directive to act on.
func (p *Profile) setTolerations(raw any) error {
	list, ok := raw.([]any)
	if !ok {
		return strictdoc.TypeError("pod.spec.tolerations", "a list", raw)
	}
	for i, item := range list {
		entry, _ := item.(map[string]any)
		for _, key := range slices.Sorted(maps.Keys(entry)) {
			if strings.HasPrefix(key, "$") {
				return fmt.Errorf("field \"pod.spec.tolerations[%d].%s\": tolerations are appended; directives do not apply to them", i, key)
			}
		}
	}
	encoded, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(encoded, &p.tolerations); err != nil {
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

// CheckEphemeral refuses what the API server forbids on ephemeral containers, and any
// pod section (the target pod's spec cannot change), so the user hears it before the
// pod is touched and is told where the field does work.
func (p *Profile) CheckEphemeral() error {
	if p.HasPodSection() {
		return fmt.Errorf("--custom %s: field \"pod\": an ephemeral container cannot change its pod; use --copy-to to debug a copy with these pod settings", p.source)
	}
	prefix := ""
	if p.document {
		prefix = "container."
	}
	hint := "it cannot be set on an ephemeral container; it works with --copy-to or when debugging a node"
	// Present at all is refused, even empty: an empty probe or port list is as foreign
	// to an ephemeral container as a full one, and the server says so only later.
	for _, field := range v1alpha1.EphemeralForbiddenFields {
		for _, key := range []string{field, "$setElementOrder/" + field} {
			if _, ok := p.container[key]; ok {
				return fmt.Errorf("--custom %s: field %q: %s", p.source, prefix+key, hint)
			}
		}
	}
	mounts, _ := p.container["volumeMounts"].([]any)
	for i, m := range mounts {
		mount, _ := m.(map[string]any)
		for _, key := range []string{"subPath", "subPathExpr"} {
			if _, ok := mount[key]; ok {
				return fmt.Errorf("--custom %s: field \"%svolumeMounts[%d].%s\": %s", p.source, prefix, i, key, hint)
			}
		}
	}
	return nil
}

// joinAnd lists words as a sentence does: "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// maxMessage bounds an error message: paths and counts, never a dump of the document.
const maxMessage = 300

// brief shortens an error that would quote too much of the document, keeping its start,
// which names the field.
func brief(err error) error {
	msg := err.Error()
	if len(msg) <= maxMessage {
		return err
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Errorf("%s... (%d more bytes)", msg[:cut], len(msg)-cut)
}
