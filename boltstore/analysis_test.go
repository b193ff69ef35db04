package boltstore_test

import (
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
)

// TestAnalysis checks the analyses' known answers on graphs loaded into and
// read back from the embedded store.
func TestAnalysis(t *testing.T) {
	analysistest.Run(t, func(t *testing.T) rg.Store {
		return openAt(t, filepath.Join(t.TempDir(), "store.db"))
	})
}

// TestBriefOnBolt checks the lobbying brief, whose routes come from the
// store, on the embedded store.
func TestBriefOnBolt(t *testing.T) {
	analysistest.RunBrief(t, func(t *testing.T) rg.Store {
		return openAt(t, filepath.Join(t.TempDir(), "brief.db"))
	})
}
