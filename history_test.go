package regiongraph_test

import (
	"context"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

func TestMergeNodeTakesOnlyTheNamedFields(t *testing.T) {
	cur := validNode()
	cur.Goals = []string{"mål"}
	patch := &rg.Node{ID: cur.ID, Kind: cur.Kind, Name: "ignored", CostNok: ptr[int64](300000)}
	got, err := rg.MergeNode(cur, patch, []string{"costNok", "goals"})
	if err != nil {
		t.Fatal(err)
	}
	want := validNode()
	want.CostNok = ptr[int64](300000)
	if !rg.SameNode(got, want) {
		t.Fatalf("merged %+v, want %+v (name kept, goals cleared)", got, want)
	}
	if *cur.CostNok != 250000 || len(cur.Goals) != 1 {
		t.Fatal("MergeNode changed its input")
	}
	if _, err := rg.MergeNode(cur, &rg.Node{ID: cur.ID, Kind: rg.KindPlan}, []string{"name"}); rg.ErrorField(err) != "kind" {
		t.Fatalf("a patch of another kind: %v, want an error on kind", err)
	}
	if _, err := rg.MergeNode(cur, &rg.Node{ID: cur.ID, Kind: cur.Kind}, []string{"name"}); rg.ErrorField(err) != "name" {
		t.Fatalf("clearing the name: %v, want an error on name", err)
	}
}

func TestMergeEdgeKeepsKindAndEnds(t *testing.T) {
	cur := &rg.Edge{ID: "e", Kind: rg.RelMemberOf, From: "a", To: "b", FromYear: ptr(2020), Source: rg.Source{Outside: true, Reference: "x"}}
	got, err := rg.MergeEdge(cur, &rg.Edge{ID: "e", ToYear: ptr(2025)}, []string{"toYear"})
	if err != nil || got.Kind != rg.RelMemberOf || got.From != "a" || *got.FromYear != 2020 || *got.ToYear != 2025 {
		t.Fatalf("merged %+v, %v", got, err)
	}
	if _, err := rg.MergeEdge(cur, &rg.Edge{ID: "e", To: "c"}, []string{"role"}); rg.ErrorField(err) != "to" {
		t.Fatalf("moving an end: %v", err)
	}
	if _, err := rg.MergeEdge(cur, &rg.Edge{ID: "e", ToYear: ptr(2019)}, []string{"toYear"}); rg.ErrorField(err) != "toYear" {
		t.Fatalf("toYear before fromYear: %v", err)
	}
}

func TestChangeValidateFieldsAndKind(t *testing.T) {
	for _, tc := range []struct {
		c     rg.Change
		field string
	}{
		{rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "a", Kind: rg.KindPartner}, Fields: []string{"name"}}, ""},
		{rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "a", Kind: "X"}, Fields: []string{"name"}}, "node.kind"},
		{rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "A", Kind: rg.KindPartner}, Fields: []string{"name"}}, "node.id"},
		{rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "a", Kind: rg.KindPartner}, Fields: []string{"kind"}}, "fields[0]"},
		{rg.Change{Op: rg.OpUpsertNode, Node: validNode(), Fields: []string{"name"}}, "fields"},
		{rg.Change{Op: rg.OpUpdateEdge, Edge: &rg.Edge{ID: "e"}, Fields: []string{"toYear", "from"}}, "fields[1]"},
		{rg.Change{Op: rg.OpDeleteNode, ID: "a", Kind: rg.KindPlan}, ""},
		{rg.Change{Op: rg.OpDeleteNode, ID: "a", Kind: "X"}, "kind"},
		{rg.Change{Op: rg.OpDeleteEdge, ID: "a", Kind: rg.KindPlan}, "kind"},
	} {
		err := tc.c.Validate()
		if got := rg.ErrorField(err); got != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("%+v: %v (field %q), want field %q", tc.c, err, got, tc.field)
		}
	}
}

func TestHistoryCursor(t *testing.T) {
	seq, err := rg.DecodeHistoryCursor(rg.HistoryCursor(4711))
	if err != nil || seq != 4711 {
		t.Fatalf("round trip: %d, %v", seq, err)
	}
	for _, bad := range []string{"", "x", rg.CursorFor(rg.Order{}, validNode()), rg.HistoryCursor(0)} {
		if _, err := rg.DecodeHistoryCursor(bad); rg.ErrorCode(err) != rg.EBADINPUT || rg.ErrorField(err) != "after" {
			t.Errorf("DecodeHistoryCursor(%q): %v", bad, err)
		}
	}
}

func TestChangedFields(t *testing.T) {
	before, after := validNode(), validNode()
	after.CostNok, after.Description = ptr[int64](1), "ny"
	h := &rg.HistoryEntry{Target: rg.TargetNode, Before: before, After: after}
	if got := h.ChangedFields(); !slices.Equal(got, []string{"costNok", "description"}) {
		t.Fatalf("ChangedFields = %q", got)
	}
	created := &rg.HistoryEntry{Target: rg.TargetRelation, AfterEdge: &rg.Edge{ID: "e", Kind: rg.RelFunds, From: "a", To: "b"}}
	if got := created.ChangedFields(); !slices.Equal(got, []string{"from", "id", "kind", "source", "to"}) {
		t.Fatalf("ChangedFields of a create = %q", got)
	}
}

func TestActorAndReasonFromContext(t *testing.T) {
	ctx := context.Background()
	if rg.ActorFrom(ctx) != rg.ActorSystem || rg.ReasonFrom(ctx) != "" {
		t.Fatal("an empty context has an actor or a reason")
	}
	ctx = rg.WithReason(rg.WithPrincipal(ctx, rg.Principal{Name: "alice", Role: rg.RoleEditor}), "fix")
	if rg.ActorFrom(ctx) != "alice" || rg.ReasonFrom(ctx) != "fix" {
		t.Fatalf("actor %q, reason %q", rg.ActorFrom(ctx), rg.ReasonFrom(ctx))
	}
	if rg.ValidateReason("a\x00") == nil || rg.ValidateReason("line\nline") != nil {
		t.Fatal("ValidateReason")
	}
}
