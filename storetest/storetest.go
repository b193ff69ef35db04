// Package storetest is the conformance suite for regiongraph.Store. Every
// store (boltstore, neo4jstore) runs it, so that they give the same answers.
//
// Where the Store documentation leaves a choice open, the suite fixes it:
//
//   - Nodes skips ids that do not exist (whatever their form) and keeps the
//     first place of a duplicated id.
//   - Expand with NodeIDs of which some do not exist expands the others.
//   - Subgraph with Roots always includes the roots, whatever their kind;
//     the other nodes must be of the allowed kinds. When MaxNodes cuts the
//     result, the nodes kept are the first by (distance from the roots, id);
//     without roots, the first by id. Exactly MaxNodes nodes is not cut.
//   - ShortestPaths from a node to itself is one path of that node alone.
//     Parallel relations give separate paths. Paths are ordered by their node
//     ids, then their relation ids; Kinds never excludes the two ends.
//   - Apply reports one entry per change in ApplyResult (node changes in
//     Nodes, relation changes in Edges) and counts changes, not the
//     relations a detaching delete removes. An upsert counts as created or
//     updated by whether the id existed. Neither update nor upsert may
//     change a node's kind or a relation's kind or ends (BAD_USER_INPUT).
//   - Apply validates the reason in the context before anything else.
//   - Error field paths are exact: "changes[i].node.name", "changes[i].id",
//     "changes[i].fields[j]", "reason".
//   - History entries of one batch share one time; a node's history holds
//     the changes of the relations that touch it; a changed node's or
//     relation's history stays readable after it is deleted.
package storetest

import (
	"context"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// Opener returns a new, empty store for one test. It should close the store
// in t.Cleanup.
type Opener = func(t *testing.T) rg.Store

// Run runs the whole suite against the stores open returns.
func Run(t *testing.T, open func(t *testing.T) rg.Store) {
	t.Run("Nodes", func(t *testing.T) { testNodes(t, open) })
	t.Run("Edges", func(t *testing.T) { testEdges(t, open) })
	t.Run("Expand", func(t *testing.T) { testExpand(t, open) })
	t.Run("Stats", func(t *testing.T) { testStats(t, open) })
	t.Run("FindNodes", func(t *testing.T) { testFindNodes(t, open) })
	t.Run("FindNodesRelatedPages", func(t *testing.T) { testRelatedPages(t, open) })
	t.Run("Subgraph", func(t *testing.T) { testSubgraph(t, open) })
	t.Run("SubgraphCut", func(t *testing.T) { testSubgraphCut(t, open) })
	t.Run("ShortestPaths", func(t *testing.T) { testShortestPaths(t, open) })
	t.Run("Apply", func(t *testing.T) { testApply(t, open) })
	t.Run("Validation", func(t *testing.T) { testValidation(t, open) })
	t.Run("History", func(t *testing.T) { testHistory(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	t.Run("ConcurrentUpdatesOfOneNode", func(t *testing.T) { testConcurrentUpdates(t, open) })
	t.Run("GraphVersion", func(t *testing.T) { testGraphVersion(t, open) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open) })
	t.Run("Hub", func(t *testing.T) { testHub(t, open) })
}

// openEmpty opens a store and checks that it is empty.
func openEmpty(t *testing.T, open Opener) rg.Store {
	t.Helper()
	s := open(t)
	snap := TakeSnapshot(t, s)
	if len(snap.Nodes)+len(snap.Edges) > 0 {
		t.Fatalf("open returned a store with %d nodes and %d relations, want an empty one", len(snap.Nodes), len(snap.Edges))
	}
	return s
}

// openWith opens an empty store and loads g.
func openWith(t *testing.T, open Opener, g Graph) rg.Store {
	t.Helper()
	s := openEmpty(t, open)
	Load(t, s, g)
	return s
}

var bg = context.Background()
