package analysis_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
	"github.com/regiongraph/regiongraph/bench/national"
)

// gonum is the cross-check of the analyses, which run on our own compressed
// graph: each test below builds gonum's simple graph from the actor graph's
// links (node i is ag.Actors[i]) and compares.

func gonumGraph(ag *analysis.ActorGraph) (*simple.WeightedUndirectedGraph, map[string]int64) {
	g := simple.NewWeightedUndirectedGraph(0, 0)
	idx := map[string]int64{}
	for i, a := range ag.Actors {
		idx[a.ID] = int64(i)
		g.AddNode(simple.Node(i))
	}
	for _, l := range ag.Links {
		g.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(idx[l.A]), T: simple.Node(idx[l.B]), W: l.Weight})
	}
	return g, idx
}

type graphCase struct {
	name string
	ag   *analysis.ActorGraph
}

// crossCheckGraphs are the bundled dataset (all years, 2011, 2014), the
// known-answer fixtures, the national graph at 1 % (all years, 2015) and
// random weighted graphs.
func crossCheckGraphs(t *testing.T) []graphCase {
	t.Helper()
	ctx := context.Background()
	var out []graphCase
	add := func(name string, sg *rg.Subgraph, year *int) {
		ag, err := analysis.Project(ctx, sg, year)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, graphCase{name, ag})
	}
	b := bundled(t).Subgraph()
	add("bundled", b, nil)
	add("bundled-2011", b, intp(2011))
	add("bundled-2014", b, intp(2014))
	add("star", analysistest.Star(7).Subgraph(), nil)
	add("path", analysistest.Path(8).Subgraph(), nil)
	add("barbell", analysistest.Barbell(4).Subgraph(), nil)
	nat := national.Generate(0.01, 1)
	nsg := &rg.Subgraph{Nodes: nat.Nodes, Edges: nat.Edges}
	add("national-1%", nsg, nil)
	add("national-1%-2015", nsg, intp(2015))
	for seed := range uint64(3) {
		add(fmt.Sprintf("random-%d", seed), randomSubgraph(300, 400, 3, seed), nil)
	}
	return out
}

// randomSubgraph is partners sharing initiatives (k actors each, at
// random) and some direct PARTNER_OF relations: an actor graph with
// weighted links.
func randomSubgraph(actors, inits, k int, seed uint64) *rg.Subgraph {
	r := rand.New(rand.NewPCG(seed, 99))
	sg := &rg.Subgraph{}
	id := func(i int) string { return fmt.Sprintf("partner-%04d", i) }
	for i := range actors {
		sg.Nodes = append(sg.Nodes, &rg.Node{ID: id(i), Kind: rg.KindPartner, Name: id(i)})
	}
	for i := range inits {
		in := fmt.Sprintf("tiltak-%04d", i)
		sg.Nodes = append(sg.Nodes, &rg.Node{ID: in, Kind: rg.KindInitiative, Name: in})
		for j := range 1 + r.IntN(k) {
			a := id(r.IntN(actors))
			sg.Edges = append(sg.Edges, &rg.Edge{ID: fmt.Sprintf("e-%d-%d", i, j), Kind: rg.RelParticipatesIn, From: a, To: in})
		}
	}
	for i := range actors / 2 {
		a, b := id(r.IntN(actors)), id(r.IntN(actors))
		if a != b {
			sg.Edges = append(sg.Edges, &rg.Edge{ID: fmt.Sprintf("p-%d", i), Kind: rg.RelPartnerOf, From: a, To: b})
		}
	}
	return sg
}

// TestCommunitiesAreGonums: Communities finds exactly the partition gonum's
// community.Modularize finds with the same seed, and states its modularity
// as gonum's community.Q.
func TestCommunitiesAreGonums(t *testing.T) {
	for _, c := range crossCheckGraphs(t) {
		if len(c.ag.Links) == 0 {
			continue
		}
		for _, res := range []float64{0.5, 1, 2} {
			g, idx := gonumGraph(c.ag)
			reduced := community.Modularize(g, res, rand.NewPCG(analysis.Seed, analysis.Seed))
			want := canonical(reduced.Communities(), func(n graph.Node) string { return c.ag.Actors[n.ID()].ID })
			p, err := analysis.Communities(context.Background(), c.ag, res)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			var comms [][]graph.Node
			for _, cm := range p.Communities {
				var ids []string
				var ns []graph.Node
				for _, m := range cm.Members {
					ids = append(ids, m.ID)
					ns = append(ns, simple.Node(idx[m.ID]))
				}
				got = append(got, ids)
				comms = append(comms, ns)
			}
			got = canonical2(got)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("%s, resolution %g: %d communities, gonum finds %d, or they differ", c.name, res, len(got), len(want))
			}
			if q := community.Q(g, comms, res); math.Abs(q-p.Modularity) > 1e-9 {
				t.Errorf("%s, resolution %g: modularity %g, gonum's Q of the partition %g", c.name, res, p.Modularity, q)
			}
		}
	}
}

func canonical(cs [][]graph.Node, id func(graph.Node) string) [][]string {
	var out [][]string
	for _, c := range cs {
		var ids []string
		for _, n := range c {
			ids = append(ids, id(n))
		}
		out = append(out, ids)
	}
	return canonical2(out)
}

// canonical2 sorts each community and the communities.
func canonical2(cs [][]string) [][]string {
	for _, c := range cs {
		slices.Sort(c)
	}
	slices.SortFunc(cs, func(a, b []string) int { return slices.Compare(a, b) })
	return cs
}

// TestCentralityIsGonums: betweenness (halved) and harmonic closeness equal
// gonum's network.Betweenness and network.Harmonic/(n-1), and PageRank
// gonum's network.PageRankSparse on the links both ways, on every
// cross-check graph.
func TestCentralityIsGonums(t *testing.T) {
	for _, c := range crossCheckGraphs(t) {
		g, idx := gonumGraph(c.ag)
		if !c.ag.PathSampling().Exact {
			t.Fatalf("%s: betweenness is estimated; the cross-check needs the exact one", c.name)
		}
		bc := network.Betweenness(g)
		h := network.Harmonic(g, path.DijkstraAllPaths(unweighted{g}))
		pr := network.PageRankSparse(directed{g}, analysis.Damping, analysis.PageRankTol)
		scores, err := analysis.Centrality(context.Background(), c.ag)
		if err != nil {
			t.Fatal(err)
		}
		n := float64(len(c.ag.Actors) - 1)
		bad := 0
		for _, s := range scores {
			i := idx[s.Node.ID]
			if d := math.Abs(s.Betweenness - bc[i]/2); d > 1e-6 {
				bad++
				t.Errorf("%s: %s betweenness %g, gonum/2 %g", c.name, s.Node.ID, s.Betweenness, bc[i]/2)
			}
			if d := math.Abs(s.Closeness - h[i]/n); d > 1e-9 {
				bad++
				t.Errorf("%s: %s closeness %g, gonum harmonic/(n-1) %g", c.name, s.Node.ID, s.Closeness, h[i]/n)
			}
			if d := math.Abs(s.PageRank - pr[i]); d > 2e-8 {
				bad++
				t.Errorf("%s: %s PageRank %g, gonum %g", c.name, s.Node.ID, s.PageRank, pr[i])
			}
			if s.Degree != g.From(i).Len() {
				bad++
				t.Errorf("%s: %s degree %d, gonum %d", c.name, s.Node.ID, s.Degree, g.From(i).Len())
			}
			if bad > 10 {
				t.FailNow()
			}
		}
	}
}

// unweighted is g with every link of length 1, for hop distances.
type unweighted struct {
	*simple.WeightedUndirectedGraph
}

func (u unweighted) Weight(x, y int64) (float64, bool) {
	if x == y {
		return 0, true
	}
	if u.HasEdgeBetween(x, y) {
		return 1, true
	}
	return 0, false
}

// directed is g with each link both ways, for PageRank.
type directed struct {
	*simple.WeightedUndirectedGraph
}

func (d directed) HasEdgeFromTo(u, v int64) bool { return d.HasEdgeBetween(u, v) }
func (d directed) To(id int64) graph.Nodes       { return d.From(id) }

// TestBrokersAreGonumDijkstras: the cross-group betweenness of Brokers
// equals the pairwise formula over gonum's shortest-path trees (σ_sv·σ_vt/σ_st
// where d(s,v)+d(v,t) = d(s,t), from path.DijkstraFrom on hop lengths), and
// Burt's constraint and effective size equal their definitions computed
// term by term; on the bundled dataset and the national graph at 1 %.
func TestBrokersAreGonumDijkstras(t *testing.T) {
	ctx := context.Background()
	for _, c := range crossCheckGraphs(t) {
		if c.name != "bundled" && c.name != "bundled-2014" && c.name != "national-1%" && c.name != "random-0" {
			continue
		}
		var a, b []string
		for i, act := range c.ag.Actors {
			switch {
			case act.Kind == rg.KindMunicipality || (c.name == "random-0" && i%7 == 0):
				a = append(a, act.ID)
			case act.Kind == rg.KindPartner && len(b) < 5:
				b = append(b, act.ID)
			}
		}
		if len(a) > 40 {
			a = a[:40]
		}
		rep, err := analysis.Brokers(ctx, c.ag, a, b)
		if err != nil {
			t.Fatal(err)
		}
		want, pairs, connected := referenceBrokers(c.ag, a, b)
		if rep.Pairs != pairs || rep.ConnectedPairs != connected {
			t.Errorf("%s: %d pairs (%d connected), reference %d (%d)", c.name, rep.Pairs, rep.ConnectedPairs, pairs, connected)
		}
		if len(rep.Brokers) != len(want) {
			t.Errorf("%s: %d brokers, reference %d", c.name, len(rep.Brokers), len(want))
		}
		for _, br := range rep.Brokers {
			if w := want[br.Node.ID]; math.Abs(br.CrossBetweenness-w) > 1e-6 {
				t.Errorf("%s: %s cross betweenness %g, reference %g", c.name, br.Node.ID, br.CrossBetweenness, w)
			}
			wc, wes := referenceHoles(c.ag, br.Node.ID)
			if (br.Constraint == nil) != (wc == nil) || (wc != nil && math.Abs(*br.Constraint-*wc) > 1e-9) || math.Abs(br.EffectiveSize-wes) > 1e-9 {
				t.Errorf("%s: %s constraint %v effective size %g, reference %v %g", c.name, br.Node.ID, orNil(br.Constraint), br.EffectiveSize, orNil(wc), wes)
			}
		}
		if len(rep.Brokers) == 0 && len(want) > 0 {
			t.Errorf("%s: no brokers", c.name)
		}
	}
}

func orNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// referenceBrokers is the pairwise cross-group betweenness over gonum's
// shortest-path trees, as Brokers computed it before it ran on its own
// graph.
func referenceBrokers(ag *analysis.ActorGraph, a, b []string) (map[string]float64, int, int) {
	g, idx := gonumGraph(ag)
	n := len(ag.Actors)
	type tree struct{ dist, sigma []float64 }
	grow := func(id string) tree {
		s := idx[id]
		sp := path.DijkstraFrom(simple.Node(s), unweighted{g})
		t := tree{dist: make([]float64, n), sigma: make([]float64, n)}
		order := make([]int, n)
		for v := range n {
			t.dist[v] = sp.WeightTo(int64(v))
			order[v] = v
		}
		slices.SortFunc(order, func(x, y int) int {
			if t.dist[x] != t.dist[y] {
				if t.dist[x] < t.dist[y] {
					return -1
				}
				return 1
			}
			return x - y
		})
		t.sigma[s] = 1
		for _, v := range order {
			if int64(v) == s || math.IsInf(t.dist[v], 1) {
				continue
			}
			nb := g.From(int64(v))
			for nb.Next() {
				u := nb.Node().ID()
				if t.dist[u]+1 == t.dist[v] {
					t.sigma[v] += t.sigma[u]
				}
			}
		}
		return t
	}
	out := map[string]float64{}
	pairs, connected := 0, 0
	for _, s := range a {
		ts := grow(s)
		for _, tt := range b {
			if s == tt {
				continue
			}
			pairs++
			tr := grow(tt)
			si, ti := idx[s], idx[tt]
			d := ts.dist[ti]
			if math.IsInf(d, 1) {
				continue
			}
			connected++
			for v := range n {
				if int64(v) == si || int64(v) == ti || ts.dist[v]+tr.dist[v] != d {
					continue
				}
				out[ag.Actors[v].ID] += ts.sigma[v] * tr.sigma[v] / ts.sigma[ti]
			}
		}
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out, pairs, connected
}

// referenceHoles is Burt's constraint and effective size of id by their
// definitions, term by term.
func referenceHoles(ag *analysis.ActorGraph, id string) (*float64, float64) {
	nb := ag.Neighbours(id)
	if len(nb) == 0 {
		return nil, 0
	}
	p := func(u, v string) float64 {
		var sum float64
		for _, x := range ag.Neighbours(u) {
			sum += ag.Weight(u, x)
		}
		return ag.Weight(u, v) / sum
	}
	maxW := func(u string) float64 {
		var m float64
		for _, x := range ag.Neighbours(u) {
			m = max(m, ag.Weight(u, x))
		}
		return m
	}
	var c, es float64
	for _, j := range nb {
		var indirect, redundancy float64
		for _, q := range nb {
			if q == j {
				continue
			}
			indirect += p(id, q) * p(q, j)
			redundancy += p(id, q) * ag.Weight(j, q) / maxW(j)
		}
		x := p(id, j) + indirect
		c += x * x
		es += 1 - redundancy
	}
	return &c, es
}
