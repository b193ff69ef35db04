package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/regiongraph/regiongraph/dataset"
)

// The soft memory limit serve gives the Go runtime (-memory-limit).
//
// The embedded store holds the whole graph in memory: its live heap is
// most of what the process needs, and Go's collector, by default, lets the
// heap grow to twice the live heap between collections (a national graph:
// 470 MB live, 1.1 GiB resident at peak). With "auto", serve sets a soft
// limit (debug.SetMemoryLimit) of autoLimit(the live heap after opening
// the store): the collector then runs more often as the heap nears it,
// rather than letting it double. The limit follows the live heap up (an
// import that grows the graph, the analyses' caches) keeping the same room
// above it, and never goes above nine tenths of the memory of the machine
// or of the container's cgroup. A GOMEMLIMIT the user set is left alone.
const (
	memLimitAuto = -1 // "auto"
	memLimitOff  = 0  // "off"
)

// autoHeadroom is the least room above the live heap an automatic limit
// leaves: requests' garbage (an analysis allocates tens of megabytes).
const autoHeadroom = 256 << 20

// autoLimit is the automatic limit for a live heap of live bytes, on a
// machine (or cgroup) of total bytes (0: unknown): 1.2 times the live heap
// above it (2.2 times the live heap in all), and at least autoHeadroom,
// within 9/10 of total. The room decides how often the collector marks the
// whole live heap: with 0.75 times the live heap, serving the national
// graph spent about half its CPU collecting (cheap queries' p99 doubled);
// with 1.2 times, its peak RSS stays under 1 GiB as the analyses' caches
// grow the live heap from 363 to about 510 MiB (see
// bench/national/README.md).
func autoLimit(live, total uint64) int64 {
	limit := live + max(live/5*6, autoHeadroom)
	if total > 0 {
		limit = min(limit, total/10*9)
	}
	return int64(min(limit, math.MaxInt64))
}

// followLimit is the automatic limit once the live heap is live: the room
// the first limit left above the live heap (headroom), within 9/10 of
// total.
func followLimit(live, headroom, total uint64) int64 {
	limit := live + headroom
	if total > 0 {
		limit = min(limit, total/10*9)
	}
	return int64(min(limit, math.MaxInt64))
}

// memLimit is the -memory-limit flag: auto, off, or a size in bytes with
// an optional unit (B, KiB, MiB, GiB, TiB), as GOMEMLIMIT takes it.
func memLimit(dst *int64) *value {
	return &value{kind: "auto|off|size", set: func(s string) error {
		switch strings.ToLower(s) {
		case "auto":
			*dst = memLimitAuto
			return nil
		case "off", "0":
			*dst = memLimitOff
			return nil
		}
		n, err := parseSize(s)
		if err != nil {
			return err
		}
		*dst = n
		return nil
	}}
}

func parseSize(s string) (int64, error) {
	bad := errors.New("must be auto, off or a size such as 900MiB or 2GiB")
	num := strings.TrimRight(s, "BKMGTi")
	unit := s[len(num):]
	mult := map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if mult == 0 || err != nil || n <= 0 || n > math.MaxInt64/mult {
		return 0, bad
	}
	return n * mult, nil
}

// memoryLimiter applies the limit: the real process's runtime, or a
// test's recorder.
type memoryLimiter interface {
	// SetMemoryLimit is debug.SetMemoryLimit.
	SetMemoryLimit(int64) int64
	// SetGCPercent is debug.SetGCPercent.
	SetGCPercent(int) int
	// LiveHeap is the live heap in bytes after a collection.
	LiveHeap() uint64
	// TotalMemory is the memory of the machine or cgroup (0: unknown).
	TotalMemory() uint64
}

// runtimeLimiter is the process's own runtime.
type runtimeLimiter struct{}

func (runtimeLimiter) SetMemoryLimit(n int64) int64 { return debug.SetMemoryLimit(n) }
func (runtimeLimiter) SetGCPercent(p int) int       { return debug.SetGCPercent(p) }

func (runtimeLimiter) LiveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func (runtimeLimiter) TotalMemory() uint64 {
	// cgroup v2, then v1, then the machine.
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(f); err == nil {
			if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && n < 1<<50 {
				return n
			}
		}
	}
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// autoLimitEvery is how often an automatic limit follows the live heap up
// (a variable for tests).
var autoLimitEvery = 30 * time.Second

// setMemoryLimit sets the soft memory limit -memory-limit asks for, once
// the store is open, and returns a function that restores the one before.
// With auto and the embedded store it collects once to measure the live
// heap, and keeps the limit above the live heap until ctx ends.
func (a *app) setMemoryLimit(ctx context.Context, c *config, log *slog.Logger) (restore func()) {
	none := func() {}
	lim := a.limiter
	if lim == nil {
		return none // an app a test made: the test process's runtime is left alone
	}
	if v := a.getenv("GOMEMLIMIT"); v != "" {
		log.Info("memory limit: GOMEMLIMIT is set, -memory-limit is not applied", "GOMEMLIMIT", v)
		return none
	}
	switch {
	case c.memoryLimit == memLimitOff:
		return none
	case c.memoryLimit > 0:
		prev := lim.SetMemoryLimit(c.memoryLimit)
		log.Info("memory limit", "limit", mib(uint64(c.memoryLimit)), "source", "-memory-limit")
		return func() { lim.SetMemoryLimit(prev) }
	case c.store != "bolt":
		// Neo4j holds the graph; the process's heap is what requests
		// make of it, which the live heap at start does not foretell.
		return none
	}
	runtime.GC()
	live, total := lim.LiveHeap(), lim.TotalMemory()
	if live == 0 {
		return none
	}
	limit := autoLimit(live, total)
	var headroom uint64 // kept as the live heap grows
	if uint64(limit) > live {
		headroom = uint64(limit) - live
	}
	prev := lim.SetMemoryLimit(limit)
	log.Info("memory limit", "limit", mib(uint64(limit)), "liveHeap", mib(live), "source", "auto (-memory-limit)")
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(autoLimitEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if l := followLimit(lim.LiveHeap(), headroom, total); l > limit {
					limit = l
					lim.SetMemoryLimit(limit)
					log.Info("memory limit raised", "limit", mib(uint64(limit)))
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		lim.SetMemoryLimit(prev)
	}
}

func mib(n uint64) string { return fmt.Sprintf("%.0fMiB", float64(n)/(1<<20)) }

// importGCPercent is the collector's GOGC during an import of a large
// file: the heap may grow to five times the live heap between
// collections (the national file: 21 s of CPU instead of 31 s, 2.1 GB
// resident at peak instead of 1.5 GB), within importMemoryShare of the
// machine's or cgroup's memory, near which the collector runs as often as
// it must.
const (
	importGCPercent   = 400
	importMemoryShare = 0.75
)

// importGC sets the collector for an import of a file of size bytes (a
// large one: importGCPercent within importMemoryShare of the memory),
// unless GOGC or GOMEMLIMIT is set in the environment, and returns a
// function that restores what was before.
func (a *app) importGC(size int) (restore func()) {
	lim := a.limiter
	if lim == nil || size <= dataset.MaxFileBytes || a.getenv("GOGC") != "" || a.getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	total := lim.TotalMemory()
	if total == 0 {
		return func() {}
	}
	prevLimit := lim.SetMemoryLimit(int64(float64(total) * importMemoryShare))
	prevGC := lim.SetGCPercent(importGCPercent)
	return func() {
		lim.SetGCPercent(prevGC)
		lim.SetMemoryLimit(prevLimit)
	}
}
