// Package jsonfields lists the JSON fields of a struct type as encoding/json sees them,
// inline and embedded structs flattened: the custom profile checker and the schema
// generator must agree on them exactly.
package jsonfields

import (
	"reflect"
	"strings"
	"sync"
)

var (
	cache     sync.Map // reflect.Type -> map[string]reflect.Type
	keysCache sync.Map // reflect.Type -> map[string]string
)

// Of maps each JSON field name of struct type t to the field's type.
func Of(t reflect.Type) map[string]reflect.Type {
	if cached, ok := cache.Load(t); ok {
		return cached.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	walk(t, func(name string, ft reflect.Type) { fields[name] = ft })
	cache.Store(t, fields)
	return fields
}

// MergeKeys maps each list field of struct type t that a strategic merge patch merges
// by key (its patchMergeKey tag, as env merges by name) to that key.
func MergeKeys(t reflect.Type) map[string]string {
	if cached, ok := keysCache.Load(t); ok {
		return cached.(map[string]string)
	}
	keys := map[string]string{}
	walkFields(t, func(name string, f reflect.StructField) {
		if key := f.Tag.Get("patchMergeKey"); key != "" && f.Type.Kind() == reflect.Slice {
			keys[name] = key
		}
	})
	keysCache.Store(t, keys)
	return keys
}

// Names lists the JSON field names of struct type t in declaration order, for messages
// that say what a type has.
func Names(t reflect.Type) []string {
	var names []string
	walk(t, func(name string, _ reflect.Type) { names = append(names, name) })
	return names
}

// walk calls visit for each JSON field of struct type t, in declaration order.
func walk(t reflect.Type, visit func(name string, ft reflect.Type)) {
	walkFields(t, func(name string, f reflect.StructField) { visit(name, f.Type) })
}

// walkFields calls visit for each JSON field of struct type t, in declaration order.
func walkFields(t reflect.Type, visit func(name string, f reflect.StructField)) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" || strings.Contains(opts, "inline") {
			inner := f.Type
			if inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			walkFields(inner, visit)
			continue
		}
		if name == "" {
			name = f.Name
		}
		visit(name, f)
	}
}
