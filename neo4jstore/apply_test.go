package neo4jstore

import (
	"testing"

	"github.com/regiongraph/regiongraph"
)

var testSource = regiongraph.Source{Plan: "plan-test", Section: "1"}

func partner(id string) *regiongraph.Node {
	return &regiongraph.Node{ID: id, Kind: regiongraph.KindPartner, Name: "Partner " + id, Source: testSource}
}

func partnerOf(id, from, to string) *regiongraph.Edge {
	return &regiongraph.Edge{ID: id, Kind: regiongraph.RelPartnerOf, From: from, To: to, Source: testSource}
}

// storedPlay returns a play over a stored graph a -e1-> b -e2-> c.
func storedPlay() *play {
	p := newPlay()
	for _, n := range []*regiongraph.Node{partner("a"), partner("b"), partner("c")} {
		p.origNodes[n.ID], p.nodes[n.ID] = n, n
	}
	for _, e := range []*regiongraph.Edge{partnerOf("e1", "a", "b"), partnerOf("e2", "b", "c")} {
		p.origEdges[e.ID], p.edges[e.ID] = e, e
	}
	return p
}

func TestPlayErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change regiongraph.Change
		code   string
		field  string
	}{
		{"create existing node", regiongraph.Change{Op: regiongraph.OpCreateNode, Node: partner("c")}, regiongraph.ECONFLICT, "changes[1].node.id"},
		{"update missing node", regiongraph.Change{Op: regiongraph.OpUpdateNode, Node: partner("nope")}, regiongraph.ENOTFOUND, "changes[1].node.id"},
		{"change kind", regiongraph.Change{Op: regiongraph.OpUpsertNode, Node: &regiongraph.Node{ID: "b", Kind: regiongraph.KindNetwork, Name: "B", Source: testSource}}, regiongraph.EBADINPUT, "changes[1].node.kind"},
		{"delete with relations", regiongraph.Change{Op: regiongraph.OpDeleteNode, ID: "c"}, regiongraph.ECONFLICT, "changes[1].id"},
		{"relation to missing node", regiongraph.Change{Op: regiongraph.OpCreateEdge, Edge: partnerOf("x", "a", "nope")}, regiongraph.ENOTFOUND, "changes[1].edge.to"},
		{"relation created earlier", regiongraph.Change{Op: regiongraph.OpCreateEdge, Edge: partnerOf("new-e", "a", "c")}, regiongraph.ECONFLICT, "changes[1].edge.id"},
		{"relation the table forbids", regiongraph.Change{Op: regiongraph.OpCreateEdge, Edge: &regiongraph.Edge{ID: "m", Kind: regiongraph.RelMemberOf, From: "a", To: "b", Source: testSource}}, regiongraph.EBADINPUT, "changes[1].edge.kind"},
		{"change relation ends", regiongraph.Change{Op: regiongraph.OpUpdateEdge, Edge: partnerOf("e1", "a", "c")}, regiongraph.EBADINPUT, "changes[1].edge.to"},
		{"delete missing relation", regiongraph.Change{Op: regiongraph.OpDeleteEdge, ID: "nope"}, regiongraph.ENOTFOUND, "changes[1].id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := storedPlay()
			_, err := p.play([]regiongraph.Change{{Op: regiongraph.OpCreateEdge, Edge: partnerOf("new-e", "a", "c")}, tc.change})
			if regiongraph.ErrorCode(err) != tc.code || regiongraph.ErrorField(err) != tc.field {
				t.Fatalf("err = %v (code %s, field %q), want %s at %q", err, regiongraph.ErrorCode(err), regiongraph.ErrorField(err), tc.code, tc.field)
			}
		})
	}
}

func TestPlayAndPlan(t *testing.T) {
	p := storedPlay()
	renamed := partner("b")
	renamed.Name = "Renamed"
	res, err := p.play([]regiongraph.Change{
		{Op: regiongraph.OpUpsertNode, Node: partner("a")}, // unchanged
		{Op: regiongraph.OpUpdateNode, Node: renamed},
		{Op: regiongraph.OpDeleteNode, ID: "c", Detach: true},           // removes e2
		{Op: regiongraph.OpCreateNode, Node: partner("c")},              // re-created
		{Op: regiongraph.OpCreateEdge, Edge: partnerOf("e3", "c", "a")}, // to the new c
		{Op: regiongraph.OpCreateNode, Node: partner("tmp")},
		{Op: regiongraph.OpDeleteNode, ID: "tmp"}, // never stored
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3 || res.Updated != 1 || res.Deleted != 2 || res.Unchanged != 1 || len(res.Nodes) != 6 || len(res.Edges) != 1 {
		t.Fatalf("result %+v", res)
	}
	st, err := loadStatements()
	if err != nil {
		t.Fatal(err)
	}
	steps, err := p.plan(st)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	rows := map[string]int{}
	for _, s := range steps {
		got = append(got, s.stmt.Name)
		rows[s.stmt.Name] = len(s.rows)
		if err := checkParams(s.stmt, map[string]any{s.param: s.rows}); err != nil {
			t.Error(err)
		}
	}
	want := []string{"apply_delete_edges", "apply_delete_nodes", "apply_create_nodes[Partner]", "apply_update_nodes", "apply_create_edges[PARTNER_OF]"}
	if len(got) != len(want) {
		t.Fatalf("plan %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("plan %v, want %v", got, want)
		}
	}
	if rows["apply_delete_edges"] != 1 || rows["apply_delete_nodes"] != 1 || rows["apply_create_nodes[Partner]"] != 1 || rows["apply_update_nodes"] != 1 {
		t.Errorf("rows %v", rows)
	}
}
