package gqlhttp_test

import (
	"context"
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// openStore returns an embedded store holding the bundled dataset once.
func openStore(tb testing.TB) rg.Store {
	tb.Helper()
	s, err := boltstore.Open(filepath.Join(tb.TempDir(), "test.db"), boltstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		tb.Fatalf("bundled dataset: %v", err)
	}
	if _, err := s.Apply(context.Background(), ds.Changes()); err != nil {
		tb.Fatalf("load the bundled dataset: %v", err)
	}
	return s
}
