package storetest

import (
	"fmt"
	"sync"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// FullInitiative returns an initiative with every field it may have set.
func FullInitiative(id string) *rg.Node {
	n := N(id, rg.KindInitiative, "Felles bredbånd i Numedal")
	n.Aliases = []string{"Bredbånd", "Broadband"}
	n.Description = "Utbygging av bredbånd.\nTo linjer."
	n.Source = rg.Source{Plan: "plan-2020", Section: "3.1", Quote: "«bredbånd til alle»"}
	n.Code = "3.1.2 d)"
	n.PlanYear = Int(2020)
	n.CostNok = Int64(1_250_000)
	n.CostText = "1,25 mill."
	n.YearlyAmounts = []rg.YearAmount{{Year: 2020, AmountNok: 250_000}, {Year: 2021, AmountNok: 1_000_000}}
	n.Goals = []string{"Dekning 100 %"}
	n.Activities = []string{"Kartlegging", "Anbud"}
	return n
}

// FullEdge returns a relation with every field set.
func FullEdge(id, from, to string) *rg.Edge {
	e := EY(id, rg.RelFunds, from, to, Int(2019), Int(2022))
	e.AmountNok = Int64(300_000)
	e.AsWritten = "Regonrådet / DiFi"
	e.Role = "medfinansiering"
	e.Source = rg.Source{Outside: true, Reference: "https://example.org/vedtak"}
	return e
}

func baseGraph() Graph {
	return Graph{
		Nodes: []*rg.Node{Partner("base-a"), Partner("base-b"), Partner("base-c")},
		Edges: []*rg.Edge{PartnerOf("base-e1", "base-a", "base-b"), PartnerOf("base-e2", "base-b", "base-c")},
	}
}

// batchWith returns 100 changes, all valid against baseGraph, with bad at
// index 57. Before it come creates of nodes and relations, an update and a
// delete, so that a partial write would show.
func batchWith(bad rg.Change) []rg.Change {
	var cs []rg.Change
	for i := range 50 {
		cs = append(cs, CreateNodes(Partner(fmt.Sprintf("batch-%02d", i)))...)
	}
	for i := range 5 {
		cs = append(cs, CreateEdges(PartnerOf(fmt.Sprintf("batch-e%d", i), fmt.Sprintf("batch-%02d", i), fmt.Sprintf("batch-%02d", i+1)))...)
	}
	changed := Partner("base-a")
	changed.Name = "Changed"
	cs = append(cs, rg.Change{Op: rg.OpUpdateNode, Node: changed}, rg.Change{Op: rg.OpDeleteEdge, ID: "base-e1"}, bad)
	for i := 58; i < 100; i++ {
		cs = append(cs, CreateNodes(Partner(fmt.Sprintf("batch-%02d", i)))...)
	}
	return cs
}

func testApply(t *testing.T, open Opener) {
	t.Run("atomicity", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			bad   rg.Change
			code  string
			field string
		}{
			{"an invalid field is BAD_USER_INPUT with its path and writes nothing",
				rg.Change{Op: rg.OpCreateNode, Node: N("bad", rg.KindPartner, "")}, rg.EBADINPUT, "changes[57].node.name"},
			{"creating an existing node is CONFLICT and writes nothing",
				rg.Change{Op: rg.OpCreateNode, Node: Partner("base-c")}, rg.ECONFLICT, ""},
			{"creating a relation made earlier in the batch is CONFLICT and writes nothing",
				rg.Change{Op: rg.OpCreateEdge, Edge: PartnerOf("batch-e0", "batch-10", "batch-11")}, rg.ECONFLICT, ""},
			{"a relation to a missing node is NOT_FOUND and writes nothing",
				rg.Change{Op: rg.OpCreateEdge, Edge: PartnerOf("bad-e", "batch-00", "nope")}, rg.ENOTFOUND, ""},
			{"updating a missing node is NOT_FOUND and writes nothing",
				rg.Change{Op: rg.OpUpdateNode, Node: Partner("nope")}, rg.ENOTFOUND, ""},
			{"deleting a missing relation is NOT_FOUND and writes nothing",
				rg.Change{Op: rg.OpDeleteEdge, ID: "base-e1"}, rg.ENOTFOUND, ""},
			{"a relation the table forbids is BAD_USER_INPUT and writes nothing",
				rg.Change{Op: rg.OpCreateEdge, Edge: E("bad-e", rg.RelMemberOf, "base-a", "base-b")}, rg.EBADINPUT, "changes[57].edge"},
			{"deleting a node with relations without Detach is CONFLICT and writes nothing",
				rg.Change{Op: rg.OpDeleteNode, ID: "base-c"}, rg.ECONFLICT, ""},
			{"deleting a node with a relation made earlier in the batch is CONFLICT and writes nothing",
				rg.Change{Op: rg.OpDeleteNode, ID: "batch-00"}, rg.ECONFLICT, ""},
			{"changing a node's kind is BAD_USER_INPUT and writes nothing",
				rg.Change{Op: rg.OpUpdateNode, Node: N("base-b", rg.KindNetwork, "B")}, rg.EBADINPUT, "changes[57].node.kind"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := openWith(t, open, baseGraph())
				before := TakeSnapshot(t, s)
				history := AllHistory(t, s, "")
				cs := batchWith(tc.bad)
				if len(cs) != 100 {
					t.Fatalf("batch of %d", len(cs))
				}
				_, err := s.Apply(As("editor", rg.RoleEditor, "batch"), cs)
				WantCode(t, err, tc.code)
				if tc.field != "" {
					WantField(t, err, tc.field)
				}
				WantSnapshot(t, s, before)
				wantSameHistory(t, s, history)
				for _, id := range []string{"base-a", "base-e1", "batch-00"} {
					if n := HistoryLen(t, s, id); n != len(AllHistory(t, s, id)) || id == "batch-00" && n != 0 {
						t.Fatalf("History(%s) has %d entries after a refused batch", id, n)
					}
				}
				got, err := s.Nodes(bg, []string{"batch-00", "batch-56", "batch-99"})
				if err != nil || len(got) != 0 {
					t.Fatalf("Nodes of the batch: %d, %v; want none", len(got), err)
				}
				p, err := s.FindNodes(bg, rg.NodeFilter{})
				if err != nil || p.TotalCount != 3 {
					t.Fatalf("FindNodes TotalCount %d, %v; want 3", p.TotalCount, err)
				}
				es, err := s.Edges(bg, rg.EdgeFilter{NodeIDs: []string{"base-a", "batch-00"}})
				if err != nil || len(es) != 1 || es[0].ID != "base-e1" {
					t.Fatalf("Edges: %q, %v; want base-e1", EdgeIDs(es), err)
				}
				// The same batch without the bad change goes through.
				ok := batchWith(rg.Change{Op: rg.OpCreateNode, Node: Partner("batch-57")})
				res := MustApply(t, s, ok...)
				if res.Created != 98 || res.Updated != 1 || res.Deleted != 1 {
					t.Fatalf("counts %d/%d/%d, want 98/1/1", res.Created, res.Updated, res.Deleted)
				}
				if n := HistoryLen(t, s, ""); n != len(history)+100 {
					t.Fatalf("history has %d entries after the good batch, want %d", n, len(history)+100)
				}
			})
		}
	})

	t.Run("create stores every field", func(t *testing.T) {
		s := openEmpty(t, open)
		org := N("org", rg.KindRegion, "Org")
		n := FullInitiative("init")
		plan := N("plan-2020", rg.KindPlan, "Handlingsplan")
		plan.PlanYear, plan.Adopted = Int(2020), "2020-03-12"
		muni := N("muni", rg.KindMunicipality, "Muni")
		muni.Number, muni.County, muni.Source = "3006", "Buskerud", rg.Source{Outside: true, Reference: "SSB"}
		e := FullEdge("funds", "org", "init")
		MustApply(t, s, append(CreateNodes(org, n, plan, muni), CreateEdges(e)...)...)
		got, err := s.Nodes(bg, []string{"init", "plan-2020", "muni"})
		if err != nil {
			t.Fatal(err)
		}
		WantNodes(t, "Nodes", got, []*rg.Node{n, plan, muni})
		es, err := s.Edges(bg, rg.EdgeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		WantEdges(t, "Edges", es, []*rg.Edge{e})
	})

	t.Run("ApplyResult lists each change in order with counts", func(t *testing.T) {
		s := openEmpty(t, open)
		n1, n2, n3 := Partner("n1"), Partner("n2"), Partner("n3")
		n1b := Partner("n1")
		n1b.Name = "N1 renamed"
		n2b := Partner("n2")
		n2b.Description = "upserted"
		e := PartnerOf("e", "n1", "n2")
		res := MustApply(t, s,
			rg.Change{Op: rg.OpCreateNode, Node: n1},
			rg.Change{Op: rg.OpCreateNode, Node: n2},
			rg.Change{Op: rg.OpCreateEdge, Edge: e},
			rg.Change{Op: rg.OpUpdateNode, Node: n1b},
			rg.Change{Op: rg.OpUpsertNode, Node: n3},
			rg.Change{Op: rg.OpUpsertNode, Node: n2b},
			rg.Change{Op: rg.OpDeleteEdge, ID: "e"},
			rg.Change{Op: rg.OpDeleteNode, ID: "n3"},
		)
		WantNodes(t, "ApplyResult.Nodes", res.Nodes, []*rg.Node{n1, n2, n1b, n3, n2b, n3})
		WantEdges(t, "ApplyResult.Edges", res.Edges, []*rg.Edge{e, e})
		if res.Created != 4 || res.Updated != 2 || res.Deleted != 2 {
			t.Fatalf("Created/Updated/Deleted %d/%d/%d, want 4/2/2", res.Created, res.Updated, res.Deleted)
		}
		WantSnapshot(t, s, Snapshot{Nodes: []*rg.Node{n1b, n2b}})
	})

	t.Run("update replaces every field", func(t *testing.T) {
		s := openEmpty(t, open)
		MustApply(t, s, CreateNodes(FullInitiative("init"))...)
		bare := N("init", rg.KindInitiative, "Bare")
		res := MustApply(t, s, rg.Change{Op: rg.OpUpdateNode, Node: bare})
		if res.Updated != 1 || res.Created != 0 {
			t.Fatalf("counts %+v", res)
		}
		WantSnapshot(t, s, Snapshot{Nodes: []*rg.Node{bare}})
	})

	t.Run("upsert creates, then replaces, and is idempotent", func(t *testing.T) {
		s := openEmpty(t, open)
		n := FullInitiative("init")
		if res := MustApply(t, s, rg.Change{Op: rg.OpUpsertNode, Node: n}); res.Created != 1 || res.Updated != 0 {
			t.Fatalf("first upsert counts %+v, want created", res)
		}
		if res := MustApply(t, s, rg.Change{Op: rg.OpUpsertNode, Node: n}); res.Created != 0 || res.Updated != 0 || res.Unchanged != 1 {
			t.Fatalf("second, identical upsert counts %+v, want unchanged", res)
		}
		WantSnapshot(t, s, Snapshot{Nodes: []*rg.Node{n}})
		m := N("init", rg.KindInitiative, "Other")
		if res := MustApply(t, s, rg.Change{Op: rg.OpUpsertNode, Node: m}); res.Updated != 1 || res.Unchanged != 0 {
			t.Fatalf("upsert with other values counts %+v, want updated", res)
		}
		WantSnapshot(t, s, Snapshot{Nodes: []*rg.Node{m}})
	})

	t.Run("relations are updated, upserted and deleted", func(t *testing.T) {
		s := openWith(t, open, Graph{Nodes: []*rg.Node{N("org", rg.KindRegion, "Org"), FullInitiative("init")}})
		e := FullEdge("funds", "org", "init")
		if res := MustApply(t, s, rg.Change{Op: rg.OpUpsertEdge, Edge: e}); res.Created != 1 {
			t.Fatalf("upsert of a new relation: %+v", res)
		}
		e2 := EY("funds", rg.RelFunds, "org", "init", Int(2021), nil)
		if res := MustApply(t, s, rg.Change{Op: rg.OpUpdateEdge, Edge: e2}); res.Updated != 1 {
			t.Fatalf("update: %+v", res)
		}
		WantSnapshot(t, s, Snapshot{Nodes: TakeSnapshot(t, s).Nodes, Edges: []*rg.Edge{e2}})
		if res := MustApply(t, s, rg.Change{Op: rg.OpUpsertEdge, Edge: e}); res.Updated != 1 {
			t.Fatalf("upsert of an existing relation: %+v", res)
		}
		WantSnapshot(t, s, Snapshot{Nodes: TakeSnapshot(t, s).Nodes, Edges: []*rg.Edge{e}})
		if res := MustApply(t, s, rg.Change{Op: rg.OpUpsertEdge, Edge: e}); res.Updated != 0 || res.Unchanged != 1 {
			t.Fatalf("identical upsert of a relation: %+v, want unchanged", res)
		}
		res := MustApply(t, s, rg.Change{Op: rg.OpDeleteEdge, ID: "funds"})
		WantEdges(t, "deleted", res.Edges, []*rg.Edge{e})
		if es, _ := s.Edges(bg, rg.EdgeFilter{}); len(es) != 0 {
			t.Fatalf("relations left: %q", EdgeIDs(es))
		}
	})

	t.Run("a relation's kind and ends may not change", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		for _, c := range []rg.Change{
			{Op: rg.OpUpdateEdge, Edge: PartnerOf("base-e1", "base-a", "base-c")},
			{Op: rg.OpUpdateEdge, Edge: PartnerOf("base-e1", "base-c", "base-b")},
			{Op: rg.OpUpsertEdge, Edge: E("base-e1", rg.RelParticipatesIn, "base-a", "base-b")},
		} {
			_, err := s.Apply(bg, []rg.Change{c})
			WantCode(t, err, rg.EBADINPUT)
			WantField(t, err, "changes[0].edge")
		}
		WantSnapshot(t, s, Snapshot{Nodes: baseGraph().Nodes, Edges: baseGraph().Edges})
	})

	t.Run("a node's kind may not change by update or upsert", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		for _, op := range []rg.Op{rg.OpUpdateNode, rg.OpUpsertNode} {
			_, err := s.Apply(bg, []rg.Change{{Op: op, Node: N("base-a", rg.KindRegion, "A")}})
			WantCode(t, err, rg.EBADINPUT)
			WantField(t, err, "changes[0].node.kind")
		}
		WantSnapshot(t, s, Snapshot{Nodes: baseGraph().Nodes, Edges: baseGraph().Edges})
	})

	t.Run("delete removes a node without relations", func(t *testing.T) {
		s := openWith(t, open, Graph{Nodes: []*rg.Node{Partner("a"), Partner("b")}})
		res := MustApply(t, s, rg.Change{Op: rg.OpDeleteNode, ID: "a"})
		WantNodes(t, "deleted", res.Nodes, []*rg.Node{Partner("a")})
		if res.Deleted != 1 {
			t.Fatalf("Deleted %d, want 1", res.Deleted)
		}
		WantSnapshot(t, s, Snapshot{Nodes: []*rg.Node{Partner("b")}})
	})

	t.Run("delete with Detach removes the node's relations", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		res := MustApply(t, s, rg.Change{Op: rg.OpDeleteNode, ID: "base-b", Detach: true})
		if res.Deleted != 1 || len(res.Nodes) != 1 || res.Nodes[0].ID != "base-b" {
			t.Fatalf("result %+v", res)
		}
		WantSnapshot(t, s, Snapshot{Nodes: []*rg.Node{Partner("base-a"), Partner("base-c")}})
		es, err := s.Edges(bg, rg.EdgeFilter{NodeIDs: []string{"base-a", "base-b", "base-c"}})
		if err != nil || len(es) != 0 {
			t.Fatalf("relations left: %q, %v", EdgeIDs(es), err)
		}
	})

	t.Run("later changes see earlier ones in the batch", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		renamed := Partner("new")
		renamed.Name = "Renamed"
		MustApply(t, s,
			rg.Change{Op: rg.OpCreateNode, Node: Partner("new")},
			rg.Change{Op: rg.OpCreateEdge, Edge: PartnerOf("to-new", "base-a", "new")},
			rg.Change{Op: rg.OpUpdateNode, Node: renamed},
			rg.Change{Op: rg.OpCreateNode, Node: Partner("gone")},
			rg.Change{Op: rg.OpDeleteNode, ID: "gone"},
			rg.Change{Op: rg.OpDeleteEdge, ID: "base-e2"},
			rg.Change{Op: rg.OpDeleteNode, ID: "base-c"}, // its only relation went just before
		)
		WantSnapshot(t, s, Snapshot{
			Nodes: []*rg.Node{Partner("base-a"), Partner("base-b"), renamed},
			Edges: []*rg.Edge{PartnerOf("base-e1", "base-a", "base-b"), PartnerOf("to-new", "base-a", "new")},
		})
	})

	t.Run("a relation to a node deleted earlier in the batch is NOT_FOUND", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		_, err := s.Apply(bg, []rg.Change{
			{Op: rg.OpDeleteNode, ID: "base-c", Detach: true},
			{Op: rg.OpCreateEdge, Edge: PartnerOf("late", "base-a", "base-c")},
		})
		WantCode(t, err, rg.ENOTFOUND)
		WantSnapshot(t, s, Snapshot{Nodes: baseGraph().Nodes, Edges: baseGraph().Edges})
	})

	t.Run("missing ids are NOT_FOUND", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		for _, c := range []rg.Change{
			{Op: rg.OpDeleteNode, ID: "nope"},
			{Op: rg.OpDeleteEdge, ID: "nope"},
			{Op: rg.OpUpdateEdge, Edge: PartnerOf("nope", "base-a", "base-b")},
			{Op: rg.OpCreateEdge, Edge: PartnerOf("e", "nope", "base-b")},
		} {
			_, err := s.Apply(bg, []rg.Change{c})
			WantCode(t, err, rg.ENOTFOUND)
		}
	})

	t.Run("an existing relation id is CONFLICT", func(t *testing.T) {
		s := openWith(t, open, baseGraph())
		_, err := s.Apply(bg, CreateEdges(PartnerOf("base-e1", "base-a", "base-c")))
		WantCode(t, err, rg.ECONFLICT)
	})

	t.Run("an empty batch or unknown op is BAD_USER_INPUT", func(t *testing.T) {
		s := openEmpty(t, open)
		_, err := s.Apply(bg, nil)
		WantCode(t, err, rg.EBADINPUT)
		_, err = s.Apply(bg, []rg.Change{{Op: "MERGE_NODE", ID: "x"}})
		WantCode(t, err, rg.EBADINPUT)
		WantField(t, err, "changes[0].op")
	})

	t.Run("Apply stores copies and returns copies", func(t *testing.T) {
		// Reads may hand out the stored values themselves (callers must
		// not modify them, see regiongraph.Expansion); what Apply is given
		// and what it returns belong to the caller.
		s := openEmpty(t, open)
		n := FullInitiative("init")
		org := N("org", rg.KindRegion, "Org")
		e := FullEdge("funds", "org", "init")
		want := Snapshot{Nodes: []*rg.Node{n.Clone(), org.Clone()}, Edges: []*rg.Edge{e.Clone()}}
		res := MustApply(t, s, append(CreateNodes(n, org), CreateEdges(e)...)...)
		scribble := func(n *rg.Node) {
			n.Name = "scribbled"
			n.Aliases[0] = "scribbled"
			*n.PlanYear = 1999
			*n.CostNok = 1
			n.YearlyAmounts[0].AmountNok = 1
		}
		scribbleEdge := func(e *rg.Edge) { e.Role = "scribbled"; *e.FromYear = 1901; *e.AmountNok = 1 }
		scribble(n) // the input
		scribbleEdge(e)
		scribble(res.Nodes[0])
		scribbleEdge(res.Edges[0])
		WantSnapshot(t, s, want)
	})
}

func testConcurrency(t *testing.T, open Opener) {
	t.Run("parallel readers and writers leave a consistent store", func(t *testing.T) {
		const hubs, writers, batches, group = 4, 4, 15, 5
		var base Graph
		for i := range hubs {
			base.Nodes = append(base.Nodes, Partner(fmt.Sprintf("hub-%d", i)))
		}
		s := openWith(t, open, base)
		groupIDs := func(w, b int) []string {
			ids := make([]string, group)
			for i := range ids {
				ids[i] = fmt.Sprintf("w%d-b%02d-n%d", w, b, i)
			}
			return ids
		}
		var wg sync.WaitGroup
		done := make(chan struct{})
		kept := make([][]string, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range batches {
					ids := groupIDs(w, b)
					var cs []rg.Change
					for _, id := range ids {
						cs = append(cs, CreateNodes(Partner(id))...)
					}
					for i := 1; i < group; i++ {
						cs = append(cs, CreateEdges(PartnerOf("e-"+ids[i], ids[i-1], ids[i]))...)
					}
					cs = append(cs, CreateEdges(PartnerOf("e-hub-"+ids[0], fmt.Sprintf("hub-%d", w), ids[0]))...)
					if b%3 == 2 { // remove the group before, whole
						for _, id := range groupIDs(w, b-1) {
							cs = append(cs, rg.Change{Op: rg.OpDeleteNode, ID: id, Detach: true})
						}
					}
					if _, err := s.Apply(bg, cs); err != nil {
						t.Errorf("writer %d batch %d: %v", w, b, err)
						return
					}
				}
				for b := range batches {
					if b%3 != 1 {
						kept[w] = append(kept[w], groupIDs(w, b)...)
					}
				}
			}()
		}
		var rwg sync.WaitGroup
		for r := range 4 {
			rwg.Add(1)
			go func() {
				defer rwg.Done()
				for i := 0; ; i++ {
					select {
					case <-done:
						return
					default:
					}
					switch i % 3 {
					case 0:
						sg, err := s.Subgraph(bg, rg.SubgraphFilter{})
						if err != nil {
							t.Errorf("reader %d: %v", r, err)
							return
						}
						in := map[string]bool{}
						for _, n := range sg.Nodes {
							in[n.ID] = true
						}
						for _, e := range sg.Edges {
							if !in[e.From] || !in[e.To] {
								t.Errorf("reader %d: relation %s has a missing end", r, e.ID)
								return
							}
						}
						if (len(sg.Nodes)-hubs)%group != 0 || len(sg.Edges)%group != 0 {
							t.Errorf("reader %d: saw %d nodes and %d relations, a partial batch", r, len(sg.Nodes), len(sg.Edges))
							return
						}
					case 1:
						p, err := s.FindNodes(bg, rg.NodeFilter{Text: "partner w", First: 7})
						if err != nil {
							t.Errorf("reader %d: %v", r, err)
							return
						}
						if p.TotalCount%group != 0 {
							t.Errorf("reader %d: TotalCount %d, a partial batch", r, p.TotalCount)
							return
						}
					case 2:
						es, err := s.Edges(bg, rg.EdgeFilter{NodeIDs: []string{"hub-0", "hub-1", "hub-2", "hub-3"}})
						if err != nil {
							t.Errorf("reader %d: %v", r, err)
							return
						}
						if _, err := s.Nodes(bg, EdgeIDs(es)); err != nil {
							t.Errorf("reader %d: %v", r, err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(done)
		rwg.Wait()
		if t.Failed() {
			return
		}
		snap := TakeSnapshot(t, s)
		want := 0
		for _, ids := range kept {
			want += len(ids)
			got, err := s.Nodes(bg, ids)
			if err != nil || len(got) != len(ids) {
				t.Fatalf("kept nodes: %d of %d, %v", len(got), len(ids), err)
			}
		}
		if len(snap.Nodes) != hubs+want || len(snap.Edges) != want {
			t.Fatalf("%d nodes and %d relations, want %d and %d", len(snap.Nodes), len(snap.Edges), hubs+want, want)
		}
	})
}
