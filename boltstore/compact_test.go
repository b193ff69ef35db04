package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/storetest"
)

// A file that batches of changes have grown shrinks when compacted, and
// the store reads the same before and after, and after reopening; writes
// go on (the history's numbering too).
func TestCompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := openAt(t, path)
	var g storetest.Graph
	for i := range 3000 {
		g.Nodes = append(g.Nodes, storetest.Partner(fmt.Sprintf("p-%04d", (i*7919)%3000)))
	}
	for i := range 3000 {
		g.Edges = append(g.Edges, storetest.PartnerOf(fmt.Sprintf("r-%04d", (i*7919)%3000), fmt.Sprintf("p-%04d", i), fmt.Sprintf("p-%04d", (i+1)%3000)))
	}
	cs := g.Changes()
	for i := 0; i < len(cs); i += 500 {
		storetest.MustApply(t, s, cs[i:min(i+500, len(cs))]...)
	}
	snap := storetest.TakeSnapshot(t, s)
	hist := storetest.AllHistory(t, s, "")
	histOf := storetest.AllHistory(t, s, "p-0001")

	before, after, err := s.Compact(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compacted %d -> %d bytes", before, after)
	if after >= before {
		t.Errorf("compaction did not shrink the file: %d -> %d bytes", before, after)
	}
	if fi, _ := os.Stat(path); fi.Size() != after {
		t.Errorf("the file has %d bytes, Compact said %d", fi.Size(), after)
	}
	if _, err := os.Stat(path + ".compacting"); !os.IsNotExist(err) {
		t.Errorf("compaction left %s.compacting (%v)", path, err)
	}
	// check compares with what was read before compaction; the newest
	// extra entries of the history are the changes made since.
	check := func(s rg.Store, extra int) {
		t.Helper()
		storetest.WantSnapshot(t, s, snap)
		if h := storetest.AllHistory(t, s, ""); len(h) != len(hist)+extra || !reflect.DeepEqual(h[extra:], hist) {
			t.Errorf("history differs after compaction: %d entries, want %d", len(h), len(hist))
		}
		if h := storetest.AllHistory(t, s, "p-0001"); !reflect.DeepEqual(h, histOf) {
			t.Errorf("history of p-0001 differs after compaction")
		}
	}
	check(s, 0)
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("after"))...)
	if h := storetest.AllHistory(t, s, "after"); len(h) != 1 || h[0].Seq != int64(len(hist))+1 {
		t.Fatalf("history after compaction: %+v", h)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openAt(t, path)
	storetest.MustApply(t, s2, rg.Change{Op: rg.OpDeleteNode, ID: "after"})
	check(s2, 2)
}
