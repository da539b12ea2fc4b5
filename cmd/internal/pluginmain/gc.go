package pluginmain

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The collector's settings. A debug call lives for tens of milliseconds and allocates a
// few MiB: collecting garbage would only steal one of the two cores it may have, so the
// collector starts held back, and the soft limit brings it back before the heap grows
// to many times what is live. A fan-out over thousands of targets keeps far more alive;
// once the live heap reaches half the limit, the limit would leave less room for garbage
// than the live heap itself takes, and past the limit the collector would run back to
// back for no memory saved. From then on the collector runs at Go's default pace,
// whenever the heap has doubled since the last collection, with no limit.
const (
	startGCPercent   = 800
	startMemoryLimit = 48 << 20
	largeGCPercent   = 100
)

// tuneGC sets the collector's starting settings and, after each collection, looks at the
// live heap until it has outgrown them.
func tuneGC() {
	debug.SetGCPercent(startGCPercent)
	debug.SetMemoryLimit(startMemoryLimit)
	afterEachGC(func() bool {
		if !outgrown(liveHeap()) {
			return true
		}
		debug.SetGCPercent(largeGCPercent)
		debug.SetMemoryLimit(math.MaxInt64)
		return false
	})
}

// outgrown tells whether a live heap of live bytes has outgrown the starting settings.
func outgrown(live uint64) bool {
	return live >= startMemoryLimit/2
}

// liveHeap is the size of the heap the last collection found alive.
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// gcWatch is an object nothing refers to: every collection finds it unreachable and
// queues its finalizer, which calls f and, while f asks for more, sets itself again.
type gcWatch struct{ f func() bool }

// afterEachGC calls f after each collection, on the finalizer goroutine, until f
// returns false.
func afterEachGC(f func() bool) {
	runtime.SetFinalizer(&gcWatch{f}, (*gcWatch).fire)
}

func (w *gcWatch) fire() {
	if w.f() {
		runtime.SetFinalizer(w, (*gcWatch).fire)
	}
}
