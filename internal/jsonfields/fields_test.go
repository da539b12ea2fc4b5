package jsonfields

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type inner struct {
	A string `json:"a"`
}

type sample struct {
	inner
	Inline  inner  `json:",inline"`
	Named   int    `json:"named,omitempty"`
	Skipped string `json:"-"`
	Bare    bool
	private bool
}

func TestOf(t *testing.T) {
	want := map[string]reflect.Type{
		"a":     reflect.TypeFor[string](),
		"named": reflect.TypeFor[int](),
		"Bare":  reflect.TypeFor[bool](),
	}
	got := Of(reflect.TypeFor[sample]())
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b reflect.Type) bool { return a == b })); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	_ = sample{}.private
}
