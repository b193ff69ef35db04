package neo4jstore

import (
	"testing"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
)

// TestAnalysisOnNeo4j checks the analyses' known answers on graphs loaded
// into and read back from Neo4j (when NEO4J_URI names a server; see
// liveConfig), the same checks boltstore passes.
func TestAnalysisOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	analysistest.Run(t, func(t *testing.T) regiongraph.Store { return openLive(t, cfg) })
}

// TestBriefOnNeo4j checks the lobbying brief, whose routes come from the
// store, on Neo4j (when NEO4J_URI names a server).
func TestBriefOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	analysistest.RunBrief(t, func(t *testing.T) regiongraph.Store { return openLive(t, cfg) })
}
