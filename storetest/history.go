package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// wantEntry is what a test expects of a history entry.
type wantEntry struct {
	op            rg.Op
	id            string
	before, after *rg.Node
	beforeEdge    *rg.Edge
	afterEdge     *rg.Edge
	actor, reason string
}

func wantHistory(t *testing.T, what string, got []*rg.HistoryEntry, want []wantEntry) {
	t.Helper()
	if len(got) != len(want) {
		sum := make([]string, len(got))
		for i, h := range got {
			sum[i] = Summary(h)
		}
		t.Fatalf("%s: %d entries %q, want %d", what, len(got), sum, len(want))
	}
	for i, w := range want {
		h := got[i]
		if h.Op != w.op || h.ID != w.id || h.Actor != w.actor || h.Reason != w.reason || h.Target != rg.TargetOf(w.op) {
			t.Fatalf("%s: entry %d is %s (target %s, reason %q), want %s %s by %s (reason %q)", what, i, Summary(h), h.Target, h.Reason, w.op, w.id, w.actor, w.reason)
		}
		sameNodePtr := func(name string, g, w *rg.Node) {
			t.Helper()
			if (g == nil) != (w == nil) || g != nil && !SameNode(g, w) {
				t.Fatalf("%s: entry %d (%s) %s\n got %+v\nwant %+v", what, i, Summary(h), name, g, w)
			}
		}
		sameEdgePtr := func(name string, g, w *rg.Edge) {
			t.Helper()
			if (g == nil) != (w == nil) || g != nil && !SameEdge(g, w) {
				t.Fatalf("%s: entry %d (%s) %s\n got %+v\nwant %+v", what, i, Summary(h), name, g, w)
			}
		}
		sameNodePtr("before", h.Before, w.before)
		sameNodePtr("after", h.After, w.after)
		sameEdgePtr("relation before", h.BeforeEdge, w.beforeEdge)
		sameEdgePtr("relation after", h.AfterEdge, w.afterEdge)
	}
}

// wantNewestFirst fails unless the seqs strictly decrease.
func wantNewestFirst(t *testing.T, hs []*rg.HistoryEntry) {
	t.Helper()
	for i := 1; i < len(hs); i++ {
		if hs[i].Seq >= hs[i-1].Seq {
			t.Fatalf("entry %d (%s) follows %s: seqs must strictly decrease", i, Summary(hs[i]), Summary(hs[i-1]))
		}
	}
}

func reversed[T any](xs []T) []T {
	out := slices.Clone(xs)
	slices.Reverse(out)
	return out
}

func testHistory(t *testing.T, open Opener) {
	t.Run("a new store has an empty history", func(t *testing.T) {
		s := openEmpty(t, open)
		p, err := s.History(bg, rg.HistoryFilter{})
		if err != nil || len(p.Entries) != 0 || p.TotalCount != 0 || p.HasNextPage || p.EndCursor != "" {
			t.Fatalf("History: %+v, %v; want an empty page", p, err)
		}
	})

	t.Run("every change is recorded with actor, time, before, after and reason", func(t *testing.T) {
		s := openEmpty(t, open)
		org := N("org", rg.KindRegion, "Org")
		init := FullInitiative("init")
		e := FullEdge("funds", "org", "init")
		t0 := time.Now()
		if _, err := s.Apply(As("alice", rg.RoleEditor, "new initiative"), append(CreateNodes(org, init), CreateEdges(e)...)); err != nil {
			t.Fatal(err)
		}
		cheaper := init.Clone()
		cheaper.CostNok = Int64(900_000)
		e2 := e.Clone()
		e2.ToYear = Int(2025)
		if _, err := s.Apply(As("bob", rg.RoleEditor, "the plan says 900 000"),
			[]rg.Change{{Op: rg.OpUpdateNode, Node: cheaper}, {Op: rg.OpUpsertEdge, Edge: e2}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(As("carol", rg.RoleAdmin, ""),
			[]rg.Change{{Op: rg.OpDeleteEdge, ID: "funds"}, {Op: rg.OpDeleteNode, ID: "org", Kind: rg.KindRegion}}); err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		got := AllHistory(t, s, "")
		wantHistory(t, "History", got, reversed([]wantEntry{
			{op: rg.OpCreateNode, id: "org", after: org, actor: "alice", reason: "new initiative"},
			{op: rg.OpCreateNode, id: "init", after: init, actor: "alice", reason: "new initiative"},
			{op: rg.OpCreateEdge, id: "funds", afterEdge: e, actor: "alice", reason: "new initiative"},
			{op: rg.OpUpdateNode, id: "init", before: init, after: cheaper, actor: "bob", reason: "the plan says 900 000"},
			{op: rg.OpUpdateEdge, id: "funds", beforeEdge: e, afterEdge: e2, actor: "bob", reason: "the plan says 900 000"},
			{op: rg.OpDeleteEdge, id: "funds", beforeEdge: e2, actor: "carol"},
			{op: rg.OpDeleteNode, id: "org", before: org, actor: "carol"},
		}))
		wantNewestFirst(t, got)
		// The same time for a batch, and a time within the test (give or
		// take a minute for a database server's clock).
		for i, h := range got {
			if h.At.Before(t0.Add(-time.Minute)) || h.At.After(t1.Add(time.Minute)) {
				t.Fatalf("entry %s at %s, not within the test's %s..%s", Summary(h), h.At, t0, t1)
			}
			if i > 0 && h.Actor == got[i-1].Actor && !h.At.Equal(got[i-1].At) {
				t.Fatalf("entries %s and %s of one batch at %s and %s", Summary(h), Summary(got[i-1]), h.At, got[i-1].At)
			}
		}
		if f := got[3].ChangedFields(); !slices.Equal(f, []string{"costNok"}) {
			t.Fatalf("ChangedFields of the cost correction: %q, want [costNok]", f)
		}
	})

	t.Run("changes made without a principal are recorded as system", func(t *testing.T) {
		s := openEmpty(t, open)
		MustApply(t, s, CreateNodes(Partner("a"))...)
		got := AllHistory(t, s, "a")
		wantHistory(t, "History(a)", got, []wantEntry{{op: rg.OpCreateNode, id: "a", after: Partner("a"), actor: rg.ActorSystem}})
	})

	t.Run("upserts are recorded as what they did and unchanged ones not at all", func(t *testing.T) {
		s := openEmpty(t, open)
		a, a2 := Partner("a"), Partner("a")
		a2.Name = "A renamed"
		MustApply(t, s, rg.Change{Op: rg.OpUpsertNode, Node: a})
		MustApply(t, s, rg.Change{Op: rg.OpUpsertNode, Node: a})
		MustApply(t, s, rg.Change{Op: rg.OpUpdateNode, Node: a})
		MustApply(t, s, rg.Change{Op: rg.OpUpsertNode, Node: a2})
		wantHistory(t, "History(a)", AllHistory(t, s, "a"), reversed([]wantEntry{
			{op: rg.OpCreateNode, id: "a", after: a, actor: rg.ActorSystem},
			{op: rg.OpUpdateNode, id: "a", before: a, after: a2, actor: rg.ActorSystem},
		}))
	})

	t.Run("a delete with detach records each relation removed, then the node", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		before := HistoryLen(t, s, "")
		if _, err := s.Apply(As("admin", rg.RoleAdmin, "merged into base-a"), []rg.Change{{Op: rg.OpDeleteNode, ID: "base-b", Detach: true}}); err != nil {
			t.Fatal(err)
		}
		got := AllHistory(t, s, "")
		if len(got) != before+3 {
			t.Fatalf("%d entries, want %d", len(got), before+3)
		}
		wantHistory(t, "the newest entries", got[:3], reversed([]wantEntry{
			{op: rg.OpDeleteEdge, id: "base-e1", beforeEdge: PartnerOf("base-e1", "base-a", "base-b"), actor: "admin", reason: "merged into base-a"},
			{op: rg.OpDeleteEdge, id: "base-e2", beforeEdge: PartnerOf("base-e2", "base-b", "base-c"), actor: "admin", reason: "merged into base-a"},
			{op: rg.OpDeleteNode, id: "base-b", before: Partner("base-b"), actor: "admin", reason: "merged into base-a"},
		}))
	})

	t.Run("a change's own reason wins over the batch's, for every entry it makes", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		before := HistoryLen(t, s, "")
		a2 := Partner("base-a")
		a2.Name = "A renamed"
		_, err := s.Apply(As("admin", rg.RoleAdmin, "batch reason"), []rg.Change{
			{Op: rg.OpUpdateNode, Node: a2, Reason: "sheet.xlsx: Partner row 2"},
			{Op: rg.OpCreateNode, Node: Partner("d")},
			{Op: rg.OpDeleteNode, ID: "base-b", Detach: true, Reason: "sheet.xlsx: Partner row 3"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got := AllHistory(t, s, "")
		if len(got) != before+5 {
			t.Fatalf("%d entries, want %d", len(got), before+5)
		}
		wantHistory(t, "the newest entries", got[:5], reversed([]wantEntry{
			{op: rg.OpUpdateNode, id: "base-a", before: Partner("base-a"), after: a2, actor: "admin", reason: "sheet.xlsx: Partner row 2"},
			{op: rg.OpCreateNode, id: "d", after: Partner("d"), actor: "admin", reason: "batch reason"},
			{op: rg.OpDeleteEdge, id: "base-e1", beforeEdge: PartnerOf("base-e1", "base-a", "base-b"), actor: "admin", reason: "sheet.xlsx: Partner row 3"},
			{op: rg.OpDeleteEdge, id: "base-e2", beforeEdge: PartnerOf("base-e2", "base-b", "base-c"), actor: "admin", reason: "sheet.xlsx: Partner row 3"},
			{op: rg.OpDeleteNode, id: "base-b", before: Partner("base-b"), actor: "admin", reason: "sheet.xlsx: Partner row 3"},
		}))
	})

	t.Run("an invalid change reason is BAD_USER_INPUT and records nothing", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		before := AllHistory(t, s, "")
		_, err := s.Apply(bg, []rg.Change{{Op: rg.OpCreateNode, Node: Partner("d")}, {Op: rg.OpCreateNode, Node: Partner("e"), Reason: "bad\x00reason"}})
		WantCode(t, err, rg.EBADINPUT)
		WantFieldIs(t, err, "changes[1].reason")
		wantSameHistory(t, s, before)
	})

	t.Run("a refused delete without detach records nothing", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		before := AllHistory(t, s, "")
		_, err := s.Apply(As("admin", rg.RoleAdmin, ""), []rg.Change{{Op: rg.OpDeleteNode, ID: "base-b"}})
		WantCode(t, err, rg.ECONFLICT)
		wantSameHistory(t, s, before)
		WantSnapshot(t, s, Snapshot{Nodes: baseGraph().Nodes, Edges: baseGraph().Edges})
	})

	t.Run("a node's history includes its relations' changes and outlives the node", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		MustApply(t, s, rg.Change{Op: rg.OpDeleteNode, ID: "base-c", Detach: true})
		got := AllHistory(t, s, "base-c")
		wantHistory(t, "History(base-c)", got, reversed([]wantEntry{
			{op: rg.OpCreateNode, id: "base-c", after: Partner("base-c"), actor: rg.ActorSystem},
			{op: rg.OpCreateEdge, id: "base-e2", afterEdge: PartnerOf("base-e2", "base-b", "base-c"), actor: rg.ActorSystem},
			{op: rg.OpDeleteEdge, id: "base-e2", beforeEdge: PartnerOf("base-e2", "base-b", "base-c"), actor: rg.ActorSystem},
			{op: rg.OpDeleteNode, id: "base-c", before: Partner("base-c"), actor: rg.ActorSystem},
		}))
		rel := AllHistory(t, s, "base-e2")
		if len(rel) != 2 || rel[0].Op != rg.OpDeleteEdge || rel[1].Op != rg.OpCreateEdge {
			t.Fatalf("History(base-e2): %d entries, want delete and create", len(rel))
		}
		if n := HistoryLen(t, s, "nobody"); n != 0 {
			t.Fatalf("History(nobody).TotalCount = %d, want 0", n)
		}
	})

	t.Run("a partial update records the merged node and keeps the other fields", func(t *testing.T) {
		s := openWith(t, open, Graph{Nodes: []*rg.Node{FullInitiative("init")}})
		patch := &rg.Node{ID: "init", Kind: rg.KindInitiative, CostNok: Int64(2_000_000)}
		res := MustApply(t, s, rg.Change{Op: rg.OpUpdateNode, Node: patch, Fields: []string{"costNok", "costText"}})
		want := FullInitiative("init")
		want.CostNok, want.CostText = Int64(2_000_000), ""
		WantNodes(t, "ApplyResult.Nodes", res.Nodes, []*rg.Node{want})
		WantSnapshot(t, s, Snapshot{Nodes: []*rg.Node{want}})
		got := AllHistory(t, s, "init")
		wantHistory(t, "History(init)", got[:1], []wantEntry{{op: rg.OpUpdateNode, id: "init", before: FullInitiative("init"), after: want, actor: rg.ActorSystem}})
		if f := got[0].ChangedFields(); !slices.Equal(f, []string{"costNok", "costText"}) {
			t.Fatalf("ChangedFields %q", f)
		}
		edge := FullEdge("funds", "org", "init")
		MustApply(t, s, append(CreateNodes(N("org", rg.KindRegion, "Org")), CreateEdges(edge)...)...)
		MustApply(t, s, rg.Change{Op: rg.OpUpdateEdge, Edge: &rg.Edge{ID: "funds", ToYear: Int(2030)}, Fields: []string{"toYear"}})
		wantEdge := edge.Clone()
		wantEdge.ToYear = Int(2030)
		es, err := s.Edges(bg, rg.EdgeFilter{IDs: []string{"funds"}})
		if err != nil {
			t.Fatal(err)
		}
		WantEdges(t, "Edges", es, []*rg.Edge{wantEdge})
	})

	t.Run("pages follow each other newest first with counts and cursors", func(t *testing.T) {
		s := openEmpty(t, open)
		for i := range 12 {
			MustApply(t, s, CreateNodes(Partner(fmt.Sprintf("p%02d", i)))...)
		}
		for i := range 5 {
			n := Partner("p03")
			n.Description = fmt.Sprintf("v%d", i)
			MustApply(t, s, rg.Change{Op: rg.OpUpdateNode, Node: n})
		}
		all := AllHistory(t, s, "")
		if len(all) != 17 {
			t.Fatalf("%d entries, want 17", len(all))
		}
		wantNewestFirst(t, all)
		p1, err := s.History(bg, rg.HistoryFilter{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Entries) != 10 || !p1.HasNextPage || p1.TotalCount != 17 || p1.EndCursor == "" {
			t.Fatalf("first page: %d entries, next %v, total %d", len(p1.Entries), p1.HasNextPage, p1.TotalCount)
		}
		p2, err := s.History(bg, rg.HistoryFilter{First: 10, After: p1.EndCursor})
		if err != nil {
			t.Fatal(err)
		}
		if len(p2.Entries) != 7 || p2.HasNextPage || p2.TotalCount != 17 {
			t.Fatalf("second page: %d entries, next %v, total %d", len(p2.Entries), p2.HasNextPage, p2.TotalCount)
		}
		if p2.Entries[0].Seq >= p1.Entries[9].Seq {
			t.Fatalf("second page starts at seq %d, after the first page's last %d", p2.Entries[0].Seq, p1.Entries[9].Seq)
		}
		// Exactly one page's worth: no next page.
		p, err := s.History(bg, rg.HistoryFilter{First: 17})
		if err != nil || len(p.Entries) != 17 || p.HasNextPage {
			t.Fatalf("First 17: %d entries, next %v, %v", len(p.Entries), p.HasNextPage, err)
		}
		// A node's history pages the same way.
		own := AllHistory(t, s, "p03")
		if len(own) != 6 || own[5].Op != rg.OpCreateNode || own[0].After.Description != "v4" {
			t.Fatalf("History(p03): %d entries", len(own))
		}
		wantNewestFirst(t, own)
		q, err := s.History(bg, rg.HistoryFilter{ID: "p03", First: 2, After: HistoryCursorOf(own[1])})
		if err != nil || len(q.Entries) != 2 || q.Entries[0].Seq != own[2].Seq || q.TotalCount != 6 || !q.HasNextPage {
			t.Fatalf("History(p03) after the second: %d entries, total %d, %v", len(q.Entries), q.TotalCount, err)
		}
		// A later change does not disturb a page already started.
		MustApply(t, s, CreateNodes(Partner("late"))...)
		p3, err := s.History(bg, rg.HistoryFilter{First: 10, After: p1.EndCursor})
		if err != nil || len(p3.Entries) != 7 || p3.Entries[0].Seq != p2.Entries[0].Seq {
			t.Fatalf("second page after a new change: %d entries, %v", len(p3.Entries), err)
		}
	})

	t.Run("a bad filter is BAD_USER_INPUT naming the field", func(t *testing.T) {
		s := openEmpty(t, open)
		for _, tc := range []struct {
			f     rg.HistoryFilter
			field string
		}{
			{rg.HistoryFilter{After: "not a cursor"}, "after"},
			{rg.HistoryFilter{After: rg.CursorFor(rg.Order{}, Partner("a"))}, "after"},
			{rg.HistoryFilter{First: -1}, "first"},
			{rg.HistoryFilter{First: rg.MaxPageSize + 1}, "first"},
			{rg.HistoryFilter{ID: "Not A Slug"}, "id"},
		} {
			_, err := s.History(bg, tc.f)
			WantCode(t, err, rg.EBADINPUT)
			WantFieldIs(t, err, tc.field)
		}
	})

	t.Run("returned entries are copies", func(t *testing.T) {
		s := openWith(t, open, Graph{Nodes: []*rg.Node{FullInitiative("init")}})
		p, err := s.History(bg, rg.HistoryFilter{})
		if err != nil || len(p.Entries) != 1 {
			t.Fatalf("History: %d entries, %v", len(p.Entries), err)
		}
		p.Entries[0].After.Name = "scribbled"
		p.Entries[0].After.Aliases[0] = "scribbled"
		*p.Entries[0].After.CostNok = 1
		wantHistory(t, "History", AllHistory(t, s, ""), []wantEntry{{op: rg.OpCreateNode, id: "init", after: FullInitiative("init"), actor: rg.ActorSystem}})
	})
}

// HistoryCursorOf returns the cursor just after h.
func HistoryCursorOf(h *rg.HistoryEntry) string { return rg.HistoryCursor(h.Seq) }

func wantSameHistory(t *testing.T, s rg.Store, want []*rg.HistoryEntry) {
	t.Helper()
	got := AllHistory(t, s, "")
	if len(got) != len(want) {
		t.Fatalf("history has %d entries, want %d as before", len(got), len(want))
	}
	for i := range got {
		if got[i].Seq != want[i].Seq || got[i].Op != want[i].Op || got[i].ID != want[i].ID {
			t.Fatalf("history entry %d is %s, was %s", i, Summary(got[i]), Summary(want[i]))
		}
	}
}

// testConcurrentUpdates sends 200 updates of one node from 20 goroutines,
// each as its own principal: every one is acknowledged, the node's history
// has exactly those 200 updates after its create, in a total order, and the
// node ends as the newest entry left it.
func testConcurrentUpdates(t *testing.T, open Opener) {
	const clients, each = 20, 10
	s := openWith(t, open, Graph{Nodes: []*rg.Node{FullInitiative("init")}})
	var wg sync.WaitGroup
	sent := make(chan string, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := As(fmt.Sprintf("client-%02d", c), rg.RoleEditor, "concurrent")
			for i := range each {
				desc := fmt.Sprintf("client %02d update %d", c, i)
				var change rg.Change
				if i%2 == 0 { // whole node
					n := FullInitiative("init")
					n.Description = desc
					change = rg.Change{Op: rg.OpUpdateNode, Node: n}
				} else { // one field
					change = rg.Change{Op: rg.OpUpdateNode, Node: &rg.Node{ID: "init", Kind: rg.KindInitiative, Description: desc}, Fields: []string{"description"}}
				}
				if _, err := s.Apply(ctx, []rg.Change{change}); err != nil {
					t.Errorf("client %d update %d: %v", c, i, err)
					return
				}
				sent <- desc
			}
		}()
	}
	wg.Wait()
	close(sent)
	if t.Failed() {
		return
	}
	var want []string
	for d := range sent {
		want = append(want, d)
	}
	if len(want) != clients*each {
		t.Fatalf("%d updates acknowledged, want %d", len(want), clients*each)
	}
	got := AllHistory(t, s, "init")
	if len(got) != clients*each+1 || got[len(got)-1].Op != rg.OpCreateNode {
		t.Fatalf("History(init) has %d entries, want the create and %d updates", len(got), clients*each)
	}
	wantNewestFirst(t, got)
	updates := got[:clients*each]
	var recorded []string
	for i, h := range updates {
		if h.Op != rg.OpUpdateNode || h.After == nil || h.Before == nil {
			t.Fatalf("entry %s is not an update", Summary(h))
		}
		if want := fmt.Sprintf("client-%s", h.After.Description[len("client "):len("client 00")]); h.Actor != want {
			t.Fatalf("entry %s wrote %q: actor %s, want %s", Summary(h), h.After.Description, h.Actor, want)
		}
		// Each update starts from the state the one before left.
		if i+1 < len(got) && !SameNode(h.Before, got[i+1].After) {
			t.Fatalf("entry %s starts from %q, but the entry before left %q", Summary(h), h.Before.Description, got[i+1].After.Description)
		}
		recorded = append(recorded, h.After.Description)
	}
	slices.Sort(recorded)
	slices.Sort(want)
	if !slices.Equal(recorded, want) {
		t.Fatal("the history's after-states are not the updates sent, each once")
	}
	final, err := s.Nodes(context.Background(), []string{"init"})
	if err != nil || len(final) != 1 {
		t.Fatalf("Nodes: %v", err)
	}
	if !SameNode(final[0], updates[0].After) {
		t.Fatalf("the node is %q, the newest entry left %q", final[0].Description, updates[0].After.Description)
	}
	newest := FullInitiative("init")
	newest.Description = updates[0].After.Description
	WantNodes(t, "final node", final, []*rg.Node{newest})
}
