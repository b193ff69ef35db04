package analysis

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// randomTree returns a tree on n nodes (node i > 0 hangs from a random
// earlier node) and each node's parent.
func randomTree(n int, seed uint64) (csr, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	parent := make([]int, n)
	var links []upperLink
	parent[0] = -1
	for i := 1; i < n; i++ {
		parent[i] = r.IntN(i)
		links = append(links, upperLink{u: int32(parent[i]), v: int32(i), w: 1})
	}
	slices.SortFunc(links, func(a, b upperLink) int {
		if a.u != b.u {
			return int(a.u - b.u)
		}
		return int(a.v - b.v)
	})
	return newCSR(n, links), parent
}

// randomGraph returns a graph on n nodes with about m links of weights
// 1..maxW between random pairs.
func randomGraph(n, m, maxW int, seed uint64) csr {
	r := rand.New(rand.NewPCG(seed, 2))
	seen := map[[2]int32]bool{}
	var links []upperLink
	for range m {
		u, v := int32(r.IntN(n)), int32(r.IntN(n))
		if u == v {
			continue
		}
		if u > v {
			u, v = v, u
		}
		if seen[[2]int32{u, v}] {
			continue
		}
		seen[[2]int32{u, v}] = true
		links = append(links, upperLink{u: u, v: v, w: float64(1 + r.IntN(maxW))})
	}
	slices.SortFunc(links, func(a, b upperLink) int {
		if a.u != b.u {
			return int(a.u - b.u)
		}
		return int(a.v - b.v)
	})
	return newCSR(n, links)
}

// treeBetweenness is the exact betweenness of every node of a tree: the
// pairs of nodes in different parts of the tree without it, Σ_{a<b} s_a s_b
// over the sizes of those parts.
func treeBetweenness(parent []int) []float64 {
	n := len(parent)
	size := make([]int, n)
	for i := range size {
		size[i] = 1
	}
	for i := n - 1; i > 0; i-- { // children have higher numbers than parents
		size[parent[i]] += size[i]
	}
	parts := make([][]int, n)
	for i := 1; i < n; i++ {
		parts[parent[i]] = append(parts[parent[i]], size[i])
	}
	out := make([]float64, n)
	for v := range n {
		ps := append(parts[v], n-size[v])
		var sum, sq float64
		for _, s := range ps {
			sum += float64(s)
			sq += float64(s) * float64(s)
		}
		out[v] = (sum*sum - sq) / 2
	}
	return out
}

// TestExactBetweennessOnATree: on a tree the exact mode gives the
// betweenness every node has by counting the pairs it separates.
func TestExactBetweennessOnATree(t *testing.T) {
	g, parent := randomTree(1500, 7)
	res, err := paths(context.Background(), &g, samplingWith(g.n(), g.n()))
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range treeBetweenness(parent) {
		if math.Abs(res.betweenness[v]-want) > 1e-6 {
			t.Fatalf("node %d: betweenness %g, want %g", v, res.betweenness[v], want)
		}
	}
}

// TestSampledPathsWithinStatedError: estimates from k pivots stay within
// the bounds PathSampling states, for every node, on a tree (betweenness
// known by counting) and on a random graph (against the exact mode), for
// several k.
func TestSampledPathsWithinStatedError(t *testing.T) {
	ctx := context.Background()
	tree, parent := randomTree(3000, 11)
	treeB := treeBetweenness(parent)
	rnd := randomGraph(2500, 9000, 3, 3)
	for _, c := range []struct {
		name string
		g    csr
		b    []float64 // exact betweenness, nil: from the exact mode
	}{{"tree", tree, treeB}, {"random", rnd, nil}} {
		n := c.g.n()
		exact, err := paths(ctx, &c.g, samplingWith(n, n))
		if err != nil {
			t.Fatal(err)
		}
		if c.b == nil {
			c.b = exact.betweenness
		}
		pairs := float64(n-1) * float64(n-2) / 2
		for _, k := range []int{100, 400, 1500} {
			ps := samplingWith(n, k)
			if ps.Exact || ps.Pivots != k {
				t.Fatalf("samplingWith(%d, %d) = %+v", n, k, ps)
			}
			est, err := paths(ctx, &c.g, ps)
			if err != nil {
				t.Fatal(err)
			}
			var worstB, worstC float64
			for v := range n {
				eb := math.Abs(est.betweennessNorm[v] - c.b[v]/pairs)
				ec := math.Abs(est.closeness[v] - exact.closeness[v])
				worstB, worstC = max(worstB, eb), max(worstC, ec)
				if eb > ps.BetweennessNormError {
					t.Errorf("%s, %d pivots: node %d normalized betweenness %g, exact %g: off by %g, more than the stated %g", c.name, k, v, est.betweennessNorm[v], c.b[v]/pairs, eb, ps.BetweennessNormError)
				}
				if ec > ps.ClosenessError {
					t.Errorf("%s, %d pivots: node %d closeness %g, exact %g: off by %g, more than the stated %g", c.name, k, v, est.closeness[v], exact.closeness[v], ec, ps.ClosenessError)
				}
			}
			t.Logf("%s (%d nodes), %d pivots: worst error %.4f (stated %.4f) normalized betweenness, %.4f (stated %.4f) closeness",
				c.name, n, k, worstB, ps.BetweennessNormError, worstC, ps.ClosenessError)
		}
	}
}

// TestPathSamplingFromCounts: exact up to the work limit, then as many
// pivots as the limit allows, never fewer than MinPivots; the bounds shrink
// as pivots grow.
func TestPathSamplingFromCounts(t *testing.T) {
	if ps := pathSampling(5617, 26618); !ps.Exact || ps.Pivots != 5617 {
		t.Errorf("5617 actors, 26618 links: %+v, want exact", ps)
	}
	ps := pathSampling(5617, 152641)
	steps := 5617 + 2*152641.0
	if ps.Exact || ps.Pivots != int(MaxPathWork/steps) || ps.BetweennessNormError <= 0 || ps.ClosenessError <= 0 || ps.Confidence != PathConfidence {
		t.Errorf("5617 actors, 152641 links: %+v, want %d pivots with bounds", ps, int(MaxPathWork/steps))
	}
	if ps := pathSampling(20000, 5_000_000); ps.Pivots != MinPivots {
		t.Errorf("20000 actors, 5e6 links: %d pivots, want MinPivots", ps.Pivots)
	}
	if a, b := samplingWith(5000, 500), samplingWith(5000, 2000); !(b.BetweennessNormError < a.BetweennessNormError && b.ClosenessError < a.ClosenessError) {
		t.Errorf("bounds with 2000 pivots %+v not below those with 500 %+v", b, a)
	}
}

// TestPathsDoNotDependOnCores: the sums are split into fixed parts, so one
// core and all give the same scores, exact and estimated.
func TestPathsDoNotDependOnCores(t *testing.T) {
	g := randomGraph(1200, 5000, 2, 9)
	for _, ps := range []PathSampling{samplingWith(1200, 1200), samplingWith(1200, 300)} {
		all, err := paths(context.Background(), &g, ps)
		if err != nil {
			t.Fatal(err)
		}
		prev := runtime.GOMAXPROCS(1)
		one, err := paths(context.Background(), &g, ps)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(all.betweenness, one.betweenness) || !slices.Equal(all.closeness, one.closeness) {
			t.Errorf("exact=%v: one core and %d give different scores", ps.Exact, prev)
		}
	}
}

// TestBrokersFromTheSmallerGroup: brokers between A and B equal those
// between B and A (the walks go from the smaller group), and a smaller
// group whose walks would exceed the work limit is refused from the counts
// naming MaxBrokerWork.
func TestBrokersFromTheSmallerGroup(t *testing.T) {
	ag := actorGraphOf(randomGraph(600, 2000, 2, 5))
	var a, b []string
	for i := range 40 {
		a = append(a, ag.Actors[i*7].ID)
	}
	for i := range 5 {
		b = append(b, ag.Actors[300+i*11].ID)
	}
	ab, err := Brokers(context.Background(), ag, a, b)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := Brokers(context.Background(), ag, b, a)
	if err != nil {
		t.Fatal(err)
	}
	if ab.Pairs != ba.Pairs || ab.ConnectedPairs != ba.ConnectedPairs || len(ab.Brokers) != len(ba.Brokers) {
		t.Fatalf("A–B: %d pairs, %d brokers; B–A: %d pairs, %d brokers", ab.Pairs, len(ab.Brokers), ba.Pairs, len(ba.Brokers))
	}
	for i := range ab.Brokers {
		x, y := ab.Brokers[i], ba.Brokers[i]
		if x.Node.ID != y.Node.ID || math.Abs(x.CrossBetweenness-y.CrossBetweenness) > 1e-9 {
			t.Errorf("broker %d: A–B %s %g, B–A %s %g", i, x.Node.ID, x.CrossBetweenness, y.Node.ID, y.CrossBetweenness)
		}
	}
	defer func(w float64) { brokerWork = w }(brokerWork)
	brokerWork = 4 * (600 + 2*float64(ag.g.links())) // four walks
	_, err = Brokers(context.Background(), ag, a, b)
	if rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(rg.ErrorMessage(err), "MaxBrokerWork") {
		t.Errorf("five walks over a limit of four: %v, want BAD_USER_INPUT naming MaxBrokerWork", err)
	}
	if _, err := Brokers(context.Background(), ag, a, b[:4]); err != nil {
		t.Errorf("four walks within a limit of four: %v", err)
	}
}
