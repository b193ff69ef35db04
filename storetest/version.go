package storetest

import (
	"context"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// testGraphVersion: a store is regiongraph.Versioned; its version changes
// with every Apply that changes the graph and with nothing else, counts the
// nodes and relations, and names the store (two stores differ).
func testGraphVersion(t *testing.T, open Opener) {
	ctx := context.Background()
	version := func(s rg.Store) rg.GraphVersion {
		t.Helper()
		v, err := rg.VersionOf(ctx, s)
		if err != nil {
			t.Fatalf("GraphVersion: %v", err)
		}
		return v
	}
	apply := func(s rg.Store, cs ...rg.Change) {
		t.Helper()
		if _, err := s.Apply(ctx, cs); err != nil {
			t.Fatalf("Apply: %v", err)
		}
	}
	s := openEmpty(t, open)
	v0 := version(s)
	if v0.Nodes != 0 || v0.Relations != 0 {
		t.Errorf("empty store: %d nodes, %d relations in its version", v0.Nodes, v0.Relations)
	}
	if again := version(s); again != v0 {
		t.Errorf("version changed without a change: %+v, then %+v", v0, again)
	}
	apply(s, CreateNodes(Partner("a"), Partner("b"))...)
	v1 := version(s)
	if v1.Seq == v0.Seq || v1.Store != v0.Store || v1.Nodes != 2 || v1.Relations != 0 {
		t.Errorf("after creating two nodes: %+v (before %+v), want a new Seq, the same store, 2 nodes", v1, v0)
	}
	apply(s, CreateEdges(PartnerOf("ab", "a", "b"))...)
	v2 := version(s)
	if v2.Seq == v1.Seq || v2.Relations != 1 || v2.Nodes != 2 {
		t.Errorf("after creating a relation: %+v (before %+v), want a new Seq, 2 nodes, 1 relation", v2, v1)
	}
	// An upsert that finds the node as it is changes nothing.
	apply(s, rg.Change{Op: rg.OpUpsertNode, Node: Partner("a")})
	if v := version(s); v != v2 {
		t.Errorf("after an upsert that changed nothing: %+v, want %+v", v, v2)
	}
	n := Partner("a")
	n.Name = "renamed"
	apply(s, rg.Change{Op: rg.OpUpdateNode, Node: n})
	v3 := version(s)
	if v3.Seq == v2.Seq {
		t.Errorf("after renaming a node the version stayed %+v", v3)
	}
	// A failed batch changes nothing.
	if _, err := s.Apply(ctx, CreateNodes(Partner("a"))); err == nil {
		t.Fatal("creating an existing node succeeded")
	}
	if v := version(s); v != v3 {
		t.Errorf("after a failed batch: %+v, want %+v", v, v3)
	}
	apply(s, rg.Change{Op: rg.OpDeleteNode, ID: "b", Detach: true})
	if v := version(s); v.Seq == v3.Seq || v.Nodes != 1 || v.Relations != 0 {
		t.Errorf("after deleting b with its relation: %+v, want a new Seq, 1 node, 0 relations", v)
	}
	if other := version(openEmpty(t, open)); other.Store == v0.Store {
		t.Errorf("two stores share the version's Store %d", other.Store)
	}
}
