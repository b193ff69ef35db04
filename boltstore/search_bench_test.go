package boltstore_test

import (
	"context"
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
	"github.com/regiongraph/regiongraph/boltstore"
)

// BenchmarkSearch runs full-text searches on 12 joined copies of the
// bundled dataset (2 066 nodes): a rare word in a description, a
// prefix that matches many nodes, two words, and "E 134".
func BenchmarkSearch(b *testing.B) {
	f, err := analysistest.Replicated(12)
	if err != nil {
		b.Fatal(err)
	}
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "search.db"), quiet())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	if _, err := s.Apply(context.Background(), f.Changes()); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d nodes", len(f.Nodes))
	for _, q := range []string{"riksveg", "kommun", "fokus på tilbud", "E 134"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(context.Background(), rg.SearchQuery{Text: q, First: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
