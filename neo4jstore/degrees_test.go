package neo4jstore

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// TestNodeDegreesOnNeo4j: Neo4j tells every node's relations by kind and
// direction exactly as the embedded store does (the bundled dataset, and a
// node that does not exist: none).
func TestNodeDegreesOnNeo4j(t *testing.T) {
	s := openLive(t, liveConfig(t))
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx := regiongraph.WithPrincipal(context.Background(), regiongraph.Principal{Name: "degrees-test"})
	if _, err := s.Apply(ctx, ds.Changes()); err != nil {
		t.Fatal(err)
	}
	ref, err := boltstore.Open(filepath.Join(t.TempDir(), "ref.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ref.Close() })
	if _, err := ref.Apply(ctx, ds.Changes()); err != nil {
		t.Fatal(err)
	}
	ids := []string{"no-such-node"}
	for _, n := range ds.Nodes {
		ids = append(ids, n.ID)
	}
	hub, most := "", 0
	for _, id := range ids {
		got, err := s.NodeDegrees(ctx, id)
		if err != nil {
			t.Fatalf("NodeDegrees(%s): %v", id, err)
		}
		want, err := ref.NodeDegrees(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("NodeDegrees(%s) on Neo4j: %+v\nthe embedded store: %+v", id, got, want)
		}
		if got.MaxBoth > most {
			hub, most = id, got.MaxBoth
		}
	}
	if most == 0 {
		t.Fatal("no node has a relation")
	}
	t.Logf("%d nodes compared; the most relations: %s with %d", len(ids), hub, most)
}
