package neo4jstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/regiongraph/regiongraph"
)

// TestApplyFindsStoredRelationsByIDOnNeo4j checks both ways Apply reads the
// relations a batch names (loadEdgesByID): a few ids sought in every type's
// id index, and more than pointLookupMax through index ranges in id order.
// Either way a stored relation is found whatever its type: upserted again it
// is unchanged or updated, never created twice, and an upsert giving its id
// another kind is refused with nothing of the batch written.
func TestApplyFindsStoredRelationsByIDOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	ctx := regiongraph.WithReason(regiongraph.WithPrincipal(context.Background(), regiongraph.Principal{Name: "test"}), "many relations")

	const n = 3 * pointLookupMax
	var nodes []regiongraph.Change
	for i := range n + 1 {
		nodes = append(nodes, regiongraph.Change{Op: regiongraph.OpCreateNode, Node: partner(fmt.Sprintf("p%03d", i))})
	}
	nodes = append(nodes,
		regiongraph.Change{Op: regiongraph.OpCreateNode, Node: &regiongraph.Node{ID: "m", Kind: regiongraph.KindMunicipality, Name: "M", Source: testSource}},
		regiongraph.Change{Op: regiongraph.OpCreateNode, Node: &regiongraph.Node{ID: "r", Kind: regiongraph.KindRegion, Name: "R", Source: testSource}})
	if _, err := s.Apply(ctx, nodes); err != nil {
		t.Fatal(err)
	}
	// Relations e000, e002, e004, ...: the ranges of a later batch hold
	// stored ids that the batch does not name (the odd ones it creates lie
	// between them).
	edge := func(i int) *regiongraph.Edge {
		return partnerOf(fmt.Sprintf("e%03d", i), fmt.Sprintf("p%03d", i), fmt.Sprintf("p%03d", i+1))
	}
	var first []regiongraph.Change
	for i := 0; i < n; i += 2 {
		first = append(first, regiongraph.Change{Op: regiongraph.OpCreateEdge, Edge: edge(i)})
	}
	if len(first) <= pointLookupMax {
		t.Fatalf("the first batch has %d relations: not the range path", len(first))
	}
	if res, err := s.Apply(ctx, first); err != nil || res.Created != len(first) {
		t.Fatalf("first batch: %+v, %v", res, err)
	}

	// Every relation: the stored ones again (one of them with a role), the
	// others new, in id order; then each way of reading for a few ids.
	var all []regiongraph.Change
	for i := range n {
		e := edge(i)
		if i == 10 {
			e.Role = "styre"
		}
		all = append(all, regiongraph.Change{Op: regiongraph.OpUpsertEdge, Edge: e})
	}
	res, err := s.Apply(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != n/2 || res.Updated != 1 || res.Unchanged != n/2-1 {
		t.Fatalf("upserting every relation: %d created, %d updated, %d unchanged; want %d, 1, %d", res.Created, res.Updated, res.Unchanged, n/2, n/2-1)
	}
	few := []regiongraph.Change{all[3], all[4]}
	few[1].Edge = edge(4)
	few[1].Edge.Role = "leder"
	if res, err := s.Apply(ctx, few); err != nil || res.Unchanged != 1 || res.Updated != 1 {
		t.Fatalf("upserting two stored relations: %+v, %v", res, err)
	}

	// A stored PARTNER_OF id upserted as MEMBER_OF, in a small batch and in
	// a large one: refused, and nothing of either batch written.
	other := &regiongraph.Edge{ID: "e020", Kind: regiongraph.RelMemberOf, From: "m", To: "r", Source: testSource}
	for _, size := range []int{1, 2 * pointLookupMax} {
		var batch []regiongraph.Change
		for i := range size - 1 {
			e := partnerOf(fmt.Sprintf("f%03d", i), "p000", fmt.Sprintf("p%03d", i+1))
			batch = append(batch, regiongraph.Change{Op: regiongraph.OpCreateEdge, Edge: e})
		}
		batch = append(batch, regiongraph.Change{Op: regiongraph.OpUpsertEdge, Edge: other})
		_, err := s.Apply(ctx, batch)
		if want := fmt.Sprintf("changes[%d].edge.kind", size-1); regiongraph.ErrorCode(err) != regiongraph.EBADINPUT || regiongraph.ErrorField(err) != want {
			t.Fatalf("a batch of %d giving a stored relation another kind: %v (field %q), want BAD_USER_INPUT at %s", size, err, regiongraph.ErrorField(err), want)
		}
	}
	edges, err := s.Edges(context.Background(), regiongraph.EdgeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(edges) != n {
		t.Fatalf("%d relations stored, want %d", len(edges), n)
	}
	for _, e := range edges {
		if e.Kind != regiongraph.RelPartnerOf || (e.ID == "e010") != (e.Role == "styre") || (e.ID == "e004") != (e.Role == "leder") {
			t.Fatalf("stored %+v", e)
		}
	}
}
