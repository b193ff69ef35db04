package neo4jstore

import (
	"testing"

	"github.com/regiongraph/regiongraph"
)

// TestPlayRecordsHistory checks the log a batch leaves for history_append:
// one entry per change that alters something, in order, with a detaching
// delete's relations (by id) before the node.
func TestPlayRecordsHistory(t *testing.T) {
	p := storedPlay()
	renamed := partner("a")
	renamed.Name = "A renamed"
	_, err := p.play([]regiongraph.Change{
		{Op: regiongraph.OpUpsertNode, Node: partner("c")}, // unchanged: no entry
		{Op: regiongraph.OpUpdateNode, Node: &regiongraph.Node{ID: "a", Kind: regiongraph.KindPartner, Name: "A renamed"}, Fields: []string{"name"}},
		{Op: regiongraph.OpCreateNode, Node: partner("d")},
		{Op: regiongraph.OpCreateEdge, Edge: partnerOf("e3", "c", "d")},
		{Op: regiongraph.OpDeleteNode, ID: "b", Kind: regiongraph.KindPartner, Detach: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		op regiongraph.Op
		id string
	}{
		{regiongraph.OpUpdateNode, "a"}, {regiongraph.OpCreateNode, "d"}, {regiongraph.OpCreateEdge, "e3"},
		{regiongraph.OpDeleteEdge, "e1"}, {regiongraph.OpDeleteEdge, "e2"}, {regiongraph.OpDeleteNode, "b"},
	}
	if len(p.log) != len(want) {
		t.Fatalf("%d entries, want %d", len(p.log), len(want))
	}
	for i, w := range want {
		if h := p.log[i]; h.Op != w.op || h.ID != w.id || h.Target != regiongraph.TargetOf(w.op) {
			t.Fatalf("entry %d: %s %s, want %s %s", i, h.Op, h.ID, w.op, w.id)
		}
	}
	if !equalJSON(p.log[0].Before, partner("a")) || !equalJSON(p.log[0].After, renamed) {
		t.Fatalf("the partial update's entry: before %+v, after %+v", p.log[0].Before, p.log[0].After)
	}
	if p.log[3].BeforeEdge == nil || p.log[3].BeforeEdge.From != "a" || p.log[3].AfterEdge != nil {
		t.Fatalf("the detached relation's entry: %+v", p.log[3])
	}
}

func TestPlayPartialUpdatesAndTypedDeletes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change regiongraph.Change
		code   string
		field  string
	}{
		{"a partial update clearing the name", regiongraph.Change{Op: regiongraph.OpUpdateNode, Node: &regiongraph.Node{ID: "a", Kind: regiongraph.KindPartner}, Fields: []string{"name"}}, regiongraph.EBADINPUT, "changes[0].node.name"},
		{"a partial update of another kind", regiongraph.Change{Op: regiongraph.OpUpdateNode, Node: &regiongraph.Node{ID: "a", Kind: regiongraph.KindFund, Name: "F"}, Fields: []string{"name"}}, regiongraph.EBADINPUT, "changes[0].node.kind"},
		{"a partial update of a missing node", regiongraph.Change{Op: regiongraph.OpUpdateNode, Node: &regiongraph.Node{ID: "x", Kind: regiongraph.KindPartner, Name: "X"}, Fields: []string{"name"}}, regiongraph.ENOTFOUND, "changes[0].node.id"},
		{"a partial update moving a relation's end", regiongraph.Change{Op: regiongraph.OpUpdateEdge, Edge: &regiongraph.Edge{ID: "e1", To: "c", Role: "r"}, Fields: []string{"role"}}, regiongraph.EBADINPUT, "changes[0].edge.to"},
		{"a typed delete of another kind", regiongraph.Change{Op: regiongraph.OpDeleteNode, ID: "a", Kind: regiongraph.KindRegion, Detach: true}, regiongraph.ENOTFOUND, "changes[0].id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := storedPlay()
			_, err := p.play([]regiongraph.Change{tc.change})
			if regiongraph.ErrorCode(err) != tc.code || regiongraph.ErrorField(err) != tc.field {
				t.Fatalf("err = %v (code %s, field %q), want %s at %q", err, regiongraph.ErrorCode(err), regiongraph.ErrorField(err), tc.code, tc.field)
			}
			if len(p.log) != 0 {
				t.Fatalf("a refused change left %d history entries", len(p.log))
			}
		})
	}
	p := storedPlay()
	res, err := p.play([]regiongraph.Change{{Op: regiongraph.OpUpdateEdge, Edge: &regiongraph.Edge{ID: "e1", Role: "styre"}, Fields: []string{"role"}}})
	if err != nil || res.Updated != 1 || p.edges["e1"].Role != "styre" || p.edges["e1"].From != "a" || p.edges["e1"].Source != testSource {
		t.Fatalf("partial relation update: %+v, %v, edge %+v", res, err, p.edges["e1"])
	}
}
