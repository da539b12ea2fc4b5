package debug

import (
	"context"
	"errors"
	"testing"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	"k8s.io/klog/v2"
)

// recordingSink keeps the messages of the errors it is given.
type recordingSink struct {
	errors *[]string
}

func (s recordingSink) Init(logr.RuntimeInfo)               {}
func (s recordingSink) Enabled(int) bool                    { return true }
func (s recordingSink) Info(int, string, ...any)            {}
func (s recordingSink) Error(_ error, msg string, _ ...any) { *s.errors = append(*s.errors, msg) }
func (s recordingSink) WithValues(...any) logr.LogSink      { return s }
func (s recordingSink) WithName(string) logr.LogSink        { return s }

// The streams' errors reach the log while the session lives, and not once Ctrl-C has
// ended it, also through loggers derived with names, values and call depths.
func TestQuietStreamErrors(t *testing.T) {
	var logged []string
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), logr.New(recordingSink{errors: &logged})))
	logger := klog.FromContext(withQuietStreamErrors(ctx)).WithName("stream").WithValues("k", "v").WithCallDepth(2)
	logger.Error(errors.New("broken pipe"), "copying stdout failed while the session lives")
	cancel()
	logger.Error(errors.New("use of closed network connection"), "copying stdout failed after Ctrl-C")
	if diff := cmp.Diff([]string{"copying stdout failed while the session lives"}, logged); diff != "" {
		t.Errorf("logged errors (-want +got):\n%s", diff)
	}
}
