package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// Betweenness and closeness walk the actor graph breadth first from every
// actor: n walks of n + 2m steps each (n actors, m links). Where that work
// is at most MaxExactPathWork they are exact; beyond it they are estimated
// from walks from k pivots, actors drawn at random (with a fixed seed, so
// the estimate is the same on every run), as many as MaxPathWork allows
// but at least MinPivots (Brandes and Pich 2007; Eppstein and Wang 2004):
//
//	betweenness(v) ≈ n/k · ½ Σ_{s ∈ pivots} δ_s(v)
//	closeness(v)   ≈ mean over the pivots s ≠ v of 1/d(s, v)
//
// δ_s(v) being the dependency of s on v of Brandes' algorithm. Both are
// unbiased. Each pivot's term lies in a fixed range (0..n(n-2)/2 for
// betweenness, 0..1 for closeness), so by Serfling's inequality for
// sampling without replacement, and a union bound over the n actors, with
// probability at least PathConfidence every actor's estimate is within
//
//	normalized betweenness: n/(n-1) · √((1 - (k-1)/n) · ln(2n/δ) / 2k)
//	closeness:              √((1 - (k'-1)/(n-1)) · ln(2n/δ) / 2k'),  k' = k-1
//
// of its exact value (δ = 1 - PathConfidence). PathSampling states k and
// these bounds for a graph; the GraphQL answer carries them.
//
// The walks run in parallel on every core, split into pathParts fixed
// parts whose sums are added in a fixed order, so the result does not
// depend on the number of cores.
const (
	// MaxExactPathWork is the most walk steps (n·(n+2m)) computed exactly:
	// about a second on two cores of the reference machine.
	MaxExactPathWork = 4e8
	// MaxPathWork is the most walk steps of an estimate.
	MaxPathWork = 4e8
	// MinPivots is the fewest pivots an estimate walks from, whatever the
	// work.
	MinPivots = 64
	// PathConfidence is the probability with which every actor's estimate
	// is within the stated bounds.
	PathConfidence = 0.95
	pathParts      = 16
)

// PathSampling says how betweenness and closeness are computed on a graph.
type PathSampling struct {
	// Exact is set when every actor is walked from; Pivots is then the
	// number of actors.
	Exact  bool
	Pivots int
	Actors int
	// BetweennessNormError and ClosenessError bound the estimates' errors
	// (see above) with probability Confidence; 0 when exact.
	BetweennessNormError float64
	ClosenessError       float64
	Confidence           float64
}

// PathSampling returns how betweenness and closeness are computed on ag,
// from its counts alone.
func (ag *ActorGraph) PathSampling() PathSampling {
	return pathSampling(len(ag.Actors), ag.g.links())
}

// The work limits, variables so that tests can lower them.
var exactPathWork, pathWork = float64(MaxExactPathWork), float64(MaxPathWork)

func pathSampling(n, m int) PathSampling {
	steps := float64(n) + 2*float64(m)
	if float64(n)*steps <= exactPathWork || n < 3 {
		return samplingWith(n, n)
	}
	return samplingWith(n, max(int(pathWork/steps), MinPivots))
}

// samplingWith is the sampling from k of n actors (exact when k >= n).
func samplingWith(n, k int) PathSampling {
	ps := PathSampling{Exact: true, Pivots: n, Actors: n, Confidence: PathConfidence}
	if k >= n || n < 3 {
		return ps
	}
	ps.Exact, ps.Pivots = false, k
	lnTerm := math.Log(2 * float64(n) / (1 - PathConfidence))
	nf, kf := float64(n), float64(k)
	ps.BetweennessNormError = nf / (nf - 1) * math.Sqrt((1-(kf-1)/nf)*lnTerm/(2*kf))
	k1 := kf - 1
	ps.ClosenessError = math.Sqrt((1 - (k1-1)/(nf-1)) * lnTerm / (2 * k1))
	return ps
}

// pivots returns the k sources to walk from, ascending: every actor when
// exact, else k drawn at random with a fixed seed.
func (ps PathSampling) pivots() []int32 {
	if ps.Exact {
		out := make([]int32, ps.Actors)
		for i := range out {
			out[i] = int32(i)
		}
		return out
	}
	r := rand.New(rand.NewPCG(Seed, uint64(ps.Actors)))
	perm := r.Perm(ps.Actors)[:ps.Pivots]
	out := make([]int32, len(perm))
	for i, p := range perm {
		out[i] = int32(p)
	}
	slices.Sort(out)
	return out
}

type pathResult struct {
	betweenness, betweennessNorm, closeness []float64
	sampling                                PathSampling
}

// pathScores returns betweenness and closeness (kept with the graph).
func (ag *ActorGraph) pathScores(ctx context.Context) (*pathResult, error) {
	return do(ctx, ag.memo, "paths", func(ctx context.Context) (*pathResult, error) { return paths(ctx, &ag.g, ag.PathSampling()) })
}

// walker holds one goroutine's scratch space for breadth-first walks.
type walker struct {
	dist  []int32
	sigma []float64
	delta []float64
	queue []int32
	steps int
}

func newWalker(n int) *walker {
	w := &walker{dist: make([]int32, n), sigma: make([]float64, n), delta: make([]float64, n), queue: make([]int32, 0, n)}
	for i := range w.dist {
		w.dist[i] = -1
	}
	return w
}

// walk runs a breadth-first walk from s, counting shortest paths (sigma),
// leaving the reached nodes in BFS order in queue. It returns false when
// stopped.
func (w *walker) walk(g *csr, s int32, stop *stopper) bool {
	for _, v := range w.queue {
		w.dist[v], w.sigma[v], w.delta[v] = -1, 0, 0
	}
	w.queue = append(w.queue[:0], s)
	w.dist[s], w.sigma[s] = 0, 1
	for head := 0; head < len(w.queue); head++ {
		v := w.queue[head]
		dv := w.dist[v]
		nb, _ := g.row(int(v))
		for _, x := range nb {
			switch w.dist[x] {
			case -1:
				w.dist[x] = dv + 1
				w.queue = append(w.queue, x)
				w.sigma[x] += w.sigma[v]
			case dv + 1:
				w.sigma[x] += w.sigma[v]
			}
		}
		if w.steps += len(nb) + 1; w.steps >= checkEvery {
			w.steps = 0
			if stop.stopped() {
				return false
			}
		}
	}
	return true
}

// accumulate runs Brandes' dependency accumulation over the last walk from
// s: delta[v] = Σ_{w: v precedes w} σ_v/σ_w (target(w) + delta[w]), adding
// delta[v] into into[v] for every v ≠ s. target(w) is 1 for every node when
// targets is nil, else 1 for the marked targets only.
func (w *walker) accumulate(g *csr, s int32, targets []bool, into []float64, stop *stopper) bool {
	for i := len(w.queue) - 1; i >= 0; i-- {
		v := w.queue[i]
		dv := w.dist[v]
		nb, _ := g.row(int(v))
		var d float64
		for _, x := range nb {
			if w.dist[x] == dv+1 {
				t := 1.0
				if targets != nil && !targets[x] {
					t = 0
				}
				d += w.sigma[v] / w.sigma[x] * (t + w.delta[x])
			}
		}
		w.delta[v] = d
		if v != s {
			into[v] += d
		}
		if w.steps += len(nb) + 1; w.steps >= checkEvery {
			w.steps = 0
			if stop.stopped() {
				return false
			}
		}
	}
	return true
}

// forParts runs part(p, w) for p in 0..parts-1 on up to GOMAXPROCS
// goroutines, each with its own walker, and returns ctx's error if stopped.
func forParts(ctx context.Context, n, parts int, what string, part func(p int, w *walker, stop *stopper) bool) error {
	stop := watch(ctx)
	defer stop.release()
	workers := min(runtime.GOMAXPROCS(0), parts)
	next := make(chan int, parts)
	for p := range parts {
		next <- p
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWalker(n)
			for p := range next {
				if stop.stopped() || !part(p, w, stop) {
					return
				}
			}
		}()
	}
	wg.Wait()
	if stop.stopped() {
		if err := stop.err(what); err != nil {
			return err
		}
		return fmt.Errorf("%s: %w", what, context.Canceled)
	}
	return nil
}

// paths computes betweenness and harmonic closeness, exactly or from
// pivots as ps says.
func paths(ctx context.Context, g *csr, ps PathSampling) (*pathResult, error) {
	n := g.n()
	res := &pathResult{betweenness: make([]float64, n), betweennessNorm: make([]float64, n), closeness: make([]float64, n), sampling: ps}
	if n == 0 {
		return res, nil
	}
	srcs := ps.pivots()
	bc := make([][]float64, pathParts)
	cl := make([][]float64, pathParts)
	err := forParts(ctx, n, pathParts, "betweenness and closeness", func(p int, w *walker, stop *stopper) bool {
		bc[p] = make([]float64, n)
		cl[p] = make([]float64, n)
		for i := p; i < len(srcs); i += pathParts {
			s := srcs[i]
			if !w.walk(g, s, stop) {
				return false
			}
			if ps.Exact {
				var sum float64
				for _, v := range w.queue[1:] {
					sum += 1 / float64(w.dist[v])
				}
				cl[p][s] = sum
			} else {
				for _, v := range w.queue[1:] {
					cl[p][v] += 1 / float64(w.dist[v])
				}
			}
			if !w.accumulate(g, s, nil, bc[p], stop) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	pairs := float64(n-1) * float64(n-2) / 2
	scale := 0.5 // each unordered pair is walked from both ends
	if !ps.Exact {
		scale = float64(n) / float64(len(srcs)) / 2
	}
	isPivot := make([]bool, n)
	for _, s := range srcs {
		isPivot[s] = true
	}
	for v := range n {
		var b, c float64
		for p := range pathParts {
			b += bc[p][v]
			c += cl[p][v]
		}
		b *= scale
		res.betweenness[v] = round(b)
		if pairs > 0 {
			res.betweennessNorm[v] = round(b / pairs)
		}
		switch {
		case n < 2:
		case ps.Exact:
			res.closeness[v] = round(c / float64(n-1))
		default:
			k := len(srcs)
			if isPivot[v] {
				k--
			}
			if k > 0 {
				res.closeness[v] = round(c / float64(k))
			}
		}
	}
	return res, nil
}
