package export_test

import (
	"context"
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
)

// newStore returns a boltstore in a temporary file holding nodes and edges.
func newStore(t *testing.T, nodes []*rg.Node, edges []*rg.Edge) rg.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "export.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	var changes []rg.Change
	for _, n := range nodes {
		changes = append(changes, rg.Change{Op: rg.OpCreateNode, Node: n})
	}
	for _, e := range edges {
		changes = append(changes, rg.Change{Op: rg.OpCreateEdge, Edge: e})
	}
	if _, err := s.Apply(context.Background(), changes); err != nil {
		t.Fatalf("load the fixture: %v", err)
	}
	return s
}
