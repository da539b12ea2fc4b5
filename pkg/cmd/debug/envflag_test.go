package debug

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
)

func TestEnvFlagKeepsOrder(t *testing.T) {
	var f envFlag
	for _, v := range []string{"B=2,A=1", "C=x=y", "B=3", `"D=a,b"`} {
		if err := f.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	want := []corev1.EnvVar{{Name: "B", Value: "3"}, {Name: "A", Value: "1"}, {Name: "C", Value: "x=y"}, {Name: "D", Value: "a,b"}}
	if diff := cmp.Diff(want, f.vars); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if got, want := f.String(), "[B=3,A=1,C=x=y,D=a,b]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// --env splits values exactly as kubectl's map-valued flag does, keeping the order.
func TestEnvFlagParsesAsKubectl(t *testing.T) {
	values := [][]string{
		{"NO_PROXY=localhost,127.0.0.1"},
		{`"A=1"`},
		{"A=1,B=2", "C=3"},
		{`A=1,"B=x,y",C=a=b`},
		{"URL=http://h/?a=b"},
		{"A=1,B=2,A=3"},
		{"A="},
	}
	for _, vs := range values {
		var ours envFlag
		theirs := map[string]string{}
		fs := pflag.NewFlagSet("kubectl", pflag.ContinueOnError)
		fs.StringToStringVar(&theirs, "env", nil, "")
		for _, v := range vs {
			if err := ours.Set(v); err != nil {
				t.Fatalf("%q: %v", vs, err)
			}
			if err := fs.Set("env", v); err != nil {
				t.Fatalf("kubectl refuses %q: %v", vs, err)
			}
		}
		got := map[string]string{}
		for _, e := range ours.vars {
			got[e.Name] = e.Value
		}
		if diff := cmp.Diff(theirs, got); diff != "" {
			t.Errorf("%q (-kubectl +ours):\n%s", vs, diff)
		}
	}
	for _, bad := range []string{"", "A", "A=1,B=2,C", "=1,B=2"} {
		var ours envFlag
		if err := ours.Set(bad); err == nil {
			t.Errorf("%q accepted: %v", bad, ours.vars)
		}
	}
}
