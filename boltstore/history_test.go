package boltstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/storetest"
)

func TestHistoryUsesTheInjectedClock(t *testing.T) {
	at := time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600))
	opts := quiet()
	opts.Now = func() time.Time { return at }
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("a"))...)
	h := storetest.AllHistory(t, s, "a")
	if len(h) != 1 || !h[0].At.Equal(at) || h[0].At.Location() != time.UTC {
		t.Fatalf("history %+v, want one entry at %s in UTC", h, at)
	}
}

func TestHistorySurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, s, richGraph())
	if _, err := s.Apply(storetest.As("alice", rg.RoleEditor, "why"), []rg.Change{{Op: rg.OpDeleteNode, ID: "lone"}}); err != nil {
		t.Fatal(err)
	}
	before := storetest.AllHistory(t, s, "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	after := storetest.AllHistory(t, s, "")
	if len(after) != len(before) || after[0].Actor != "alice" || after[0].Reason != "why" || after[0].Before.ID != "lone" {
		t.Fatalf("after reopening: %d entries (newest %+v), want %d", len(after), after[0], len(before))
	}
	// Numbering continues where it stopped.
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("b"))...)
	if h := storetest.AllHistory(t, s, "b"); h[0].Seq != before[0].Seq+1 {
		t.Fatalf("seq after reopening %d, want %d", h[0].Seq, before[0].Seq+1)
	}
}

// A file written before the history existed has no history buckets: it reads
// as an empty history and gets them with its first change.
func TestFileWithoutHistoryBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, s, richGraph())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("history")); err != nil {
			return err
		}
		return tx.DeleteBucket([]byte("history_by_id"))
	})
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	s = openAt(t, path)
	if n := storetest.HistoryLen(t, s, ""); n != 0 {
		t.Fatalf("history of an old file has %d entries", n)
	}
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("b"))...)
	if h := storetest.AllHistory(t, s, ""); len(h) != 1 || h[0].Seq != 1 || h[0].ID != "b" {
		t.Fatalf("history after the first change: %+v", h)
	}
}

func TestHistoryOfAClosedStoreIsUnavailable(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), quiet())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.History(context.Background(), rg.HistoryFilter{})
	storetest.WantCode(t, err, rg.EUNAVAILABLE)
}

// A node's history index is kept in chunks of postings: one with
// thousands of entries, made over many batches, still reads whole, in
// order, page by page, with its total.
func TestLongHistoryOfOneNode(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "store.db"))
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("hub"))...)
	var want []int64
	for b := range 12 {
		var cs []rg.Change
		for i := range 150 {
			id := fmt.Sprintf("p-%02d-%03d", b, i)
			cs = append(cs, storetest.CreateNodes(storetest.Partner(id))...)
			cs = append(cs, storetest.CreateEdges(storetest.PartnerOf("r-"+id, id, "hub"))...)
		}
		storetest.MustApply(t, s, cs...)
	}
	all := storetest.AllHistory(t, s, "")
	for _, h := range all {
		if h.ID == "hub" || strings.HasPrefix(h.ID, "r-") {
			want = append(want, h.Seq)
		}
	}
	got := storetest.AllHistory(t, s, "hub")
	if len(got) != len(want) || len(got) != 1801 {
		t.Fatalf("history of hub: %d entries, want %d (1801)", len(got), len(want))
	}
	for i := range got {
		if got[i].Seq != want[i] {
			t.Fatalf("entry %d: seq %d, want %d", i, got[i].Seq, want[i])
		}
	}
	page, err := s.History(context.Background(), rg.HistoryFilter{ID: "hub", First: 10})
	if err != nil || page.TotalCount != 1801 || len(page.Entries) != 10 || !page.HasNextPage {
		t.Fatalf("first page: %d entries of %d, next %v, %v", len(page.Entries), page.TotalCount, page.HasNextPage, err)
	}
}
