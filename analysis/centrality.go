package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/traverse"

	rg "github.com/regiongraph/regiongraph"
)

// Metric is a centrality measure.
type Metric string

const (
	Degree      Metric = "DEGREE"
	Betweenness Metric = "BETWEENNESS"
	Closeness   Metric = "CLOSENESS"
	PageRank    Metric = "PAGERANK"
)

// Metrics lists every metric in a fixed order.
var Metrics = []Metric{Degree, Betweenness, Closeness, PageRank}

// Valid reports whether m is a known metric.
func (m Metric) Valid() bool { return slices.Contains(Metrics, m) }

// PageRank parameters.
const (
	Damping = 0.85
	// PageRankTol is the convergence tolerance handed to gonum. gonum
	// starts the power iteration from a random vector, so two runs differ
	// by about this much; scores are rounded to PageRankDigits decimals,
	// five orders of magnitude coarser, so that they are the same on every
	// run.
	PageRankTol    = 1e-13
	PageRankDigits = 8
	scoreDigits    = 1e9 // other scores are rounded to 9 decimals so that ties are exact
	sourceChecks   = 64  // sources between context checks
)

// Score is one actor's centrality in the actor graph.
type Score struct {
	Node *rg.Node
	// Degree is the number of actors linked to this one; WeightedDegree the
	// sum of the links' weights.
	Degree         int
	WeightedDegree float64
	// Betweenness is Σ_{s<t} σ_st(v)/σ_st over unordered pairs of other
	// actors (hop distances), so the centre of a star with n nodes has
	// (n-1)(n-2)/2. BetweennessNorm divides by (n-1)(n-2)/2 (0 when n < 3).
	Betweenness     float64
	BetweennessNorm float64
	// Closeness is harmonic closeness, (1/(n-1)) Σ_{u≠v} 1/d(u,v) with
	// 1/∞ = 0, so that it is defined on disconnected graphs: 1 for a node
	// linked to every other, 0 for an isolated one.
	Closeness float64
	// PageRank is gonum's edge-weighted PageRank (damping 0.85) over the
	// links in both directions, rounded to PageRankDigits decimals; the
	// scores sum to 1 (within the rounding).
	PageRank float64
}

// MaxPathWork bounds betweenness and closeness, which walk the whole
// graph once per actor: PathWork must not exceed it. At about 75 ns a step
// (gonum's map-based Brandes on one core of the reference machine) the
// limit is some 15 s unloaded; 100 joined copies of the bundled dataset
// (4 900 actors, 7 100 links) take 9.4e7 steps.
const MaxPathWork = 2e8

// PathWork is n·(n+2m) for the actor graph's n actors and m links: the
// steps of one breadth-first walk from every actor.
func PathWork(ag *ActorGraph) int64 {
	n := int64(len(ag.Actors))
	return n * (n + 2*int64(len(ag.Links)))
}

// Value returns the score's value for m.
func (s *Score) Value(m Metric) float64 {
	switch m {
	case Degree:
		return float64(s.Degree)
	case Betweenness:
		return s.Betweenness
	case Closeness:
		return s.Closeness
	case PageRank:
		return s.PageRank
	}
	return 0
}

// Centrality returns every actor's score, ordered by id. Only the metrics
// given are computed (degree always is); none means all. It checks ctx
// between sources and stops gonum's loops when ctx is done.
func Centrality(ctx context.Context, ag *ActorGraph, metrics ...Metric) ([]Score, error) {
	g := ag.g
	defer g.watch(ctx)()
	want := func(m Metric) bool { return len(metrics) == 0 || slices.Contains(metrics, m) }
	n := len(ag.Actors)
	out := make([]Score, n)
	for i, a := range ag.Actors {
		out[i].Node = a
		out[i].Degree = len(g.adj[i])
		for _, w := range g.w[i] {
			out[i].WeightedDegree += w
		}
	}
	if n == 0 {
		return out, nil
	}
	if want(Betweenness) || want(Closeness) {
		if work := PathWork(ag); work > MaxPathWork {
			return nil, rg.Errorf(rg.EBADINPUT, "betweenness and closeness walk the actor graph once per actor: %d actors × (%d actors + 2×%d links) = %.2g steps, more than the limit of %.0g (MaxPathWork); order by DEGREE or PAGERANK and do not select betweenness or closeness, or ask for a year",
				n, n, len(ag.Links), float64(work), float64(MaxPathWork))
		}
	}
	// Betweenness (gonum, one goroutine) and closeness (here) each walk
	// the graph once per source; they run side by side.
	var bc map[int64]float64
	done := make(chan struct{})
	go func() {
		defer close(done)
		if want(Betweenness) {
			bc = network.Betweenness(newWalker(g))
		}
	}()
	var closeErr error
	if want(Closeness) && n > 1 {
		closeErr = harmonic(ctx, g, out)
	}
	<-done
	if closeErr != nil {
		return nil, closeErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("betweenness: %w", err)
	}
	// gonum's Brandes counts each unordered pair twice on an undirected
	// graph (once from each end); halve it.
	pairs := float64(n-1) * float64(n-2) / 2
	for id, b := range bc {
		out[id].Betweenness = round(b / 2)
		if pairs > 0 {
			out[id].BetweennessNorm = round(b / 2 / pairs)
		}
	}
	if want(PageRank) {
		pr, err := pageRanks(ctx, g)
		if err != nil {
			return nil, err
		}
		for i, p := range pr {
			out[i].PageRank = p
		}
	}
	return out, nil
}

// harmonic sets the harmonic closeness of every node, from one gonum
// breadth-first walk per source.
func harmonic(ctx context.Context, g *ugraph, out []Score) error {
	n := len(g.nodes)
	var bf traverse.BreadthFirst
	w := newWalker(g)
	for i := range n {
		if i%sourceChecks == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("closeness: %w", err)
			}
		}
		var sum float64
		bf.Reset()
		bf.Walk(w, g.nodes[i], func(_ graph.Node, d int) bool {
			if d > 0 {
				sum += 1 / float64(d)
			}
			return false
		})
		out[i].Closeness = round(sum / float64(n-1))
	}
	return nil
}

// pageRanks returns gonum's edge-weighted PageRank of every node, by node.
func pageRanks(ctx context.Context, g *ugraph) ([]float64, error) {
	out := make([]float64, len(g.nodes))
	if len(out) == 0 {
		return out, nil
	}
	pr := network.PageRankSparse(directed{g}, Damping, PageRankTol)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pagerank: %w", err)
	}
	scale := math.Pow10(PageRankDigits)
	for id, p := range pr {
		out[id] = math.Round(p*scale) / scale
	}
	return out, nil
}

// SortScores orders scores by m (descending when desc), then by id.
func SortScores(scores []Score, m Metric, desc bool) {
	slices.SortStableFunc(scores, func(a, b Score) int {
		c := cmp.Compare(a.Value(m), b.Value(m))
		if desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.Node.ID, b.Node.ID))
	})
}

// round rounds to 9 decimals, so that scores that are equal in exact
// arithmetic compare equal whatever order gonum summed them in.
func round(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	return math.Round(x*scoreDigits) / scoreDigits
}
