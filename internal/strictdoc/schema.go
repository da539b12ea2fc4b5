package strictdoc

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kubectl-debugger/kubectl-debugger/internal/jsonfields"
)

// The schema check walks a decoded document next to the Go type it must fit, instead of
// decoding into the type: decoding would drop the strategic merge directives the user
// wrote, lose list indexes in its messages, and stop at the first unknown field only
// after type errors.

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// Check reports the first place, in document order of sorted keys, where the strategic
// merge patch value does not fit type t: an unknown field, a wrong type, a bad value for
// a type with its own decoding (quantities, int-or-string), a list entry without its
// merge key, or an invalid patch directive.
func Check(value any, t reflect.Type, path string) error {
	return checker{patch: true}.check(value, t, path)
}

// CheckObject is Check for a whole object, as in a manifest: patch directives are
// unknown fields there.
func CheckObject(value any, t reflect.Type, path string) error {
	return checker{}.check(value, t, path)
}

// checker walks a value next to its type.
type checker struct {
	// patch allows strategic merge directives.
	patch bool
}

func (c checker) check(value any, t reflect.Type, path string) error {
	if value == nil {
		// null deletes a field in a strategic merge patch; it fits every type.
		return nil
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return checkCustomDecoding(value, t, path)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return c.check(value, t.Elem(), path)
	case reflect.Struct:
		obj, ok := value.(map[string]any)
		if !ok {
			return TypeError(path, "an object", value)
		}
		return c.checkStruct(obj, t, path)
	case reflect.Map:
		obj, ok := value.(map[string]any)
		if !ok {
			return TypeError(path, "an object", value)
		}
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			if key == "$patch" && c.patch {
				if err := checkPatchDirective(obj[key], path); err != nil {
					return err
				}
				continue
			}
			if err := c.check(obj[key], t.Elem(), JoinPath(path, key)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if _, ok := value.(string); !ok {
				return TypeError(path, "a base64 string", value)
			}
			return nil
		}
		list, ok := value.([]any)
		if !ok {
			return TypeError(path, "a list", value)
		}
		for i, item := range list {
			itemPath := path + "[" + strconv.Itoa(i) + "]"
			// A null entry would be decoded as an empty one, which no one means.
			if item == nil {
				return fmt.Errorf("field %q: null in a list", itemPath)
			}
			if err := c.check(item, t.Elem(), itemPath); err != nil {
				return err
			}
		}
		return nil
	case reflect.String:
		if _, ok := value.(string); !ok {
			return TypeError(path, "a string", value)
		}
		return nil
	case reflect.Bool:
		if _, ok := value.(bool); !ok {
			return TypeError(path, "true or false", value)
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := value.(json.Number)
		if !ok {
			return TypeError(path, "an integer", value)
		}
		if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
			return fmt.Errorf("field %q: %s is not a %d-bit integer", path, n, t.Bits())
		}
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := value.(json.Number)
		if !ok {
			return TypeError(path, "an integer", value)
		}
		if _, err := strconv.ParseUint(n.String(), 10, t.Bits()); err != nil {
			return fmt.Errorf("field %q: %s is not an unsigned %d-bit integer", path, n, t.Bits())
		}
		return nil
	case reflect.Float32, reflect.Float64:
		if _, ok := value.(json.Number); !ok {
			return TypeError(path, "a number", value)
		}
		return nil
	case reflect.Interface:
		return nil
	}
	return fmt.Errorf("field %q: unsupported type %s", path, t)
}

// checkStruct checks an object against struct type t, including the directives a
// strategic merge patch may carry at this level.
func (c checker) checkStruct(obj map[string]any, t reflect.Type, path string) error {
	fields := jsonfields.Of(t)
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		value := obj[key]
		if strings.HasPrefix(key, "$") && c.patch {
			if err := checkStructDirective(key, value, fields, path); err != nil {
				return err
			}
			continue
		}
		f, ok := fields[key]
		if !ok {
			return fmt.Errorf("unknown field %q", JoinPath(path, key))
		}
		if err := c.check(value, f, JoinPath(path, key)); err != nil {
			return err
		}
	}
	return checkMergeKeys(obj, jsonfields.MergeKeys(t), path)
}

// checkMergeKeys checks the lists of obj that merge by key: each entry names its key
// (env[0].name), unless it is a $patch: replace marker, and an order list names every
// entry of its list, which the merge would otherwise fail on with a dump of both.
func checkMergeKeys(obj map[string]any, mergeKeys map[string]string, path string) error {
	for _, field := range slices.Sorted(maps.Keys(mergeKeys)) {
		key := mergeKeys[field]
		list, _ := obj[field].([]any)
		keys := make([]string, len(list))
		for i, item := range list {
			entry, _ := item.(map[string]any)
			if entry["$patch"] == "replace" {
				continue
			}
			value, ok := entry[key]
			if !ok || value == nil || value == "" {
				return fmt.Errorf("field %q: required: the entries of %s are merged by %s", fmt.Sprintf("%s[%d].%s", JoinPath(path, field), i, key), field, key)
			}
			keys[i] = keyText(value)
		}
		order, ordered := obj["$setElementOrder/"+field].([]any)
		if !ordered {
			continue
		}
		named := make(map[string]bool, len(order))
		for i, item := range order {
			entry, _ := item.(map[string]any)
			value, ok := entry[key]
			if !ok || value == nil {
				return fmt.Errorf("field %q: required: an order list names each entry by %s", fmt.Sprintf("%s[%d].%s", JoinPath(path, "$setElementOrder/"+field), i, key), key)
			}
			named[keyText(value)] = true
		}
		for i, k := range keys {
			// An entry to delete has no place in the order; kubectl's own patches leave
			// it out.
			if entry, _ := list[i].(map[string]any); entry["$patch"] == "delete" {
				continue
			}
			if k != "" && !named[k] {
				return fmt.Errorf("field %q: %s %s (%s[%d]) is not in the order list", JoinPath(path, "$setElementOrder/"+field), key, JSONText(list[i].(map[string]any)[key]), field, i)
			}
		}
	}
	return nil
}

// checkStructDirective checks one strategic merge directive found in an object.
func checkStructDirective(key string, value any, fields map[string]reflect.Type, path string) error {
	at := JoinPath(path, key)
	switch {
	case key == "$patch":
		return checkPatchDirective(value, path)
	case key == "$retainKeys":
		list, ok := value.([]any)
		if !ok {
			return TypeError(at, "a list of field names", value)
		}
		for i, item := range list {
			name, ok := item.(string)
			if !ok {
				return TypeError(fmt.Sprintf("%s[%d]", at, i), "a field name", item)
			}
			if _, known := fields[name]; !known {
				return fmt.Errorf("field %q: %q is not a field here", at, name)
			}
		}
		return nil
	case strings.HasPrefix(key, "$setElementOrder/"), strings.HasPrefix(key, "$deleteFromPrimitiveList/"):
		_, name, _ := strings.Cut(key, "/")
		f, known := fields[name]
		if !known || f.Kind() != reflect.Slice {
			return fmt.Errorf("field %q: %q is not a list field here", at, name)
		}
		list, ok := value.([]any)
		if !ok {
			return TypeError(at, "a list", value)
		}
		elem := f.Elem()
		if elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		if strings.HasPrefix(key, "$deleteFromPrimitiveList/") && elem.Kind() == reflect.Struct {
			return fmt.Errorf("field %q: %q is a list of objects; delete entries with $patch: delete", at, name)
		}
		// The merge code trusts these lists to hold what the field holds; anything else
		// would crash it.
		for i, item := range list {
			itemPath := fmt.Sprintf("%s[%d]", at, i)
			if item == nil {
				return fmt.Errorf("field %q: null in an order or delete list", itemPath)
			}
			if err := Check(item, elem, itemPath); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("field %q: unknown patch directive %q", at, key)
}

// checkPatchDirective checks the value of a $patch directive.
func checkPatchDirective(value any, path string) error {
	switch value {
	case "replace", "delete":
		return nil
	}
	return fmt.Errorf("field %q: invalid $patch value %v: must be replace or delete", JoinPath(path, "$patch"), JSONText(value))
}

// checkCustomDecoding checks a value of a type that decodes itself (a quantity, an
// int-or-string, a time) by decoding it.
func checkCustomDecoding(value any, t reflect.Type, path string) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("field %q: %w", path, err)
	}
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		return fmt.Errorf("field %q: invalid value %s: %w", path, raw, err)
	}
	return nil
}

// TypeError is the error for a value of the wrong type at path.
func TypeError(path, want string, got any) error {
	if got == nil {
		return fmt.Errorf("field %q: expected %s, got null", path, want)
	}
	if path == "" {
		return fmt.Errorf("expected %s, got %s", want, DescribeJSON(got))
	}
	return fmt.Errorf("field %q: expected %s, got %s %s", path, want, DescribeJSON(got), JSONText(got))
}

// JSONText renders a value briefly for a message.
func JSONText(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(raw) > 40 {
		return string(raw[:37]) + "..."
	}
	return string(raw)
}

// JoinPath appends key to a field path.
func JoinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// keyText is a merge key's value as JSON, whole, for comparing keys.
func keyText(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}
