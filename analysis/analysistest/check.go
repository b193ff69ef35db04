package analysistest

import (
	"context"
	"math"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
)

// Loader returns the part of fixture f that filter selects (as
// Store.Subgraph does).
type Loader func(t *testing.T, f Fixture, filter rg.SubgraphFilter) *rg.Subgraph

// Direct loads a whole fixture without a store, ignoring the filter: the
// analyses filter by year and kind themselves.
func Direct(_ *testing.T, f Fixture, _ rg.SubgraphFilter) *rg.Subgraph { return f.Subgraph() }

// Run checks every known answer on fixtures loaded into the stores open
// returns (one new, empty store per fixture and year) and read back with
// Store.Subgraph.
func Run(t *testing.T, open func(t *testing.T) rg.Store) {
	CheckAll(t, func(t *testing.T, f Fixture, filter rg.SubgraphFilter) *rg.Subgraph {
		t.Helper()
		s := open(t)
		ctx := context.Background()
		if _, err := s.Apply(ctx, f.Changes()); err != nil {
			t.Fatalf("load %s: %v", f.Name, err)
		}
		sg, err := s.Subgraph(ctx, filter)
		if err != nil {
			t.Fatalf("Subgraph of %s: %v", f.Name, err)
		}
		return sg
	})
}

// CheckAll checks every known answer on fixtures loaded by load.
func CheckAll(t *testing.T, load Loader) {
	t.Run("StarCentrality", func(t *testing.T) { checkStar(t, load) })
	t.Run("PathCentrality", func(t *testing.T) { checkPath(t, load) })
	t.Run("BarbellBrokers", func(t *testing.T) { checkBarbell(t, load) })
	t.Run("YearSemantics", func(t *testing.T) { checkYears(t, load) })
	t.Run("FundingSummary", func(t *testing.T) { checkFunding(t, load) })
	t.Run("FundingFlows", func(t *testing.T) { checkFlows(t, load) })
}

const tol = 1e-6

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

func project(t *testing.T, load Loader, f Fixture, year *int) *analysis.ActorGraph {
	t.Helper()
	filter := rg.SubgraphFilter{Kinds: analysis.ProjectionKinds, Relations: analysis.ProjectionRelations, Year: year}
	ag, err := analysis.Project(context.Background(), load(t, f, filter), year)
	if err != nil {
		t.Fatalf("Project(%s): %v", f.Name, err)
	}
	return ag
}

func scores(t *testing.T, ag *analysis.ActorGraph) map[string]analysis.Score {
	t.Helper()
	sc, err := analysis.Centrality(context.Background(), ag)
	if err != nil {
		t.Fatalf("Centrality: %v", err)
	}
	m := map[string]analysis.Score{}
	for _, s := range sc {
		m[s.Node.ID] = s
	}
	return m
}

// checkStar: in a star of n nodes the centre has degree n-1, betweenness
// (n-1)(n-2)/2 (normalised 1), closeness 1 and PageRank
// (1+d(n-1))/(n(1+d)); a leaf has degree 1, betweenness 0, harmonic
// closeness (1+(n-2)/2)/(n-1) and PageRank (1-C)/(n-1).
func checkStar(t *testing.T, load Loader) {
	const n = 7
	const d = analysis.Damping
	sc := scores(t, project(t, load, Star(n), intp(2011)))
	if len(sc) != n {
		t.Fatalf("star has %d actors, want %d", len(sc), n)
	}
	c := sc[StarCentre]
	wantPR := (1 + d*(n-1)) / (n * (1 + d))
	if c.Degree != n-1 || !near(c.Betweenness, (n-1)*(n-2)/2) || !near(c.BetweennessNorm, 1) || !near(c.Closeness, 1) || !near(c.PageRank, wantPR) {
		t.Errorf("centre = degree %d, betweenness %g (norm %g), closeness %g, pagerank %g; want %d, %d (1), 1, %g",
			c.Degree, c.Betweenness, c.BetweennessNorm, c.Closeness, c.PageRank, n-1, (n-1)*(n-2)/2, wantPR)
	}
	for i := 1; i < n; i++ {
		l := sc[StarLeaf(i)]
		wantC := (1 + float64(n-2)/2) / (n - 1)
		if l.Degree != 1 || l.Betweenness != 0 || !near(l.Closeness, wantC) || !near(l.PageRank, (1-wantPR)/(n-1)) {
			t.Errorf("leaf %d = degree %d, betweenness %g, closeness %g, pagerank %g; want 1, 0, %g, %g",
				i, l.Degree, l.Betweenness, l.Closeness, l.PageRank, wantC, (1-wantPR)/(n-1))
		}
	}
	// A star is one community.
	p, err := analysis.Communities(context.Background(), project(t, load, Star(n), nil), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Communities) != 1 || p.Communities[0].Label.ID != StarCentre {
		t.Errorf("star communities = %v, want one labelled %s", labels(p), StarCentre)
	}
}

// checkPath: on a path of n nodes node i has betweenness i(n-1-i),
// harmonic closeness (H(i)+H(n-1-i))/(n-1) with H the harmonic numbers,
// and PageRank equal to that of a reference power iteration; Louvain splits
// it into runs of consecutive nodes.
func checkPath(t *testing.T, load Loader) {
	const n = 8
	ag := project(t, load, Path(n), nil)
	sc := scores(t, ag)
	h := func(k int) float64 {
		var s float64
		for j := 1; j <= k; j++ {
			s += 1 / float64(j)
		}
		return s
	}
	ref := referencePageRank(ag)
	for i := range n {
		s := sc[PathNode(i)]
		wantDeg := 2
		if i == 0 || i == n-1 {
			wantDeg = 1
		}
		wantB := float64(i * (n - 1 - i))
		wantC := (h(i) + h(n-1-i)) / (n - 1)
		if s.Degree != wantDeg || !near(s.Betweenness, wantB) || !near(s.Closeness, wantC) || !near(s.PageRank, ref[PathNode(i)]) {
			t.Errorf("%s = degree %d, betweenness %g, closeness %g, pagerank %g; want %d, %g, %g, %g",
				PathNode(i), s.Degree, s.Betweenness, s.Closeness, s.PageRank, wantDeg, wantB, wantC, ref[PathNode(i)])
		}
	}
	if !near(sc[PathNode(1)].PageRank, sc[PathNode(n-2)].PageRank) || !near(sc[PathNode(0)].PageRank, sc[PathNode(n-1)].PageRank) {
		t.Errorf("path PageRank is not symmetric")
	}
	p, err := analysis.Communities(context.Background(), ag, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Communities) < 2 {
		t.Errorf("path of %d nodes is %d communities, want at least 2", n, len(p.Communities))
	}
	for _, c := range p.Communities {
		var idx []int
		for _, m := range c.Members {
			idx = append(idx, slices.Index(pathIDs(n), m.ID))
		}
		slices.Sort(idx)
		if idx[len(idx)-1]-idx[0] != len(idx)-1 {
			t.Errorf("community %s = nodes %v, not a run of consecutive nodes", c.Label.ID, idx)
		}
	}
}

func pathIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = PathNode(i)
	}
	return out
}

// checkBarbell: two cliques of k joined by one broker linked to the first
// member of each. The broker has the highest betweenness (k², every
// cross pair), the lowest constraint (0.5: two contacts that share
// nobody), effective size 2, is the top cross-group broker between the
// cliques (selected by county), and Louvain puts the cliques in different
// communities. The first member a1 of a clique has constraint
// (k-1)(1/k + (k-2)/(k(k-1)))² + 1/k² and effective size k − (k-1)(k-2)/k.
func checkBarbell(t *testing.T, load Loader) {
	const k = 4
	ctx := context.Background()
	ag := project(t, load, Barbell(k), nil)
	sc := scores(t, ag)
	if got := sc[Broker].Betweenness; !near(got, k*k) {
		t.Errorf("broker betweenness = %g, want %d", got, k*k)
	}
	if got, want := sc[CliqueA(1)].Betweenness, float64((k-1)*(k+1)); !near(got, want) {
		t.Errorf("a1 betweenness = %g, want %g", got, want)
	}
	for id, s := range sc {
		if id != Broker && s.Betweenness >= sc[Broker].Betweenness {
			t.Errorf("%s betweenness %g >= broker's %g", id, s.Betweenness, sc[Broker].Betweenness)
		}
	}
	a := analysis.Group{Kinds: []rg.Kind{rg.KindMunicipality}, County: "Telemark"}
	b := analysis.Group{Kinds: []rg.Kind{rg.KindMunicipality}, County: "buskerud"}
	ga, err := a.Resolve(ag, "between[0]")
	if err != nil {
		t.Fatal(err)
	}
	gb, err := b.Resolve(ag, "between[1]")
	if err != nil {
		t.Fatal(err)
	}
	if len(ga) != k || len(gb) != k {
		t.Fatalf("groups = %v and %v, want %d each", ga, gb, k)
	}
	rep, err := analysis.Brokers(ctx, ag, ga, gb)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pairs != k*k || rep.ConnectedPairs != k*k {
		t.Errorf("pairs = %d (%d connected), want %d", rep.Pairs, rep.ConnectedPairs, k*k)
	}
	if len(rep.Brokers) != 3 {
		t.Fatalf("brokers = %d, want 3 (broker, a1, b1)", len(rep.Brokers))
	}
	top := rep.Brokers[0]
	if top.Node.ID != Broker || !near(top.CrossBetweenness, k*k) || !near(top.Share, 1) || top.Constraint == nil || !near(*top.Constraint, 0.5) || !near(top.EffectiveSize, 2) {
		t.Errorf("top broker = %s cross %g share %g constraint %v effective size %g; want %s %d 1 0.5 2",
			top.Node.ID, top.CrossBetweenness, top.Share, deref(top.Constraint), top.EffectiveSize, Broker, k*k)
	}
	// a1 and b1 each carry the pairs not starting (ending) at themselves.
	for _, br := range rep.Brokers[1:] {
		if !near(br.CrossBetweenness, k*(k-1)) {
			t.Errorf("%s cross betweenness = %g, want %d", br.Node.ID, br.CrossBetweenness, k*(k-1))
		}
	}
	c1, es1 := ag.StructuralHoles(CliqueA(1))
	wantC := (k-1)*sq(1.0/k+float64(k-2)/float64(k*(k-1))) + 1.0/(k*k)
	wantES := float64(k) - float64((k-1)*(k-2))/k
	if c1 == nil || !near(*c1, wantC) || !near(es1, wantES) {
		t.Errorf("a1 constraint %v effective size %g, want %g and %g", deref(c1), es1, wantC, wantES)
	}
	for id := range sc {
		if c, _ := ag.StructuralHoles(id); id != Broker && c != nil && *c <= 0.5 {
			t.Errorf("%s constraint %g <= broker's 0.5", id, *c)
		}
	}
	p, err := analysis.Communities(ctx, ag, 1)
	if err != nil {
		t.Fatal(err)
	}
	comm := map[string]int{}
	for i, c := range p.Communities {
		for _, m := range c.Members {
			comm[m.ID] = i
		}
	}
	for i := 2; i <= k; i++ {
		if comm[CliqueA(i)] != comm[CliqueA(1)] || comm[CliqueB(i)] != comm[CliqueB(1)] {
			t.Errorf("a clique is split: %v", labels(p))
		}
	}
	if comm[CliqueA(1)] == comm[CliqueB(1)] {
		t.Errorf("the two cliques are one community: %v", labels(p))
	}
	if len(p.Communities) != 2 || p.Modularity <= 0 {
		t.Errorf("communities = %v (Q %g), want 2 with Q > 0", labels(p), p.Modularity)
	}
}

// checkYears: a relation holds in year Y when fromYear <= Y <= toYear, a
// missing bound being open.
func checkYears(t *testing.T, load Loader) {
	const n = 5
	for _, c := range []struct {
		year           *int
		partner, other bool // leaf1–leaf2 (from 2030), leaf1–old (until 2010)
	}{
		{intp(2011), false, false},
		{intp(2030), true, false},
		{intp(2100), true, false},
		{intp(2010), false, true},
		{intp(1900), false, true},
		{nil, true, true},
	} {
		ag := project(t, load, Years(n), c.year)
		nb := ag.Neighbours(StarLeaf(1))
		if got := slices.Contains(nb, StarLeaf(2)); got != c.partner {
			t.Errorf("year %v: leaf 1 linked to leaf 2 = %v, want %v", deref(c.year), got, c.partner)
		}
		if got := slices.Contains(nb, StarOld); got != c.other {
			t.Errorf("year %v: leaf 1 linked to star-old = %v, want %v", deref(c.year), got, c.other)
		}
		if c.year != nil && *c.year == 2011 {
			sc := scores(t, ag)
			if o := sc[StarOld]; o.Degree != 0 || o.Closeness != 0 {
				t.Errorf("2011: star-old degree %d closeness %g, want an isolated actor", o.Degree, o.Closeness)
			}
			if got := sc[StarCentre].Betweenness; !near(got, (n-1)*(n-2)/2) {
				t.Errorf("2011: centre betweenness %g, want %d", got, (n-1)*(n-2)/2)
			}
		}
	}
}

// referencePageRank is PageRank by its definition, by power iteration over
// the weighted links (dangling nodes spread evenly), independent of gonum.
func referencePageRank(ag *analysis.ActorGraph) map[string]float64 {
	n := len(ag.Actors)
	const d = analysis.Damping
	v := make([]float64, n)
	for i := range v {
		v[i] = 1 / float64(n)
	}
	for range 1000 {
		next := make([]float64, n)
		for j, a := range ag.Actors {
			nb := ag.Neighbours(a.ID)
			var sum float64
			for _, b := range nb {
				sum += ag.Weight(a.ID, b)
			}
			if sum == 0 {
				for i := range next {
					next[i] += v[j] / float64(n)
				}
				continue
			}
			for i, b := range ag.Actors {
				next[i] += (1 - d) * v[j] / float64(n)
				if w := ag.Weight(a.ID, b.ID); w > 0 {
					next[i] += d * v[j] * w / sum
				}
			}
		}
		v = next
	}
	out := map[string]float64{}
	for i, a := range ag.Actors {
		out[a.ID] = v[i]
	}
	return out
}

func labels(p *analysis.Partition) [][]string {
	var out [][]string
	for _, c := range p.Communities {
		var ids []string
		for _, m := range c.Members {
			ids = append(ids, m.ID)
		}
		out = append(out, ids)
	}
	return out
}

func sq(x float64) float64 { return x * x }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
