package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

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
	// PageRankTol is the convergence tolerance of the power iteration (the
	// Euclidean norm of one step's change, as gonum's PageRankSparse has
	// it). Scores are rounded to PageRankDigits decimals, five orders of
	// magnitude coarser.
	PageRankTol    = 1e-13
	PageRankDigits = 8
	scoreDigits    = 1e9 // other scores are rounded to 9 decimals so that ties are exact
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
	// On a graph too large for the exact computation both are estimates
	// (see PathSampling).
	Betweenness     float64
	BetweennessNorm float64
	// Closeness is harmonic closeness, (1/(n-1)) Σ_{u≠v} 1/d(u,v) with
	// 1/∞ = 0, so that it is defined on disconnected graphs: 1 for a node
	// linked to every other, 0 for an isolated one. An estimate when
	// betweenness is.
	Closeness float64
	// PageRank is the edge-weighted PageRank (damping 0.85) over the links
	// in both directions, rounded to PageRankDigits decimals; the scores
	// sum to 1 (within the rounding).
	PageRank float64
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
// given are computed (degree always is); none means all.
//
// Each metric is computed once per graph and kept with it, so concurrent
// and later calls on the same graph (LoadActorGraph shares one per store
// version and year) cost only the copy into the returned slice. The
// computations check ctx every few milliseconds and stop when every caller
// waiting for them has gone.
func Centrality(ctx context.Context, ag *ActorGraph, metrics ...Metric) ([]Score, error) {
	want := func(m Metric) bool { return len(metrics) == 0 || slices.Contains(metrics, m) }
	n := len(ag.Actors)
	out := make([]Score, n)
	for i, a := range ag.Actors {
		out[i].Node = a
		out[i].Degree = ag.g.degree(i)
		out[i].WeightedDegree = ag.wdeg[i]
	}
	if n == 0 {
		return out, nil
	}
	if want(Betweenness) || want(Closeness) {
		ps, err := ag.pathScores(ctx)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Betweenness, out[i].BetweennessNorm, out[i].Closeness = ps.betweenness[i], ps.betweennessNorm[i], ps.closeness[i]
		}
	}
	if want(PageRank) {
		pr, err := ag.pageRanks(ctx)
		if err != nil {
			return nil, err
		}
		for i, p := range pr {
			out[i].PageRank = p
		}
	}
	return out, nil
}

// pageRanks returns every actor's PageRank (kept with the graph).
func (ag *ActorGraph) pageRanks(ctx context.Context) ([]float64, error) {
	return do(ctx, ag.memo, "pagerank", func(ctx context.Context) ([]float64, error) { return pageRank(ctx, &ag.g, ag.wdeg) })
}

// pageRank is gonum's edge-weighted PageRankSparse on the links in both
// directions (the same equation, G·x = d·H·x + d·A·x + (1-d)/n·1·x with
// dangling nodes spread evenly), iterated from the uniform vector until one
// step changes the vector by less than PageRankTol (Euclidean norm), then
// rounded to PageRankDigits decimals. It checks ctx once per iteration (one
// pass over the links).
func pageRank(ctx context.Context, g *csr, wdeg []float64) ([]float64, error) {
	n := g.n()
	out := make([]float64, n)
	if n == 0 {
		return out, nil
	}
	last, v := make([]float64, n), make([]float64, n)
	for i := range v {
		v[i] = 1 / float64(n)
	}
	df := Damping / float64(n)
	dt := (1 - Damping) / float64(n)
	// share[u] is d/z_u, so that u sends share[u]·w_uv·x_u to v.
	share := make([]float64, n)
	for u := range n {
		if wdeg[u] != 0 {
			share[u] = Damping / wdeg[u]
		}
	}
	for iter := 0; ; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pagerank: %w", err)
		}
		last, v = v, last
		var dangling, all float64
		for u := range n {
			if wdeg[u] == 0 {
				dangling += df * last[u]
			}
			all += dt * last[u]
		}
		var diff float64
		for x := range n {
			nb, w := g.row(x)
			var s float64
			for k, u := range nb {
				s += w[k] * share[u] * last[u]
			}
			s += dangling + all
			v[x] = s
			d := s - last[x]
			diff += d * d
		}
		if math.Sqrt(diff) < PageRankTol || iter >= maxPageRankIterations {
			break
		}
	}
	scale := math.Pow10(PageRankDigits)
	for i, p := range v {
		out[i] = math.Round(p*scale) / scale
	}
	return out, nil
}

// maxPageRankIterations stops the power iteration where rounding errors
// keep a large graph's steps from getting below PageRankTol; damping 0.85
// shrinks the error 1e-13-fold in about 185 iterations.
const maxPageRankIterations = 1000

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
// arithmetic compare equal whatever order they were summed in.
func round(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	return math.Round(x*scoreDigits) / scoreDigits
}
