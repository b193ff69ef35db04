package resolvers

import (
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// TestKnownNodeFindsRememberedAndReadAhead checks that a node read in the
// request is found whether it was remembered one by one or came in a
// batch read ahead, in whatever order the batch came, and that a batch is
// not reordered in place (it is the store's, shared with other readers).
func TestKnownNodeFindsRememberedAndReadAhead(t *testing.T) {
	node := func(id string) *rg.Node { return &rg.Node{ID: id, Kind: rg.KindNetwork, Name: id} }
	root := node("kommune-a")
	unsorted := []*rg.Node{node("n-c"), node("n-a"), node("n-b")}
	given := slices.Clone(unsorted)
	sorted := []*rg.Node{node("p-a"), node("p-b")}

	l := &Loaders{}
	l.remember([]*rg.Node{root})
	for _, b := range [][]*rg.Node{unsorted, sorted} {
		l.batches = append(l.batches, sortedByID(b))
	}
	if !slices.Equal(unsorted, given) {
		t.Errorf("sortedByID reordered the store's slice: %v", unsorted)
	}
	if &l.batches[1][0] != &sorted[0] {
		t.Errorf("a batch already ordered by id was copied")
	}
	for _, want := range append(append([]*rg.Node{root}, unsorted...), sorted...) {
		if got, ok := l.knownNode(want.ID); !ok || got != want {
			t.Errorf("knownNode(%q) = %v, %v; want the node read", want.ID, got, ok)
		}
	}
	for _, id := range []string{"", "n-0", "n-bb", "p-c", "zzz"} {
		if got, ok := l.knownNode(id); ok {
			t.Errorf("knownNode(%q) = %v, true; nothing was read under that id", id, got)
		}
	}
}
