// Package jsonfields lists the JSON fields of a struct type as encoding/json sees them,
// inline and embedded structs flattened: the custom profile checker and the schema
// generator must agree on them exactly.
package jsonfields

import (
	"reflect"
	"strings"
	"sync"
)

var cache sync.Map // reflect.Type -> map[string]reflect.Type

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

// Names lists the JSON field names of struct type t in declaration order, for messages
// that say what a type has.
func Names(t reflect.Type) []string {
	var names []string
	walk(t, func(name string, _ reflect.Type) { names = append(names, name) })
	return names
}

// walk calls visit for each JSON field of struct type t, in declaration order.
func walk(t reflect.Type, visit func(name string, ft reflect.Type)) {
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
			walk(inner, visit)
			continue
		}
		if name == "" {
			name = f.Name
		}
		visit(name, f.Type)
	}
}
