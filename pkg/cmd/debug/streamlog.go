package debug

import (
	"context"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

// withQuietStreamErrors returns ctx with a logger that drops the errors client-go's
// remote command streams report once ctx is done. Ctrl-C tears the session's
// connection down on purpose, and each stream then logs that its copy failed; while
// the session lives, those errors still reach the log.
func withQuietStreamErrors(ctx context.Context) context.Context {
	sink := klog.FromContext(ctx).GetSink()
	if sink == nil {
		return ctx
	}
	return klog.NewContext(ctx, logr.New(quietAfterDone{LogSink: sink, ctx: ctx}))
}

// quietAfterDone passes everything to LogSink but errors logged after ctx is done.
type quietAfterDone struct {
	logr.LogSink
	ctx context.Context
}

func (s quietAfterDone) Error(err error, msg string, keysAndValues ...any) {
	if s.ctx.Err() != nil {
		return
	}
	s.LogSink.Error(err, msg, keysAndValues...)
}

func (s quietAfterDone) WithValues(keysAndValues ...any) logr.LogSink {
	return quietAfterDone{LogSink: s.LogSink.WithValues(keysAndValues...), ctx: s.ctx}
}

func (s quietAfterDone) WithName(name string) logr.LogSink {
	return quietAfterDone{LogSink: s.LogSink.WithName(name), ctx: s.ctx}
}

// WithCallDepth keeps the caller's location in what is logged right.
func (s quietAfterDone) WithCallDepth(depth int) logr.LogSink {
	if sink, ok := s.LogSink.(logr.CallDepthLogSink); ok {
		return quietAfterDone{LogSink: sink.WithCallDepth(depth), ctx: s.ctx}
	}
	return s
}
