package main

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeLimiter records the limits set, for a live heap and a machine it
// is told.
type fakeLimiter struct {
	mu          sync.Mutex
	live, total uint64
	limit       int64
	sets        []int64
	gc          int
	gcSets      []int
}

func (f *fakeLimiter) SetMemoryLimit(n int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	prev := f.limit
	f.limit = n
	f.sets = append(f.sets, n)
	return prev
}
func (f *fakeLimiter) SetGCPercent(p int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	prev := f.gc
	f.gc = p
	f.gcSets = append(f.gcSets, p)
	return prev
}
func (f *fakeLimiter) LiveHeap() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live
}
func (f *fakeLimiter) TotalMemory() uint64 { return f.total }

// serveWith runs serve with the limiter and env until it listens, stops
// it, and returns the limits set meanwhile, the last one then current.
func serveWith(t *testing.T, f *fakeLimiter, env map[string]string, args ...string) (during, after int64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return env[k] }, limiter: f,
		onListen: func(s string) { addr <- s }}
	done := make(chan error, 1)
	go func() {
		done <- a.run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "m.db")}, args...))
	}()
	select {
	case <-addr:
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(hangBound):
		t.Fatal("serve did not listen")
	}
	f.mu.Lock()
	during = f.limit
	f.mu.Unlock()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	return during, f.limit
}

// -memory-limit: auto sets 2.2 times the live heap after opening the
// embedded store (at least 256 MiB above it, at most 9/10 of the
// machine); a size is set as given; off and a GOMEMLIMIT in the
// environment leave the runtime's limit alone; every limit set is undone
// when serve returns.
func TestServeMemoryLimit(t *testing.T) {
	const mb = 1 << 20
	const before = math.MaxInt64
	cases := []struct {
		name        string
		live, total uint64
		env         map[string]string
		args        []string
		want        int64 // during serve; 0: never set
	}{
		{name: "auto, national heap", live: 470 * mb, total: 24 << 30, want: 470*mb + 470*mb/5*6},
		{name: "auto, small heap", live: 20 * mb, total: 24 << 30, want: 20*mb + 256*mb},
		{name: "auto, small machine", live: 470 * mb, total: 800 * mb, want: 800 * mb / 10 * 9},
		{name: "auto from the environment", live: 470 * mb, env: map[string]string{"REGIONGRAPH_MEMORY_LIMIT": "auto"}, want: 470*mb + 470*mb/5*6},
		{name: "size", live: 470 * mb, args: []string{"-memory-limit", "900MiB"}, want: 900 * mb},
		{name: "size from the environment", live: 470 * mb, env: map[string]string{"REGIONGRAPH_MEMORY_LIMIT": "2GiB"}, want: 2 << 30},
		{name: "off", live: 470 * mb, args: []string{"-memory-limit", "off"}},
		{name: "GOMEMLIMIT", live: 470 * mb, env: map[string]string{"GOMEMLIMIT": "850MiB"}},
		{name: "GOMEMLIMIT and a flag", live: 470 * mb, env: map[string]string{"GOMEMLIMIT": "850MiB"}, args: []string{"-memory-limit", "2GiB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeLimiter{live: c.live, total: c.total, limit: before}
			during, after := serveWith(t, f, c.env, c.args...)
			if c.want == 0 {
				if len(f.sets) != 0 {
					t.Fatalf("limits set %v, want none", f.sets)
				}
				return
			}
			if during != c.want {
				t.Errorf("limit while serving %d MiB, want %d MiB", during/mb, c.want/mb)
			}
			if after != before {
				t.Errorf("limit after serving %d, want the one before (%d)", after, int64(before))
			}
		})
	}
	for _, bad := range []string{"lots", "-5", "12XB", "1.5GiB"} {
		if _, stderr, _, code := runApp(t, nil, "serve", "-memory-limit", bad); code != 2 || stderr == "" {
			t.Errorf("-memory-limit %s: exit %d, stderr %q", bad, code, stderr)
		}
	}
}

// An import of a large file lets the heap grow to five times the live
// heap between collections, within 3/4 of the memory, and restores the
// collector's settings after; a small file, GOGC or GOMEMLIMIT in the
// environment, or an unknown memory leave them alone.
func TestImportGC(t *testing.T) {
	const large = 80 << 20
	for _, c := range []struct {
		name  string
		size  int
		total uint64
		env   map[string]string
		set   bool
	}{
		{name: "large", size: large, total: 24 << 30, set: true},
		{name: "small", size: 1 << 20, total: 24 << 30},
		{name: "GOGC", size: large, total: 24 << 30, env: map[string]string{"GOGC": "100"}},
		{name: "GOMEMLIMIT", size: large, total: 24 << 30, env: map[string]string{"GOMEMLIMIT": "1GiB"}},
		{name: "unknown memory", size: large},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeLimiter{total: c.total, limit: math.MaxInt64, gc: 100}
			a := &app{getenv: func(k string) string { return c.env[k] }, limiter: f}
			restore := a.importGC(c.size)
			if !c.set {
				if len(f.sets)+len(f.gcSets) != 0 {
					t.Fatalf("set limit %v, GOGC %v; want nothing", f.sets, f.gcSets)
				}
				restore()
				return
			}
			if f.gc != importGCPercent || f.limit != int64(float64(c.total)*importMemoryShare) {
				t.Errorf("during the import: GOGC %d, limit %d; want %d and 3/4 of %d", f.gc, f.limit, importGCPercent, c.total)
			}
			restore()
			if f.gc != 100 || f.limit != math.MaxInt64 {
				t.Errorf("after the import: GOGC %d, limit %d; want them restored", f.gc, f.limit)
			}
		})
	}
}

// An automatic limit follows the live heap up, keeping the room it left
// above it at first, and never comes down.
func TestServeMemoryLimitFollowsTheHeap(t *testing.T) {
	defer func(d time.Duration) { autoLimitEvery = d }(autoLimitEvery)
	autoLimitEvery = 5 * time.Millisecond
	const mb = 1 << 20
	f := &fakeLimiter{live: 400 * mb, total: 24 << 30, limit: math.MaxInt64}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, limiter: f, onListen: func(s string) { addr <- s }}
	done := make(chan error, 1)
	go func() {
		done <- a.run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "m.db")})
	}()
	select {
	case <-addr:
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(hangBound):
		t.Fatal("serve did not listen")
	}
	limitNow := func() int64 { f.mu.Lock(); defer f.mu.Unlock(); return f.limit }
	waitFor := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(hangBound)
		for limitNow() != want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := limitNow(); got != want {
			t.Fatalf("limit %d MiB, want %d MiB", got/mb, want/mb)
		}
	}
	first := int64(400*mb + 480*mb)
	waitFor(first)
	f.mu.Lock()
	f.live = 500 * mb
	f.mu.Unlock()
	waitFor(500*mb + 480*mb) // the same 480 MiB of room
	f.mu.Lock()
	f.live = 100 * mb
	f.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	if got := limitNow(); got != 980*mb {
		t.Errorf("limit %d MiB after the live heap shrank, want it kept at 980 MiB", got/mb)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f.limit != math.MaxInt64 {
		t.Errorf("limit after serving %d, want the one before", f.limit)
	}
}
