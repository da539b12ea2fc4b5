package customprofile

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-debugger/kubectl-debugger/internal/customprofile/cataloguetest"
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
	_, err := Load(context.Background(), big, nil)
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
