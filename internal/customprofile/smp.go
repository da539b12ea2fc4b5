package customprofile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

// A strategic merge of a profile onto a debug container or pod, with the semantics of
// apimachinery's strategicpatch (the same schema metadata, the same directives, the
// same order of merged lists), in time linear in the size of the two: keyed lists are
// matched through maps instead of nested scans, so a profile of 15,000 variables merges
// onto a container of 15,000 in milliseconds instead of minutes. Numbers are kept as
// written, so a 64-bit user ID survives the merge.

// Strategic merge patch directives.
const (
	patchDirective      = "$patch"
	retainKeysDirective = "$retainKeys"
	orderPrefix         = "$setElementOrder/"
	deletePrefix        = "$deleteFromPrimitiveList/"
)

// strategicMerge merges patch onto original, both JSON documents of the type schema
// describes.
func strategicMerge(original, patch []byte, schema strategicpatch.LookupPatchMeta) ([]byte, error) {
	var o, p map[string]any
	if err := decodeNumbers(original, &o); err != nil {
		return nil, err
	}
	if err := decodeNumbers(patch, &p); err != nil {
		return nil, err
	}
	merged, err := mergeMap(o, p, schema)
	if err != nil {
		return nil, err
	}
	return json.Marshal(merged)
}

func decodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// mergeMap merges patch onto original, which it may change.
func mergeMap(original, patch map[string]any, schema strategicpatch.LookupPatchMeta) (map[string]any, error) {
	if directive, ok := patch[patchDirective]; ok {
		switch directive {
		case "replace":
			// The rest of the patch is the object, as it stands: directives below are
			// kept, and the typed decode ignores them, as the server's merge does.
			rest := make(map[string]any, len(patch))
			for k, v := range patch {
				if k != patchDirective {
					rest[k] = v
				}
			}
			return rest, nil
		case "delete":
			return map[string]any{}, nil
		}
		return nil, fmt.Errorf("$patch: %s is not allowed in an object", JSONOf(directive))
	}
	if original == nil {
		original = map[string]any{}
	}
	if err := retainKeys(original, patch); err != nil {
		return nil, err
	}
	ordered, err := mergeOrderedLists(original, patch, schema)
	if err != nil {
		return nil, err
	}
	for _, key := range patchKeys(patch) {
		patchValue := patch[key]
		if key == retainKeysDirective || ordered[key] || strings.HasPrefix(key, orderPrefix) {
			continue
		}
		if field, isDelete := strings.CutPrefix(key, deletePrefix); isDelete {
			if err := deleteFromPrimitiveList(original, field, patchValue); err != nil {
				return nil, err
			}
			continue
		}
		if patchValue == nil {
			delete(original, key)
			continue
		}
		originalValue, found := original[key]
		if !found || fmt.Sprintf("%T", originalValue) != fmt.Sprintf("%T", patchValue) {
			setWithoutDirectives(original, key, withoutNulls(patchValue))
			continue
		}
		switch patchValue := patchValue.(type) {
		case map[string]any:
			subschema, meta, err := schema.LookupPatchMetadataForStruct(key)
			if err != nil {
				return nil, err
			}
			if strategy(meta) == "replace" {
				original[key] = patchValue
				continue
			}
			if original[key], err = mergeMap(originalValue.(map[string]any), patchValue, subschema); err != nil {
				return nil, err
			}
		case []any:
			subschema, meta, err := schema.LookupPatchMetadataForSlice(key)
			if err != nil {
				return nil, err
			}
			if strategy(meta) != "merge" {
				original[key] = patchValue
				continue
			}
			if original[key], err = mergeList(originalValue.([]any), patchValue, subschema, meta.GetPatchMergeKey()); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
		default:
			original[key] = patchValue
		}
	}
	return original, nil
}

// patchKeys lists the keys of patch in a fixed order, deletions from primitive lists
// last, so that a list the patch sets is set before values are deleted from it,
// whatever order the map gives.
func patchKeys(patch map[string]any) []string {
	keys := slices.Sorted(maps.Keys(patch))
	slices.SortStableFunc(keys, func(a, b string) int {
		da, db := strings.HasPrefix(a, deletePrefix), strings.HasPrefix(b, deletePrefix)
		switch {
		case da == db:
			return 0
		case da:
			return 1
		}
		return -1
	})
	return keys
}

// strategy is the field's patch strategy: merge, replace, or "" for atomic.
func strategy(meta strategicpatch.PatchMeta) string {
	strategies := meta.GetPatchStrategies()
	switch {
	case slices.Contains(strategies, "replace"):
		return "replace"
	case slices.Contains(strategies, "merge"):
		return "merge"
	}
	return ""
}

// retainKeys applies $retainKeys: original keeps only the fields the list names, and
// the patch may set no other.
func retainKeys(original, patch map[string]any) error {
	value, ok := patch[retainKeysDirective]
	if !ok {
		return nil
	}
	list, ok := value.([]any)
	if !ok {
		return errors.New("$retainKeys must be a list of field names")
	}
	keep := make(map[any]bool, len(list))
	for _, k := range list {
		keep[k] = true
	}
	for key, v := range patch {
		if v == nil || key == retainKeysDirective || strings.HasPrefix(key, orderPrefix) || strings.HasPrefix(key, deletePrefix) {
			continue
		}
		if !keep[key] {
			return fmt.Errorf("$retainKeys does not name %q, which the patch sets", key)
		}
	}
	for key := range original {
		if !keep[key] {
			delete(original, key)
		}
	}
	return nil
}

// mergeOrderedLists merges the lists that have a $setElementOrder directive and puts
// them in that order; it returns the fields it has merged.
func mergeOrderedLists(original, patch map[string]any, schema strategicpatch.LookupPatchMeta) (map[string]bool, error) {
	var done map[string]bool
	for key, value := range patch {
		field, isOrder := strings.CutPrefix(key, orderPrefix)
		if !isOrder {
			continue
		}
		order, ok := value.([]any)
		if !ok {
			return nil, fmt.Errorf("%s must be a list", key)
		}
		subschema, meta, err := schema.LookupPatchMetadataForSlice(field)
		if err != nil {
			return nil, err
		}
		mergeKey := meta.GetPatchMergeKey()
		originalList, foundOriginal := original[field].([]any)
		patchList, foundPatch := patch[field].([]any)
		var merged []any
		switch {
		case foundOriginal && !foundPatch:
			merged = originalList
		case !foundOriginal && foundPatch:
			stripped, keep := withoutDirectives(patchList)
			if !keep {
				continue
			}
			merged, _ = stripped.([]any)
		case foundOriginal && foundPatch:
			if strategy(meta) != "merge" {
				merged = patchList
			} else if merged, err = mergeList(originalList, patchList, subschema, mergeKey); err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
		default:
			continue
		}
		inOrder, serverOnly := partition(merged, order, mergeKey)
		sorted, err := normalizeOrder(inOrder, serverOnly, order, originalList, mergeKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		original[field] = sorted
		if done == nil {
			done = map[string]bool{}
		}
		done[field] = true
	}
	return done, nil
}

// deleteFromPrimitiveList removes the values $deleteFromPrimitiveList/field lists from
// the field's list.
func deleteFromPrimitiveList(original map[string]any, field string, value any) error {
	remove, ok := value.([]any)
	if !ok {
		return fmt.Errorf("%s%s must be a list", deletePrefix, field)
	}
	list, ok := original[field].([]any)
	if !ok {
		return nil
	}
	drop := make(map[any]bool, len(remove))
	for _, v := range remove {
		drop[v] = true
	}
	kept := make([]any, 0, len(list))
	for _, v := range list {
		if !drop[v] {
			kept = append(kept, v)
		}
	}
	original[field] = kept
	return nil
}

// mergeList merges a list whose patch strategy is merge: entries of objects by
// mergeKey, scalars as a set. The result puts the patch's entries in the patch's order
// and the others where they were, as strategicpatch does.
func mergeList(original, patch []any, schema strategicpatch.LookupPatchMeta, mergeKey string) ([]any, error) {
	if len(original) == 0 && len(patch) == 0 {
		return original, nil
	}
	if !isObjectList(original, patch) {
		seen := make(map[any]bool, len(original)+len(patch))
		merged := make([]any, 0, len(original)+len(patch))
		for _, v := range slices.Concat(original, patch) {
			if !seen[v] {
				seen[v] = true
				merged = append(merged, v)
			}
		}
		inPatch, serverOnly := partition(merged, patch, "")
		return normalizeOrder(inPatch, serverOnly, patch, original, "")
	}
	if mergeKey == "" {
		return nil, errors.New("a list of objects without a merge key cannot be merged")
	}

	// Directive entries first: $patch: delete removes entries, $patch: replace makes
	// the other entries of the patch the whole list.
	entries := make([]any, 0, len(patch))
	deleted := map[any]bool{}
	replace := false
	for _, item := range patch {
		entry := item.(map[string]any)
		directive, ok := entry[patchDirective]
		if !ok {
			entries = append(entries, item)
			continue
		}
		switch directive {
		case "delete":
			key, ok := entry[mergeKey]
			if !ok {
				return nil, fmt.Errorf("an entry to delete needs its %s", mergeKey)
			}
			deleted[key] = true
		case "replace":
			replace = true
		default:
			return nil, fmt.Errorf("$patch: %s is not allowed in a list entry", JSONOf(directive))
		}
	}
	if replace {
		original, entries = entries, nil
	} else if len(deleted) > 0 {
		kept := make([]any, 0, len(original))
		for _, item := range original {
			if !deleted[item.(map[string]any)[mergeKey]] {
				kept = append(kept, item)
			}
		}
		original = kept
	}

	merged := slices.Clone(original)
	position := make(map[any]int, len(merged))
	for i, item := range merged {
		key := item.(map[string]any)[mergeKey]
		if _, seen := position[key]; !seen {
			position[key] = i
		}
	}
	for _, item := range entries {
		entry := item.(map[string]any)
		key, ok := entry[mergeKey]
		if !ok {
			return nil, fmt.Errorf("an entry needs its %s", mergeKey)
		}
		if i, found := position[key]; found {
			m, err := mergeMap(merged[i].(map[string]any), entry, schema)
			if err != nil {
				return nil, err
			}
			merged[i] = m
			continue
		}
		position[key] = len(merged)
		merged = append(merged, item)
	}
	inPatch, serverOnly := partition(merged, entries, mergeKey)
	return normalizeOrder(inPatch, serverOnly, entries, original, mergeKey)
}

// isObjectList tells whether the lists hold objects.
func isObjectList(lists ...[]any) bool {
	for _, list := range lists {
		for _, item := range list {
			_, isObject := item.(map[string]any)
			return isObject
		}
	}
	return false
}

// identity is what an entry is known by: its merge key's value, or itself.
func identity(item any, mergeKey string) any {
	if mergeKey == "" {
		return item
	}
	if m, ok := item.(map[string]any); ok {
		return m[mergeKey]
	}
	return nil
}

// indexOf maps each entry's identity to its first place in list.
func indexOf(list []any, mergeKey string) map[any]int {
	index := make(map[any]int, len(list))
	for i, item := range list {
		id := identity(item, mergeKey)
		if _, seen := index[id]; !seen {
			index[id] = i
		}
	}
	return index
}

// partition splits merged into the entries by listed names and the others.
func partition(merged, by []any, mergeKey string) (in, out []any) {
	named := indexOf(by, mergeKey)
	for _, item := range merged {
		if _, ok := named[identity(item, mergeKey)]; ok {
			in = append(in, item)
		} else {
			out = append(out, item)
		}
	}
	return in, out
}

// normalizeOrder sorts the patch's entries by patchOrder and the server's by
// serverOrder, then interleaves them: a server entry goes before a patch entry when
// both were in the server's list in that order.
func normalizeOrder(patch, serverOnly, patchOrder, serverOrder []any, mergeKey string) ([]any, error) {
	patch, err := sortByOrder(patch, patchOrder, mergeKey)
	if err != nil {
		return nil, err
	}
	serverOnly, err = sortByOrder(serverOnly, serverOrder, mergeKey)
	if err != nil {
		return nil, err
	}
	serverIndex := indexOf(serverOrder, mergeKey)
	merged := make([]any, 0, len(patch)+len(serverOnly))
	i, j := 0, 0
	for i < len(serverOnly) || j < len(patch) {
		switch {
		case j >= len(patch):
			merged = append(merged, serverOnly[i])
			i++
		case i >= len(serverOnly):
			merged = append(merged, patch[j])
			j++
		default:
			li, lok := serverIndex[identity(serverOnly[i], mergeKey)]
			ri, rok := serverIndex[identity(patch[j], mergeKey)]
			if lok && rok && li < ri {
				merged = append(merged, serverOnly[i])
				i++
			} else {
				merged = append(merged, patch[j])
				j++
			}
		}
	}
	return merged, nil
}

// sortByOrder sorts list by the places of its entries in order, entries to delete last.
func sortByOrder(list, order []any, mergeKey string) ([]any, error) {
	var toDelete []any
	if mergeKey != "" {
		kept := make([]any, 0, len(list))
		for _, item := range slices.Concat(list, order) {
			if m, ok := item.(map[string]any); !ok || m[mergeKey] == nil {
				return nil, fmt.Errorf("an entry needs its %s", mergeKey)
			}
		}
		for _, item := range list {
			if item.(map[string]any)[patchDirective] == "delete" {
				toDelete = append(toDelete, item)
			} else {
				kept = append(kept, item)
			}
		}
		list = kept
	}
	index := indexOf(order, mergeKey)
	place := func(item any) int {
		if i, ok := index[identity(item, mergeKey)]; ok {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(list, func(a, b any) int { return place(a) - place(b) })
	return append(list, toDelete...), nil
}

// setWithoutDirectives sets original[key] to value without its directives; a value
// that is itself a directive object is dropped.
func setWithoutDirectives(original map[string]any, key string, value any) {
	stripped, keep := withoutDirectives(value)
	if keep {
		original[key] = stripped
	} else {
		delete(original, key)
	}
}

// withoutDirectives removes every directive from value; an object that carries
// $patch is dropped whole.
func withoutDirectives(value any) (any, bool) {
	switch v := value.(type) {
	case map[string]any:
		if _, ok := v[patchDirective]; ok {
			return nil, false
		}
		out := make(map[string]any, len(v))
		for k, item := range v {
			if strings.HasPrefix(k, "$") {
				continue
			}
			if stripped, keep := withoutDirectives(item); keep {
				out[k] = stripped
			}
		}
		return out, true
	case []any:
		out := make([]any, 0, len(v))
		for _, item := range v {
			if stripped, keep := withoutDirectives(item); keep {
				out = append(out, stripped)
			}
		}
		return out, true
	}
	return value, true
}

// withoutNulls drops null fields from a value the original does not have, as the
// server's merge does: null only ever deletes.
func withoutNulls(value any) any {
	switch v := value.(type) {
	case map[string]any:
		for k, item := range v {
			if item == nil {
				delete(v, k)
			} else {
				v[k] = withoutNulls(item)
			}
		}
	case []any:
		for i, item := range v {
			v[i] = withoutNulls(item)
		}
	}
	return value
}

// JSONOf renders a small value for a message.
func JSONOf(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}
