package debug

import (
	"encoding/csv"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// envFlag is --env: repeatable, each value a comma-separated list of NAME=VALUE. Unlike
// a map-valued flag it keeps the order the user gave, since later variables may refer to
// earlier ones with $(NAME); a repeated name keeps its first place and its last value.
type envFlag struct {
	vars []corev1.EnvVar
}

// Set parses one --env value as kubectl's map-valued flags do: a value with a single
// "=" is one variable, commas and all (NO_PROXY=localhost,127.0.0.1); with several, it
// is a comma-separated list of NAME=VALUE, quoted as CSV where a value holds a comma.
func (f *envFlag) Set(value string) error {
	var fields []string
	switch strings.Count(value, "=") {
	case 0:
		return fmt.Errorf("%q is not NAME=VALUE", value)
	case 1:
		fields = []string{strings.Trim(value, `"`)}
	default:
		r := csv.NewReader(strings.NewReader(value))
		var err error
		if fields, err = r.Read(); err != nil {
			return fmt.Errorf("want NAME=VALUE[,NAME=VALUE...]: %w", err)
		}
	}
	for _, field := range fields {
		name, val, ok := strings.Cut(field, "=")
		if !ok || name == "" {
			return fmt.Errorf("%q is not NAME=VALUE", field)
		}
		f.add(name, val)
	}
	return nil
}

func (f *envFlag) add(name, value string) {
	for i := range f.vars {
		if f.vars[i].Name == name {
			f.vars[i].Value = value
			return
		}
	}
	f.vars = append(f.vars, corev1.EnvVar{Name: name, Value: value})
}

// Type names the value in help.
func (f *envFlag) Type() string { return "stringToString" }

// String renders the variables the way map-valued flags print their defaults.
func (f *envFlag) String() string {
	parts := make([]string, 0, len(f.vars))
	for _, v := range f.vars {
		parts = append(parts, v.Name+"="+v.Value)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
