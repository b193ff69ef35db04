package live_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/live"
	"github.com/regiongraph/regiongraph/storetest"
)

var bg = context.Background()

func openStore(t *testing.T) rg.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "live.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSincePagesOldestFirst(t *testing.T) {
	s := openStore(t)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		storetest.MustApply(t, s, rg.Change{Op: rg.OpCreateNode, Node: storetest.Partner(id)})
	}
	var got []string
	since := int64(0)
	for {
		es, next, more, total, err := live.Since(bg, s, since, 2)
		if err != nil {
			t.Fatal(err)
		}
		if total != 5-since {
			t.Errorf("total %d after %d, want %d", total, since, 5-since)
		}
		for _, e := range es {
			got = append(got, e.ID)
		}
		since = next
		if !more {
			break
		}
	}
	if len(got) != 5 || got[0] != "a" || got[4] != "e" || since != 5 {
		t.Fatalf("got %v up to %d", got, since)
	}
	// After the end, and past it (a client ahead of a fresh store).
	for _, s0 := range []int64{5, 9} {
		es, next, more, _, err := live.Since(bg, s, s0, 2)
		if err != nil || len(es) != 0 || more || next != s0 {
			t.Fatalf("since %d: %d entries, next %d, more %v, %v", s0, len(es), next, more, err)
		}
	}
	if _, _, _, _, err := live.Since(bg, s, -1, 2); rg.ErrorField(err) != "since" {
		t.Fatalf("since -1: %v", err)
	}
}

func TestStreamWakesOnApplyAndBoundsStreams(t *testing.T) {
	s := openStore(t)
	h := live.New(live.Options{MaxStreams: 1, Poll: time.Hour})
	ws := h.Store(s)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	ch, err := h.Stream(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b := <-ch; len(b.Entries) != 0 || b.LastSeq != 0 {
		t.Fatalf("first batch %+v", b)
	}
	if _, err := h.Stream(ctx, ws, nil); rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Fatalf("second stream: %v", err)
	}
	// The poll is an hour: only the hub's wake-up can bring this.
	storetest.MustApply(t, ws, rg.Change{Op: rg.OpCreateNode, Node: storetest.Partner("a")})
	select {
	case b := <-ch:
		if len(b.Entries) != 1 || b.Entries[0].ID != "a" || b.LastSeq != 1 {
			t.Fatalf("batch %+v", b)
		}
	case <-time.After(time.Minute):
		t.Fatal("no batch within a minute")
	}
	cancel()
	for range ch {
	}
	deadline := time.Now().Add(time.Minute)
	for h.Streams() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if h.Streams() != 0 {
		t.Fatalf("%d streams open after the end", h.Streams())
	}
}

// The hub's store keeps the wrapped store's version, which the analyses'
// shared work is keyed by.
func TestHubStorePassesTheVersionThrough(t *testing.T) {
	s := openStore(t)
	ws := live.New(live.Options{}).Store(s)
	storetest.MustApply(t, ws, rg.Change{Op: rg.OpCreateNode, Node: storetest.Partner("a")})
	want, err := rg.VersionOf(bg, s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rg.VersionOf(bg, ws)
	if err != nil || got != want || got.Seq != 1 {
		t.Fatalf("version %+v, %v; want %+v", got, err, want)
	}
}
