package pluginmain

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The starting settings hold while the live heap leaves the soft limit room for as much
// garbage again; past that, the limit would only make the collector run back to back.
func TestOutgrown(t *testing.T) {
	for _, tt := range []struct {
		live uint64
		want bool
	}{
		{0, false},
		{4 << 20, false},
		{24<<20 - 1, false},
		{24 << 20, true},
		{48 << 20, true},
		{500 << 20, true},
	} {
		if got := outgrown(tt.live); got != tt.want {
			t.Errorf("outgrown(%d MiB) = %v, want %v", tt.live>>20, got, tt.want)
		}
	}
}

// A live heap past half the soft limit, as a fan-out over thousands of pods holds,
// leaves the collector at Go's default pace without the limit, instead of collecting
// back to back.
func TestTuneGCLeavesTheLimitToALargeHeap(t *testing.T) {
	t.Cleanup(func() {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
	tuneGC()
	if got := debug.SetMemoryLimit(-1); got != startMemoryLimit {
		t.Fatalf("memory limit = %d, want %d", got, startMemoryLimit)
	}
	live := make([]byte, 40<<20)
	// Collections until the watch has seen the large heap; the bound only keeps a
	// broken watch from hanging the test.
	deadline := time.Now().Add(time.Minute)
	for debug.SetMemoryLimit(-1) != math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatalf("the memory limit is still %d after collections with a live heap of 40 MiB", debug.SetMemoryLimit(-1))
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	if got := debug.SetGCPercent(100); got != largeGCPercent {
		t.Errorf("GC percent = %d, want %d", got, largeGCPercent)
	}
}

// afterEachGC calls its function after every collection, in order.
func TestAfterEachGC(t *testing.T) {
	calls := make(chan int, 10)
	n := 0
	afterEachGC(func() bool {
		n++
		calls <- n
		return n < 3
	})
	deadline := time.After(time.Minute)
	for want := 1; want <= 3; want++ {
		runtime.GC()
		select {
		case got := <-calls:
			if got != want {
				t.Fatalf("call %d, want %d", got, want)
			}
		case <-deadline:
			t.Fatalf("no call %d after a minute of collections", want)
		}
	}
}
