package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// subgraphGraph: partners a-b-c-d-e in a chain, a municipality m member of
// b, a region r taking part in c in 2010..2012, and a lone partner z.
func subgraphGraph() Graph {
	return Graph{
		Nodes: []*rg.Node{
			Partner("a"), Partner("b"), Partner("c"), Partner("d"), Partner("e"), Partner("z"),
			N("m", rg.KindMunicipality, "M"), N("r", rg.KindRegion, "R"),
		},
		Edges: []*rg.Edge{
			PartnerOf("ab", "a", "b"), PartnerOf("bc", "c", "b"), PartnerOf("cd", "c", "d"), PartnerOf("de", "d", "e"),
			E("mb", rg.RelMemberOf, "m", "b"),
			EY("rc", rg.RelParticipatesIn, "r", "c", Int(2010), Int(2012)),
		},
	}
}

func testSubgraph(t *testing.T, open Opener) {
	s := openWith(t, open, subgraphGraph())
	check := func(t *testing.T, f rg.SubgraphFilter, truncated bool, nodes []string, edges ...string) {
		t.Helper()
		sg, err := s.Subgraph(bg, f)
		if err != nil {
			t.Fatalf("Subgraph(%+v): %v", f, err)
		}
		WantIDs(t, "nodes", NodeIDs(sg.Nodes), nodes)
		WantIDs(t, "relations", EdgeIDs(sg.Edges), edges)
		if sg.Truncated != truncated {
			t.Fatalf("Truncated %v, want %v", sg.Truncated, truncated)
		}
		in := map[string]bool{}
		for _, n := range sg.Nodes {
			in[n.ID] = true
		}
		for _, e := range sg.Edges {
			if !in[e.From] || !in[e.To] {
				t.Fatalf("relation %s has an end outside the subgraph", e.ID)
			}
		}
	}
	ids := func(xs ...string) []string { return xs }
	partners := []rg.Kind{rg.KindPartner}

	t.Run("without roots returns every node and relation", func(t *testing.T) {
		check(t, rg.SubgraphFilter{}, false, ids("a", "b", "c", "d", "e", "m", "r", "z"), "ab", "bc", "cd", "de", "mb", "rc")
	})
	t.Run("kinds select nodes and only relations with both ends inside", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Kinds: partners}, false, ids("a", "b", "c", "d", "e", "z"), "ab", "bc", "cd", "de")
	})
	t.Run("relations select relations", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Relations: []rg.RelKind{rg.RelMemberOf}}, false, ids("a", "b", "c", "d", "e", "m", "r", "z"), "mb")
	})
	t.Run("year keeps the relations that hold in it", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Year: Int(2013)}, false, ids("a", "b", "c", "d", "e", "m", "r", "z"), "ab", "bc", "cd", "de", "mb")
		check(t, rg.SubgraphFilter{Year: Int(2012)}, false, ids("a", "b", "c", "d", "e", "m", "r", "z"), "ab", "bc", "cd", "de", "mb", "rc")
	})
	t.Run("depth 0 returns the roots and the relations among them", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("c")}, false, ids("c"))
		check(t, rg.SubgraphFilter{Roots: ids("c", "b")}, false, ids("b", "c"), "bc")
	})
	t.Run("depth 1 adds the neighbours either way", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("c"), Depth: 1}, false, ids("b", "c", "d", "r"), "bc", "cd", "rc")
	})
	t.Run("depth 2", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("c"), Depth: 2}, false, ids("a", "b", "c", "d", "e", "m", "r"), "ab", "bc", "cd", "de", "mb", "rc")
	})
	t.Run("depth 3", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("a"), Depth: 3}, false, ids("a", "b", "c", "d", "m", "r"), "ab", "bc", "cd", "mb", "rc")
	})
	t.Run("neighbourhood follows only the allowed relations", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("c"), Depth: 2, Relations: []rg.RelKind{rg.RelPartnerOf}}, false, ids("a", "b", "c", "d", "e"), "ab", "bc", "cd", "de")
	})
	t.Run("neighbourhood passes only through the allowed kinds", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("a"), Depth: 3, Kinds: partners}, false, ids("a", "b", "c", "d"), "ab", "bc", "cd")
	})
	t.Run("neighbourhood follows only the relations holding in the year", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("c"), Depth: 1, Year: Int(2013)}, false, ids("b", "c", "d"), "bc", "cd")
	})
	t.Run("roots are kept whatever their kind", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("m"), Depth: 1, Kinds: partners}, false, ids("b", "m"), "mb")
	})
	t.Run("duplicate roots count once", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("d", "d", "e"), Depth: 0}, false, ids("d", "e"), "de")
	})
	t.Run("MaxNodes cuts to the first nodes by id and sets Truncated", func(t *testing.T) {
		check(t, rg.SubgraphFilter{MaxNodes: 3}, true, ids("a", "b", "c"), "ab", "bc")
	})
	t.Run("MaxNodes keeps the nodes nearest the roots and sets Truncated", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("c"), Depth: 2, MaxNodes: 4}, true, ids("b", "c", "d", "r"), "bc", "cd", "rc")
	})
	t.Run("exactly MaxNodes nodes is not truncated", func(t *testing.T) {
		check(t, rg.SubgraphFilter{Roots: ids("c"), Depth: 1, MaxNodes: 4}, false, ids("b", "c", "d", "r"), "bc", "cd", "rc")
	})
	t.Run("a missing root is NOT_FOUND", func(t *testing.T) {
		_, err := s.Subgraph(bg, rg.SubgraphFilter{Roots: ids("a", "nope"), Depth: 1})
		WantCode(t, err, rg.ENOTFOUND)
	})
	t.Run("depth 4 is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.Subgraph(bg, rg.SubgraphFilter{Roots: ids("a"), Depth: rg.MaxDepth + 1})
		WantCode(t, err, rg.EBADINPUT)
		_, err = s.Subgraph(bg, rg.SubgraphFilter{Roots: ids("a"), Depth: -1})
		WantCode(t, err, rg.EBADINPUT)
	})
}

// testSubgraphCut (a store of its own: on Neo4j, opening one empties the
// database) compares every neighbourhood cut by MaxNodes with the
// same walk uncut, cut by hand: the nodes by distance from the roots, then
// by id, the first MaxNodes, the relations among them, Truncated when
// nodes were left out. The graph has two hubs (so that a level holds many
// more nodes than are kept) and relations that hold only in some years.
func testSubgraphCut(t *testing.T, open Opener) {
	var g Graph
	id := func(i int) string { return fmt.Sprintf("p%02d", i) }
	const n = 48
	for i := range n {
		g.Nodes = append(g.Nodes, Partner(id(i)))
	}
	r := rand.New(rand.NewPCG(14, 14))
	pairs := map[[2]int]bool{}
	relate := func(a, b int) {
		if a == b || pairs[[2]int{a, b}] || pairs[[2]int{b, a}] {
			return
		}
		pairs[[2]int{a, b}] = true
		eid := fmt.Sprintf("e-%s-%s", id(a), id(b))
		if r.IntN(4) == 0 {
			g.Edges = append(g.Edges, EY(eid, rg.RelPartnerOf, id(a), id(b), Int(2010+r.IntN(3)), Int(2012+r.IntN(3))))
			return
		}
		g.Edges = append(g.Edges, PartnerOf(eid, id(a), id(b)))
	}
	for _, hub := range []int{0, 1} {
		for range 30 {
			relate(hub, 2+r.IntN(n-2))
		}
	}
	for range 50 {
		relate(2+r.IntN(n-2), 2+r.IntN(n-2))
	}
	s := openWith(t, open, g)
	for _, roots := range [][]string{{id(0)}, {id(5)}, {id(7), id(30)}, {id(47)}} {
		for depth := 1; depth <= 3; depth++ {
			for _, year := range []*int{nil, Int(2011)} {
				whole, err := s.Subgraph(bg, rg.SubgraphFilter{Roots: roots, Depth: depth, Year: year})
				if err != nil {
					t.Fatal(err)
				}
				// Distances from the roots over the walk's own relations.
				dist := map[string]int{}
				level := roots
				for _, root := range roots {
					dist[root] = 0
				}
				for d := 1; len(level) > 0; d++ {
					var next []string
					for _, e := range whole.Edges {
						for _, at := range level {
							for _, other := range []string{e.To, e.From} {
								if (e.From == at || e.To == at) && other != at {
									if _, ok := dist[other]; !ok {
										dist[other] = d
										next = append(next, other)
									}
								}
							}
						}
					}
					level = next
				}
				order := NodeIDs(whole.Nodes)
				slices.SortFunc(order, func(a, b string) int { return cmp.Or(cmp.Compare(dist[a], dist[b]), cmp.Compare(a, b)) })
				for _, maxNodes := range []int{1, 2, 5, 9, 17, 40} {
					f := rg.SubgraphFilter{Roots: roots, Depth: depth, Year: year, MaxNodes: maxNodes}
					cut, err := s.Subgraph(bg, f)
					if err != nil {
						t.Fatal(err)
					}
					keep := order[:min(maxNodes, len(order))]
					kept := map[string]bool{}
					for _, k := range keep {
						kept[k] = true
					}
					var edges []string
					for _, e := range whole.Edges {
						if kept[e.From] && kept[e.To] {
							edges = append(edges, e.ID)
						}
					}
					if !slices.Equal(NodeIDs(cut.Nodes), sorted(keep)) || !slices.Equal(EdgeIDs(cut.Edges), sorted(edges)) || cut.Truncated != (len(order) > maxNodes) {
						t.Fatalf("Subgraph(%+v):\n got nodes %v relations %v truncated %v\nwant nodes %v relations %v truncated %v",
							f, NodeIDs(cut.Nodes), EdgeIDs(cut.Edges), cut.Truncated, sorted(keep), sorted(edges), len(order) > maxNodes)
					}
				}
			}
		}
	}
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// pathGraph holds several components with known shortest paths.
func pathGraph() Graph {
	g := Graph{}
	for _, id := range []string{
		"l1", "l2", "l3", "l4", // a line, relations in mixed directions
		"s", "x", "y", "t", "u", "v", // a diamond s-x-t, s-y-t and a longer s-u-v-t
		"p", "q", "r", // parallel relations between p and q
		"iso",                  // alone
		"k1", "ka", "kb", "k2", // k1-ka-kb-k2 partners, and k1-kmid-k2 through a municipality
		"y1", "y2", "y3", // y1-y2 in 2010..2012, y1-y3-y2 always
		"g0", "g1a", "g1b", "g1c", "g2a", "g2b", "g3", // 3x2 shortest paths g0 to g3
	} {
		g.Nodes = append(g.Nodes, Partner(id))
	}
	g.Nodes = append(g.Nodes, N("kmid", rg.KindMunicipality, "Kmid"))
	g.Edges = []*rg.Edge{
		PartnerOf("l12", "l1", "l2"), PartnerOf("l23", "l3", "l2"), PartnerOf("l34", "l3", "l4"),
		PartnerOf("sx", "s", "x"), PartnerOf("sy", "s", "y"), PartnerOf("tx", "t", "x"), PartnerOf("yt", "y", "t"),
		PartnerOf("su", "s", "u"), PartnerOf("uv", "u", "v"), PartnerOf("vt", "v", "t"),
		PartnerOf("pq1", "p", "q"), E("pq2", rg.RelParticipatesIn, "q", "p"), PartnerOf("qr", "q", "r"),
		PartnerOf("k1a", "k1", "ka"), PartnerOf("kab", "ka", "kb"), PartnerOf("kb2", "kb", "k2"),
		E("km1", rg.RelMemberOf, "kmid", "k1"), E("km2", rg.RelMemberOf, "kmid", "k2"),
		EY("y12", rg.RelPartnerOf, "y1", "y2", Int(2010), Int(2012)), PartnerOf("y13", "y1", "y3"), PartnerOf("y32", "y3", "y2"),
	}
	for _, a := range []string{"g1a", "g1b", "g1c"} {
		g.Edges = append(g.Edges, PartnerOf("e-g0-"+a, "g0", a))
		for _, b := range []string{"g2a", "g2b"} {
			g.Edges = append(g.Edges, PartnerOf("e-"+a+"-"+b, a, b))
		}
	}
	g.Edges = append(g.Edges, PartnerOf("e-g2a-g3", "g2a", "g3"), PartnerOf("e-g3-g2b", "g3", "g2b"))
	return g
}

func testShortestPaths(t *testing.T, open Opener) {
	g := pathGraph()
	s := openWith(t, open, g)
	paths := func(t *testing.T, from, to string, o rg.PathOptions) []rg.Path {
		t.Helper()
		ps, err := s.ShortestPaths(bg, from, to, o)
		if err != nil {
			t.Fatalf("ShortestPaths(%s, %s, %+v): %v", from, to, o, err)
		}
		for _, p := range ps {
			if len(p.Nodes) != len(p.Edges)+1 || p.Nodes[0].ID != from || p.Nodes[len(p.Nodes)-1].ID != to {
				t.Fatalf("malformed path %s", PathIDs(p))
			}
			for i, e := range p.Edges {
				a, b := p.Nodes[i].ID, p.Nodes[i+1].ID
				if !(e.From == a && e.To == b || e.From == b && e.To == a) {
					t.Fatalf("path %s: relation %s does not join %s and %s", PathIDs(p), e.ID, a, b)
				}
			}
		}
		return ps
	}
	check := func(t *testing.T, from, to string, o rg.PathOptions, want ...string) {
		t.Helper()
		WantIDs(t, "paths", PathsIDs(paths(t, from, to, o)), want)
	}
	none := rg.PathOptions{}

	t.Run("a line is one path whatever the directions", func(t *testing.T) {
		check(t, "l1", "l4", none, "l1 -l12- l2 -l23- l3 -l34- l4")
		check(t, "l4", "l1", none, "l4 -l34- l3 -l23- l2 -l12- l1")
	})
	t.Run("a diamond has two shortest paths in id order", func(t *testing.T) {
		check(t, "s", "t", none, "s -sx- x -tx- t", "s -sy- y -yt- t")
	})
	t.Run("parallel relations are separate paths in relation id order", func(t *testing.T) {
		check(t, "p", "r", none, "p -pq1- q -qr- r", "p -pq2- q -qr- r")
	})
	t.Run("many shortest paths come in order of their node ids", func(t *testing.T) {
		check(t, "g0", "g3", none,
			"g0 -e-g0-g1a- g1a -e-g1a-g2a- g2a -e-g2a-g3- g3",
			"g0 -e-g0-g1a- g1a -e-g1a-g2b- g2b -e-g3-g2b- g3",
			"g0 -e-g0-g1b- g1b -e-g1b-g2a- g2a -e-g2a-g3- g3",
			"g0 -e-g0-g1b- g1b -e-g1b-g2b- g2b -e-g3-g2b- g3",
			"g0 -e-g0-g1c- g1c -e-g1c-g2a- g2a -e-g2a-g3- g3",
			"g0 -e-g0-g1c- g1c -e-g1c-g2b- g2b -e-g3-g2b- g3")
	})
	t.Run("First limits the count to the first paths", func(t *testing.T) {
		check(t, "s", "t", rg.PathOptions{First: 1}, "s -sx- x -tx- t")
		check(t, "g0", "g3", rg.PathOptions{First: 3},
			"g0 -e-g0-g1a- g1a -e-g1a-g2a- g2a -e-g2a-g3- g3",
			"g0 -e-g0-g1a- g1a -e-g1a-g2b- g2b -e-g3-g2b- g3",
			"g0 -e-g0-g1b- g1b -e-g1b-g2a- g2a -e-g2a-g3- g3")
	})
	t.Run("the order is the same every time", func(t *testing.T) {
		first := PathsIDs(paths(t, "g0", "g3", none))
		for range 5 {
			WantIDs(t, "paths again", PathsIDs(paths(t, "g0", "g3", none)), first)
		}
	})
	t.Run("disconnected nodes have no path", func(t *testing.T) {
		if ps := paths(t, "l1", "iso", none); len(ps) != 0 {
			t.Fatalf("got %q, want none", PathsIDs(ps))
		}
	})
	t.Run("maxHops too small gives no path", func(t *testing.T) {
		if ps := paths(t, "l1", "l4", rg.PathOptions{MaxHops: 2}); len(ps) != 0 {
			t.Fatalf("got %q, want none", PathsIDs(ps))
		}
		check(t, "l1", "l4", rg.PathOptions{MaxHops: 3}, "l1 -l12- l2 -l23- l3 -l34- l4")
	})
	t.Run("relations restrict the path", func(t *testing.T) {
		check(t, "k1", "k2", none, "k1 -km1- kmid -km2- k2")
		check(t, "k1", "k2", rg.PathOptions{Relations: []rg.RelKind{rg.RelPartnerOf}}, "k1 -k1a- ka -kab- kb -kb2- k2")
		check(t, "p", "r", rg.PathOptions{Relations: []rg.RelKind{rg.RelPartnerOf}}, "p -pq1- q -qr- r")
	})
	t.Run("kinds restrict the nodes passed through, not the ends", func(t *testing.T) {
		check(t, "k1", "k2", rg.PathOptions{Kinds: []rg.Kind{rg.KindPartner}}, "k1 -k1a- ka -kab- kb -kb2- k2")
		check(t, "kmid", "ka", rg.PathOptions{Kinds: []rg.Kind{rg.KindPartner}}, "kmid -km1- k1 -k1a- ka")
		check(t, "kmid", "k1", rg.PathOptions{Kinds: []rg.Kind{rg.KindRegion}}, "kmid -km1- k1")
		if ps := paths(t, "kmid", "ka", rg.PathOptions{Kinds: []rg.Kind{rg.KindRegion}}); len(ps) != 0 {
			t.Fatalf("got %q, want none", PathsIDs(ps))
		}
	})
	t.Run("year restricts the relations", func(t *testing.T) {
		check(t, "y1", "y2", none, "y1 -y12- y2")
		check(t, "y1", "y2", rg.PathOptions{Year: Int(2011)}, "y1 -y12- y2")
		check(t, "y1", "y2", rg.PathOptions{Year: Int(2013)}, "y1 -y13- y3 -y32- y2")
	})
	t.Run("a node to itself is the node alone", func(t *testing.T) {
		ps := paths(t, "s", "s", none)
		if len(ps) != 1 || len(ps[0].Nodes) != 1 || len(ps[0].Edges) != 0 {
			t.Fatalf("got %q, want one path of s alone", PathsIDs(ps))
		}
	})
	t.Run("paths carry the whole nodes and relations", func(t *testing.T) {
		ps := paths(t, "y1", "y2", none)
		want := map[string]*rg.Edge{}
		for _, e := range g.Edges {
			want[e.ID] = e
		}
		if len(ps) != 1 || !SameNode(ps[0].Nodes[0], Partner("y1")) || !SameEdge(ps[0].Edges[0], want["y12"]) {
			t.Fatalf("path %q does not carry the stored values", PathsIDs(ps))
		}
	})
	t.Run("a missing endpoint is NOT_FOUND", func(t *testing.T) {
		_, err := s.ShortestPaths(bg, "nope", "l1", none)
		WantCode(t, err, rg.ENOTFOUND)
		_, err = s.ShortestPaths(bg, "l1", "nope", none)
		WantCode(t, err, rg.ENOTFOUND)
	})
	t.Run("maxHops above MaxHops is BAD_USER_INPUT", func(t *testing.T) {
		_, err := s.ShortestPaths(bg, "l1", "l4", rg.PathOptions{MaxHops: rg.MaxHops + 1})
		WantCode(t, err, rg.EBADINPUT)
	})
}
