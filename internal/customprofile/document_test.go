package customprofile

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
	"github.com/kubectl-debugger/kubectl-debugger/pkg/apis/debugprofile/v1alpha1"
)

func TestProfileDocumentErrors(t *testing.T) {
	for _, tt := range cataloguetest.Documents {
		t.Run(tt.Name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.Content))
			if got := errString(err); got != tt.Want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tt.Want)
			}
		})
	}
}

func TestCustomSizeAndAliasBomb(t *testing.T) {
	big := writeFile(t, "big.yaml", "env: []\n"+strings.Repeat("# padding\n", MaxSize/10+1))
	_, err := Load(context.Background(), big, "", nil)
	if got, want := errString(err), "--custom "+big+": larger than 1 MiB: a custom profile is a short partial spec"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}

	_, err = Parse("bomb.yaml", []byte(aliasBomb))
	if got, want := errString(err), "--custom bomb.yaml: invalid YAML: document contains excessive aliasing"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// BenchmarkAliasBomb measures how fast a "billion laughs" document is refused.
func BenchmarkAliasBomb(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("bomb.yaml", []byte(aliasBomb)); err == nil {
			b.Fatal("alias bomb accepted")
		}
	}
}

const aliasBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// A document with the apiVersion from before the API group is read as the current one,
// with a warning naming the file and the apiVersion to use.
func TestDeprecatedAPIVersion(t *testing.T) {
	body := "kind: DebugProfile\ncontainer: {env: [{name: A, value: b}]}\n"
	old, err := Parse("old.yaml", []byte("apiVersion: "+v1alpha1.DeprecatedAPIVersion+"\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"--custom old.yaml: apiVersion " + v1alpha1.DeprecatedAPIVersion + " is deprecated: use apiVersion " + v1alpha1.APIVersion}
	if diff := cmp.Diff(want, old.Warnings()); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	current, err := Parse("old.yaml", []byte("apiVersion: "+v1alpha1.APIVersion+"\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string(nil), current.Warnings()); diff != "" {
		t.Errorf("current apiVersion: warnings (-want +got):\n%s", diff)
	}
	old.warnings = nil
	if diff := cmp.Diff(current, old, cmp.AllowUnexported(Profile{})); diff != "" {
		t.Errorf("the deprecated apiVersion reads differently (-current +deprecated):\n%s", diff)
	}
}
