package storetest

import (
	"fmt"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

func testNodes(t *testing.T, open Opener) {
	var g Graph
	for i := range 1200 {
		g.Nodes = append(g.Nodes, Partner(fmt.Sprintf("p-%04d", i)))
	}
	s := openWith(t, open, g)
	byID := map[string]*rg.Node{}
	for _, n := range g.Nodes {
		byID[n.ID] = n
	}
	want := func(ids ...string) []*rg.Node {
		var out []*rg.Node
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out
	}

	t.Run("returns the nodes in the order of the ids", func(t *testing.T) {
		got, err := s.Nodes(bg, []string{"p-0005", "p-0001", "p-1100", "p-0003"})
		if err != nil {
			t.Fatal(err)
		}
		WantNodes(t, "Nodes", got, want("p-0005", "p-0001", "p-1100", "p-0003"))
	})
	t.Run("skips missing ids", func(t *testing.T) {
		got, err := s.Nodes(bg, []string{"nope", "p-0001", "p-9999", "Not A Slug", "p-0002"})
		if err != nil {
			t.Fatal(err)
		}
		WantNodes(t, "Nodes", got, want("p-0001", "p-0002"))
	})
	t.Run("returns a duplicated id once at its first place", func(t *testing.T) {
		got, err := s.Nodes(bg, []string{"p-0002", "p-0001", "p-0002", "p-0001", "p-0003"})
		if err != nil {
			t.Fatal(err)
		}
		WantNodes(t, "Nodes", got, want("p-0002", "p-0001", "p-0003"))
	})
	t.Run("returns 1000 ids in one call in their order", func(t *testing.T) {
		var ids []string
		for i := 1099; i >= 100; i-- {
			ids = append(ids, fmt.Sprintf("p-%04d", i))
		}
		got, err := s.Nodes(bg, ids)
		if err != nil {
			t.Fatal(err)
		}
		WantNodes(t, "Nodes", got, want(ids...))
	})
	t.Run("returns nothing for no ids", func(t *testing.T) {
		got, err := s.Nodes(bg, nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("Nodes(nil) = %d nodes, %v; want none", len(got), err)
		}
	})
	t.Run("accepts MaxBatchIDs ids", func(t *testing.T) {
		ids := make([]string, rg.MaxBatchIDs)
		for i := range ids {
			ids[i] = fmt.Sprintf("p-%04d", i)
		}
		got, err := s.Nodes(bg, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1200 {
			t.Fatalf("got %d nodes, want 1200", len(got))
		}
	})
	t.Run("more than MaxBatchIDs ids is BAD_USER_INPUT", func(t *testing.T) {
		ids := make([]string, rg.MaxBatchIDs+1)
		for i := range ids {
			ids[i] = fmt.Sprintf("p-%05d", i)
		}
		_, err := s.Nodes(bg, ids)
		WantCode(t, err, rg.EBADINPUT)
	})
}

// edgeGraph: three municipalities and two regions with memberships over
// different years, a network, and relations created out of id order.
func edgeGraph() Graph {
	return Graph{
		Nodes: []*rg.Node{
			N("m1", rg.KindMunicipality, "M1"), N("m2", rg.KindMunicipality, "M2"), N("m3", rg.KindMunicipality, "M3"),
			N("r1", rg.KindRegion, "R1"), N("r2", rg.KindRegion, "R2"), N("n1", rg.KindNetwork, "N1"),
		},
		Edges: []*rg.Edge{
			E("e08", rg.RelFacilitates, "r2", "n1"),
			E("e07", rg.RelMemberOf, "r2", "r1"),
			E("e06", rg.RelFacilitates, "r1", "n1"),
			E("e05", rg.RelParticipatesIn, "m1", "n1"),
			EY("e04", rg.RelMemberOf, "m1", "r2", Int(2010), Int(2014)), // closed
			EY("e03", rg.RelMemberOf, "m3", "r1", nil, Int(2012)),       // open start
			EY("e02", rg.RelMemberOf, "m2", "r1", Int(2015), nil),       // open end
			E("e01", rg.RelMemberOf, "m1", "r1"),                        // open both
		},
	}
}

func testEdges(t *testing.T, open Opener) {
	g := edgeGraph()
	s := openWith(t, open, g)
	byID := map[string]*rg.Edge{}
	for _, e := range g.Edges {
		byID[e.ID] = e
	}
	check := func(t *testing.T, f rg.EdgeFilter, want ...string) {
		t.Helper()
		got, err := s.Edges(bg, f)
		if err != nil {
			t.Fatal(err)
		}
		var wantEdges []*rg.Edge
		for _, id := range want {
			wantEdges = append(wantEdges, byID[id])
		}
		WantEdges(t, "Edges", got, wantEdges)
	}
	nodes := []string{"r1", "m1"}

	t.Run("OUT returns the relations from the nodes by id", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: nodes, Direction: rg.Out}, "e01", "e04", "e05", "e06")
	})
	t.Run("IN returns the relations to the nodes by id", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: nodes, Direction: rg.In}, "e01", "e02", "e03", "e07")
	})
	t.Run("BOTH returns each relation touching the nodes once", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: nodes, Direction: rg.Both}, "e01", "e02", "e03", "e04", "e05", "e06", "e07")
	})
	t.Run("no direction means BOTH", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: nodes}, "e01", "e02", "e03", "e04", "e05", "e06", "e07")
	})
	t.Run("kinds narrow the relations", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"m1"}, Kinds: []rg.RelKind{rg.RelMemberOf}}, "e01", "e04")
		check(t, rg.EdgeFilter{NodeIDs: []string{"n1"}, Direction: rg.In, Kinds: []rg.RelKind{rg.RelFacilitates, rg.RelParticipatesIn}}, "e05", "e06", "e08")
	})
	t.Run("ids narrow the relations of the nodes", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"m1"}, IDs: []string{"e01", "e05", "e08"}}, "e01", "e05")
	})
	t.Run("ids alone select relations by id", func(t *testing.T) {
		check(t, rg.EdgeFilter{IDs: []string{"e08", "nope", "e01"}}, "e01", "e08")
	})
	t.Run("an empty filter returns every relation by id", func(t *testing.T) {
		check(t, rg.EdgeFilter{}, "e01", "e02", "e03", "e04", "e05", "e06", "e07", "e08")
	})
	t.Run("many nodes at once, most of them missing", func(t *testing.T) {
		var ids []string
		for i := range 998 {
			ids = append(ids, fmt.Sprintf("missing-%d", i))
		}
		ids = append(ids, "m1", "r1")
		check(t, rg.EdgeFilter{NodeIDs: ids, Direction: rg.Both}, "e01", "e02", "e03", "e04", "e05", "e06", "e07")
	})
	t.Run("year keeps the relations that hold in it", func(t *testing.T) {
		check(t, rg.EdgeFilter{NodeIDs: []string{"r1", "r2"}, Year: Int(2013)}, "e01", "e04", "e06", "e07", "e08")
	})
	t.Run("a closed range holds from its first to its last year", func(t *testing.T) {
		f := rg.EdgeFilter{IDs: []string{"e04"}}
		for y, want := range map[int]bool{2009: false, 2010: true, 2012: true, 2014: true, 2015: false} {
			f.Year = Int(y)
			if want {
				check(t, f, "e04")
			} else {
				check(t, f)
			}
		}
	})
	t.Run("an open start holds in every year up to the last", func(t *testing.T) {
		f := rg.EdgeFilter{IDs: []string{"e03"}}
		for y, want := range map[int]bool{rg.MinYear: true, 2012: true, 2013: false} {
			f.Year = Int(y)
			if want {
				check(t, f, "e03")
			} else {
				check(t, f)
			}
		}
	})
	t.Run("an open end holds in every year from the first", func(t *testing.T) {
		f := rg.EdgeFilter{IDs: []string{"e02"}}
		for y, want := range map[int]bool{2014: false, 2015: true, rg.MaxYear: true} {
			f.Year = Int(y)
			if want {
				check(t, f, "e02")
			} else {
				check(t, f)
			}
		}
	})
	t.Run("no year sees every relation", func(t *testing.T) {
		check(t, rg.EdgeFilter{IDs: []string{"e01", "e02", "e03", "e04"}}, "e01", "e02", "e03", "e04")
	})
	t.Run("more than MaxBatchIDs node ids is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.Edges(bg, rg.EdgeFilter{NodeIDs: make([]string, rg.MaxBatchIDs+1)})
		WantCode(t, err, rg.EBADINPUT)
	})
	t.Run("an unknown direction is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.Edges(bg, rg.EdgeFilter{NodeIDs: []string{"m1"}, Direction: "SIDEWAYS"})
		WantCode(t, err, rg.EBADINPUT)
	})
	t.Run("an unknown relation kind is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.Edges(bg, rg.EdgeFilter{Kinds: []rg.RelKind{"LIKES"}})
		WantCode(t, err, rg.EBADINPUT)
	})
}

// catalog is the graph FindNodes is tested on.
func catalog() Graph {
	n := func(id string, kind rg.Kind, name string, set func(*rg.Node)) *rg.Node {
		x := N(id, kind, name)
		if set != nil {
			set(x)
		}
		return x
	}
	g := Graph{Nodes: []*rg.Node{
		n("kommune-tromso", rg.KindMunicipality, "Tromsø", func(x *rg.Node) { x.Number = "5501"; x.County = "Troms" }),
		n("kommune-nore-og-uvdal", rg.KindMunicipality, "Nore og Uvdal", nil),
		n("kommune-kongsberg", rg.KindMunicipality, "Kongsberg", func(x *rg.Node) { x.Aliases = []string{"KBG"} }),
		n("kommune-al", rg.KindMunicipality, "Ål", nil),
		n("region-nd", rg.KindRegion, "Regionrådet for Numedal", func(x *rg.Node) { x.Aliases = []string{"Numedal"} }),
		n("nettverk-it", rg.KindNetwork, "IT-forum", nil),
		n("plan-2020", rg.KindPlan, "Handlingsplan 2020", func(x *rg.Node) { x.PlanYear = Int(2020) }),
		n("i-a", rg.KindInitiative, "Bredbånd", func(x *rg.Node) { x.Code = "2"; x.PlanYear = Int(2020); x.CostNok = Int64(500) }),
		n("i-b", rg.KindInitiative, "alpha", func(x *rg.Node) { x.Code = "1.1"; x.PlanYear = Int(2021) }),
		n("i-c", rg.KindInitiative, "Alpha", func(x *rg.Node) { x.CostNok = Int64(100) }),
		n("i-d", rg.KindInitiative, "Cykkel", func(x *rg.Node) { x.Code = "10"; x.PlanYear = Int(2020); x.CostNok = Int64(500) }),
		n("i-e", rg.KindInitiative, "Øst", func(x *rg.Node) { x.Code = "1" }),
	}}
	for i := range 60 {
		// Names repeat, so that most of the order rests on the id tie-break.
		g.Nodes = append(g.Nodes, N(fmt.Sprintf("p-%02d", (i*37)%60), rg.KindPartner, fmt.Sprintf("Partner %d", i%7)))
	}
	g.Edges = []*rg.Edge{
		E("c-01", rg.RelMemberOf, "kommune-kongsberg", "region-nd"),
		EY("c-02", rg.RelMemberOf, "kommune-nore-og-uvdal", "region-nd", Int(2018), nil),
		EY("c-03", rg.RelMemberOf, "kommune-al", "region-nd", nil, Int(2015)),
		E("c-04", rg.RelParticipatesIn, "kommune-kongsberg", "nettverk-it"),
		E("c-05", rg.RelFacilitates, "region-nd", "nettverk-it"),
		E("c-06", rg.RelInPlan, "i-a", "plan-2020"),
		E("c-07", rg.RelInPlan, "i-d", "plan-2020"),
		E("c-08", rg.RelCoordinates, "region-nd", "i-a"),
	}
	return g
}

func testFindNodes(t *testing.T, open Opener) {
	s := openWith(t, open, catalog())
	const total = 72
	find := func(t *testing.T, f rg.NodeFilter) rg.NodePage {
		t.Helper()
		p, err := s.FindNodes(bg, f)
		if err != nil {
			t.Fatalf("FindNodes(%+v): %v", f, err)
		}
		return p
	}
	check := func(t *testing.T, f rg.NodeFilter, want ...string) {
		t.Helper()
		f.First = rg.MaxPageSize
		p := find(t, f)
		WantIDs(t, "FindNodes", NodeIDs(p.Nodes), want)
		if p.TotalCount != len(want) || p.HasNextPage {
			t.Fatalf("TotalCount %d, HasNextPage %v; want %d, false", p.TotalCount, p.HasNextPage, len(want))
		}
	}
	munis := []rg.Kind{rg.KindMunicipality}

	t.Run("kinds select nodes, by lower-cased name", func(t *testing.T) {
		check(t, rg.NodeFilter{Kinds: munis}, "kommune-kongsberg", "kommune-nore-og-uvdal", "kommune-tromso", "kommune-al")
		check(t, rg.NodeFilter{Kinds: []rg.Kind{rg.KindRegion, rg.KindNetwork}}, "nettverk-it", "region-nd")
	})
	t.Run("ids select nodes and skip missing ones", func(t *testing.T) {
		check(t, rg.NodeFilter{IDs: []string{"kommune-al", "nope", "i-a"}}, "i-a", "kommune-al")
	})
	t.Run("no filter returns every node", func(t *testing.T) {
		if p := find(t, rg.NodeFilter{First: rg.MaxPageSize}); p.TotalCount != total || len(p.Nodes) != total {
			t.Fatalf("TotalCount %d, %d nodes; want %d", p.TotalCount, len(p.Nodes), total)
		}
	})
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"text tromso finds Tromsø", "tromso", []string{"kommune-tromso"}},
		{"text is case-insensitive", "TROMSØ", []string{"kommune-tromso"}},
		{"text nore finds Nore og Uvdal", "nore", []string{"kommune-nore-og-uvdal"}},
		{"text matches inside the name", "UVDAL", []string{"kommune-nore-og-uvdal"}},
		{"text collapses white space", "  nore   og ", []string{"kommune-nore-og-uvdal"}},
		{"text finds aliases", "kbg", []string{"kommune-kongsberg"}},
		{"text finds a folded diacritic in the query", "ål", []string{"i-b", "i-c", "kommune-nore-og-uvdal", "region-nd", "kommune-al"}},
		{"text finds nothing", "zzz", nil},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, rg.NodeFilter{Text: tc.text}, tc.want...) })
	}
	t.Run("an empty text page is empty and has no cursor", func(t *testing.T) {
		p := find(t, rg.NodeFilter{Text: "zzz"})
		if len(p.Nodes) != 0 || p.TotalCount != 0 || p.EndCursor != "" || p.HasNextPage {
			t.Fatalf("page %+v, want empty", p)
		}
	})
	t.Run("planYear selects initiatives and plans of the year", func(t *testing.T) {
		check(t, rg.NodeFilter{PlanYear: Int(2020)}, "i-a", "i-d", "plan-2020")
	})
	t.Run("code matches exactly", func(t *testing.T) {
		check(t, rg.NodeFilter{Code: "1"}, "i-e")
	})
	t.Run("related OUT selects the nodes with a relation to the given nodes", func(t *testing.T) {
		check(t, rg.NodeFilter{Related: []rg.Related{{Kind: rg.RelMemberOf, Direction: rg.Out, NodeIDs: []string{"region-nd"}}}},
			"kommune-kongsberg", "kommune-nore-og-uvdal", "kommune-al")
	})
	t.Run("related IN selects the nodes with a relation from the given nodes", func(t *testing.T) {
		check(t, rg.NodeFilter{Related: []rg.Related{{Kind: rg.RelMemberOf, Direction: rg.In, NodeIDs: []string{"kommune-kongsberg", "kommune-al"}}}},
			"region-nd")
		check(t, rg.NodeFilter{Related: []rg.Related{{Kind: rg.RelMemberOf, Direction: rg.Out, NodeIDs: []string{"kommune-kongsberg"}}}})
	})
	t.Run("related BOTH selects either way", func(t *testing.T) {
		check(t, rg.NodeFilter{Related: []rg.Related{{Kind: rg.RelMemberOf, Direction: rg.Both, NodeIDs: []string{"region-nd", "kommune-al"}}}},
			"kommune-kongsberg", "kommune-nore-og-uvdal", "region-nd", "kommune-al")
	})
	t.Run("related with year counts only relations holding then", func(t *testing.T) {
		rel := []rg.Related{{Kind: rg.RelMemberOf, Direction: rg.Out, NodeIDs: []string{"region-nd"}}}
		check(t, rg.NodeFilter{Related: rel, Year: Int(2016)}, "kommune-kongsberg")
		check(t, rg.NodeFilter{Related: rel, Year: Int(2015)}, "kommune-kongsberg", "kommune-al")
		check(t, rg.NodeFilter{Related: rel, Year: Int(2018)}, "kommune-kongsberg", "kommune-nore-og-uvdal")
	})
	t.Run("every related must hold", func(t *testing.T) {
		check(t, rg.NodeFilter{Related: []rg.Related{
			{Kind: rg.RelMemberOf, Direction: rg.Out, NodeIDs: []string{"region-nd"}},
			{Kind: rg.RelParticipatesIn, Direction: rg.Out, NodeIDs: []string{"nettverk-it"}},
		}}, "kommune-kongsberg")
	})
	t.Run("filters combine", func(t *testing.T) {
		check(t, rg.NodeFilter{Kinds: []rg.Kind{rg.KindInitiative}, PlanYear: Int(2020), Text: "cyk"}, "i-d")
		check(t, rg.NodeFilter{Kinds: []rg.Kind{rg.KindInitiative}, Related: []rg.Related{{Kind: rg.RelInPlan, Direction: rg.Out, NodeIDs: []string{"plan-2020"}}}}, "i-a", "i-d")
	})

	// Orders over the initiatives: names tie ("alpha", "Alpha"), plan
	// years, costs and codes tie or are missing.
	inits := []rg.Kind{rg.KindInitiative}
	for _, tc := range []struct {
		field rg.OrderField
		desc  bool
		want  []string
	}{
		{rg.OrderByName, false, []string{"i-b", "i-c", "i-a", "i-d", "i-e"}},
		{rg.OrderByName, true, []string{"i-e", "i-d", "i-a", "i-b", "i-c"}},
		{rg.OrderByID, false, []string{"i-a", "i-b", "i-c", "i-d", "i-e"}},
		{rg.OrderByID, true, []string{"i-e", "i-d", "i-c", "i-b", "i-a"}},
		{rg.OrderByPlanYear, false, []string{"i-a", "i-d", "i-b", "i-c", "i-e"}},
		{rg.OrderByPlanYear, true, []string{"i-c", "i-e", "i-b", "i-a", "i-d"}},
		{rg.OrderByCostNok, false, []string{"i-c", "i-a", "i-d", "i-b", "i-e"}},
		{rg.OrderByCostNok, true, []string{"i-b", "i-e", "i-a", "i-d", "i-c"}},
		{rg.OrderByCode, false, []string{"i-e", "i-b", "i-d", "i-a", "i-c"}},
		{rg.OrderByCode, true, []string{"i-c", "i-a", "i-d", "i-b", "i-e"}},
	} {
		dir := "ascending, missing last"
		if tc.desc {
			dir = "descending, missing first"
		}
		t.Run(fmt.Sprintf("order by %s %s, ties by id", tc.field, dir), func(t *testing.T) {
			check(t, rg.NodeFilter{Kinds: inits, Order: rg.Order{Field: tc.field, Desc: tc.desc}}, tc.want...)
		})
	}
	t.Run("the default order is by name", func(t *testing.T) {
		check(t, rg.NodeFilter{Kinds: inits}, "i-b", "i-c", "i-a", "i-d", "i-e")
	})

	t.Run("first 0 gives DefaultPageSize", func(t *testing.T) {
		p := find(t, rg.NodeFilter{})
		if len(p.Nodes) != rg.DefaultPageSize || !p.HasNextPage || p.TotalCount != total {
			t.Fatalf("%d nodes, HasNextPage %v, TotalCount %d; want %d, true, %d", len(p.Nodes), p.HasNextPage, p.TotalCount, rg.DefaultPageSize, total)
		}
	})
	for _, o := range []rg.Order{
		{Field: rg.OrderByName}, {Field: rg.OrderByName, Desc: true}, {Field: rg.OrderByID, Desc: true},
		{Field: rg.OrderByPlanYear}, {Field: rg.OrderByPlanYear, Desc: true}, {Field: rg.OrderByCostNok, Desc: true},
		{Field: rg.OrderByCode},
	} {
		t.Run(fmt.Sprintf("pages by %s desc=%v are stable with no gaps or duplicates", o.Field, o.Desc), func(t *testing.T) {
			all := find(t, rg.NodeFilter{Order: o, First: rg.MaxPageSize})
			if len(all.Nodes) != total {
				t.Fatalf("%d nodes in one page, want %d", len(all.Nodes), total)
			}
			for i := 1; i < len(all.Nodes); i++ {
				if rg.CompareNodes(o, all.Nodes[i-1], all.Nodes[i]) >= 0 {
					t.Fatalf("%s before %s is out of order", all.Nodes[i-1].ID, all.Nodes[i].ID)
				}
			}
			for _, size := range []int{1, 2, 3, 7, 71, 72, 73} {
				var got []string
				f := rg.NodeFilter{Order: o, First: size}
				for pages := 0; ; pages++ {
					if pages > total {
						t.Fatalf("size %d: more pages than nodes", size)
					}
					p := find(t, f)
					if p.TotalCount != total {
						t.Fatalf("size %d page %d: TotalCount %d, want %d", size, pages, p.TotalCount, total)
					}
					got = append(got, NodeIDs(p.Nodes)...)
					wantNext := len(got) < total
					if p.HasNextPage != wantNext {
						t.Fatalf("size %d page %d: HasNextPage %v after %d nodes", size, pages, p.HasNextPage, len(got))
					}
					if len(p.Nodes) != min(size, total-(len(got)-len(p.Nodes))) {
						t.Fatalf("size %d page %d: %d nodes", size, pages, len(p.Nodes))
					}
					if !p.HasNextPage {
						break
					}
					f.After = p.EndCursor
				}
				WantIDs(t, fmt.Sprintf("pages of %d", size), got, NodeIDs(all.Nodes))
			}
		})
	}
	t.Run("filtered pages count only the matches", func(t *testing.T) {
		f := rg.NodeFilter{Kinds: []rg.Kind{rg.KindPartner}, Text: "partner 3", First: 3}
		var got []string
		for {
			p := find(t, f)
			if p.TotalCount != 9 {
				t.Fatalf("TotalCount %d, want 9", p.TotalCount)
			}
			got = append(got, NodeIDs(p.Nodes)...)
			if !p.HasNextPage {
				break
			}
			f.After = p.EndCursor
		}
		if len(got) != 9 || !slices.IsSorted(got) {
			t.Fatalf("got %q, want 9 partners named Partner 3 by id", got)
		}
	})
	t.Run("the cursor of the last page gives an empty page", func(t *testing.T) {
		p := find(t, rg.NodeFilter{Kinds: inits})
		p = find(t, rg.NodeFilter{Kinds: inits, After: p.EndCursor})
		if len(p.Nodes) != 0 || p.HasNextPage || p.TotalCount != 5 {
			t.Fatalf("page after the last: %d nodes, HasNextPage %v, TotalCount %d", len(p.Nodes), p.HasNextPage, p.TotalCount)
		}
	})
	t.Run("a malformed cursor is BAD_USER_INPUT", func(t *testing.T) {
		for _, c := range []string{"!!!", "bm90IGpzb24", "e30"} { // not base64, "not json", "{}"
			_, err := s.FindNodes(bg, rg.NodeFilter{After: c})
			WantCode(t, err, rg.EBADINPUT)
		}
	})
	t.Run("a cursor for another order is BAD_USER_INPUT", func(t *testing.T) {
		p := find(t, rg.NodeFilter{First: 2})
		for _, o := range []rg.Order{{Field: rg.OrderByCode}, {Field: rg.OrderByName, Desc: true}} {
			_, err := s.FindNodes(bg, rg.NodeFilter{Order: o, After: p.EndCursor})
			WantCode(t, err, rg.EBADINPUT)
		}
	})
	t.Run("first above MaxPageSize is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.FindNodes(bg, rg.NodeFilter{First: rg.MaxPageSize + 1})
		WantCode(t, err, rg.EBADINPUT)
		_, err = s.FindNodes(bg, rg.NodeFilter{First: -1})
		WantCode(t, err, rg.EBADINPUT)
	})
	t.Run("an unknown kind or order is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.FindNodes(bg, rg.NodeFilter{Kinds: []rg.Kind{"Person"}})
		WantCode(t, err, rg.EBADINPUT)
		_, err = s.FindNodes(bg, rg.NodeFilter{Order: rg.Order{Field: "SIZE"}})
		WantCode(t, err, rg.EBADINPUT)
	})
	t.Run("a cursor stays valid when its node is deleted", func(t *testing.T) {
		s := openWith(t, open, catalog())
		f := rg.NodeFilter{Kinds: inits, Order: rg.Order{Field: rg.OrderByCostNok}, First: 2}
		p := find2(t, s, f) // i-c, i-a
		MustApply(t, s, rg.Change{Op: rg.OpDeleteNode, ID: "i-a", Detach: true})
		f.After = p.EndCursor
		p = find2(t, s, f)
		WantIDs(t, "page after a deleted node", NodeIDs(p.Nodes), []string{"i-d", "i-b"})
	})
}

func find2(t *testing.T, s rg.Store, f rg.NodeFilter) rg.NodePage {
	t.Helper()
	p, err := s.FindNodes(bg, f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testRelatedPages (a store of its own) pages through the nodes related to a hub (and to two
// hubs, and along a year), in every order, with and without a cursor, and
// checks each walk against the one-page answer and the relations
// themselves: the same nodes, in order, each once, the total on every
// page, and an empty page (with the total) after the last.
func testRelatedPages(t *testing.T, open Opener) {
	g := Graph{Nodes: []*rg.Node{Partner("hub"), Partner("hub2")}}
	for i := range 40 {
		p := N(fmt.Sprintf("q-%02d", (i*17)%40), rg.KindPartner, fmt.Sprintf("Partner %d", i%6))
		g.Nodes = append(g.Nodes, p)
		switch {
		case i%5 == 0:
			g.Edges = append(g.Edges, EY("h-"+p.ID, rg.RelPartnerOf, p.ID, "hub", Int(2010), Int(2012)))
		case i%3 == 0:
			g.Edges = append(g.Edges, PartnerOf("h-"+p.ID, "hub", p.ID))
		default:
			g.Edges = append(g.Edges, PartnerOf("h-"+p.ID, p.ID, "hub"))
		}
		if i%4 == 0 {
			g.Edges = append(g.Edges, PartnerOf("g-"+p.ID, p.ID, "hub2"))
		}
	}
	s := openWith(t, open, g)
	// want lists the nodes r selects, from the relations themselves.
	want := func(rs []rg.Related, year *int) map[string]bool {
		out := map[string]bool{}
		for _, n := range g.Nodes {
			all := true
			for _, r := range rs {
				found := false
				for _, e := range g.Edges {
					if e.Kind != r.Kind || !slices.Contains(r.NodeIDs, e.From) && !slices.Contains(r.NodeIDs, e.To) || !e.HoldsInYear(year) {
						continue
					}
					out, in := e.From == n.ID && slices.Contains(r.NodeIDs, e.To), e.To == n.ID && slices.Contains(r.NodeIDs, e.From)
					if r.Direction == rg.Out && out || r.Direction == rg.In && in || r.Direction == rg.Both && (out || in) {
						found = true
					}
				}
				all = all && found
			}
			if all {
				out[n.ID] = true
			}
		}
		return out
	}
	for _, c := range []struct {
		name string
		rs   []rg.Related
		year *int
	}{
		{"both ways", []rg.Related{{Kind: rg.RelPartnerOf, Direction: rg.Both, NodeIDs: []string{"hub"}}}, nil},
		{"out", []rg.Related{{Kind: rg.RelPartnerOf, Direction: rg.Out, NodeIDs: []string{"hub"}}}, nil},
		{"in, in 2013", []rg.Related{{Kind: rg.RelPartnerOf, Direction: rg.In, NodeIDs: []string{"hub"}}}, Int(2013)},
		{"either hub", []rg.Related{{Kind: rg.RelPartnerOf, Direction: rg.Both, NodeIDs: []string{"hub", "hub2"}}}, Int(2011)},
		{"both hubs", []rg.Related{{Kind: rg.RelPartnerOf, Direction: rg.Both, NodeIDs: []string{"hub"}}, {Kind: rg.RelPartnerOf, Direction: rg.Out, NodeIDs: []string{"hub2"}}}, nil},
		{"none", []rg.Related{{Kind: rg.RelMemberOf, Direction: rg.Both, NodeIDs: []string{"hub"}}}, nil},
	} {
		match := want(c.rs, c.year)
		for _, o := range []rg.Order{{Field: rg.OrderByName}, {Field: rg.OrderByName, Desc: true}, {Field: rg.OrderByID}, {Field: rg.OrderByID, Desc: true}, {Field: rg.OrderByCostNok}} {
			f := rg.NodeFilter{Related: c.rs, Year: c.year, Order: o, First: rg.MaxPageSize}
			one, err := s.FindNodes(bg, f)
			if err != nil {
				t.Fatalf("%s, %+v: %v", c.name, o, err)
			}
			if one.TotalCount != len(match) || len(one.Nodes) != len(match) {
				t.Fatalf("%s, %+v: %d nodes of %d, want %d", c.name, o, len(one.Nodes), one.TotalCount, len(match))
			}
			for i, n := range one.Nodes {
				if !match[n.ID] || i > 0 && rg.CompareNodes(o, one.Nodes[i-1], n) >= 0 {
					t.Fatalf("%s, %+v: %s at %d is not selected or out of order", c.name, o, n.ID, i)
				}
			}
			for _, size := range []int{1, 3, 7} {
				var got []string
				f := f
				f.First = size
				for pages := 0; ; pages++ {
					p, err := s.FindNodes(bg, f)
					if err != nil {
						t.Fatal(err)
					}
					if p.TotalCount != len(match) || pages > len(match) {
						t.Fatalf("%s, %+v, size %d, page %d: TotalCount %d, want %d", c.name, o, size, pages, p.TotalCount, len(match))
					}
					got = append(got, NodeIDs(p.Nodes)...)
					if !p.HasNextPage {
						if p.EndCursor != "" {
							// After the last node: no node, the total kept.
							f.After = p.EndCursor
							last, err := s.FindNodes(bg, f)
							if err != nil || len(last.Nodes) != 0 || last.TotalCount != len(match) || last.HasNextPage {
								t.Fatalf("%s, %+v: after the last page %d nodes of %d (%v)", c.name, o, len(last.Nodes), last.TotalCount, err)
							}
						}
						break
					}
					f.After = p.EndCursor
				}
				if !slices.Equal(got, NodeIDs(one.Nodes)) {
					t.Fatalf("%s, %+v, pages of %d: %v, want %v", c.name, o, size, got, NodeIDs(one.Nodes))
				}
			}
		}
	}
}
