package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// Resolution bounds for Communities.
const (
	DefaultResolution = 1.0
	MinResolution     = 0.01
	MaxResolution     = 10.0
	// Seed seeds Louvain's random source (and the choice of pivots for
	// estimated betweenness), so that results are the same on every run.
	Seed = 5
)

// Community is one Louvain community of the actor graph.
type Community struct {
	// Label is the member with the highest PageRank (ties by id); the
	// community is known by its id.
	Label *rg.Node
	// Members, ordered by PageRank descending, then id.
	Members []*rg.Node
	// InternalWeight is the weight of the links inside the community.
	InternalWeight float64
}

// Partition is the actor graph divided into communities. It is shared by
// every caller asking for the same graph and resolution: read it, do not
// change it.
type Partition struct {
	Resolution float64
	// Modularity is Q of the partition at Resolution, as gonum's
	// community.Q defines it.
	Modularity float64
	// Communities, ordered by size descending, then label id. Every actor
	// is in exactly one; an actor without links is a community of its own.
	Communities []Community
}

// Communities divides the actor graph into communities with Louvain at the
// given resolution (γ; higher gives more, smaller communities), seeded with
// Seed. The partition is the one gonum's community.Modularize finds on the
// same graph with the same seed (louvain below follows it step for step),
// computed in time linear in the links per pass and checking ctx as it
// goes. It is kept with the graph, one per resolution.
func Communities(ctx context.Context, ag *ActorGraph, resolution float64) (*Partition, error) {
	if resolution < MinResolution || resolution > MaxResolution {
		return nil, rg.FieldErrorf("resolution", "%g is outside %g..%g", resolution, MinResolution, MaxResolution)
	}
	key := "communities:" + strconv.FormatFloat(resolution, 'g', -1, 64)
	return do(ctx, ag.memo, key, func(ctx context.Context) (*Partition, error) { return ag.communities(ctx, resolution) })
}

func (ag *ActorGraph) communities(ctx context.Context, resolution float64) (*Partition, error) {
	pr, err := ag.pageRanks(ctx)
	if err != nil {
		return nil, err
	}
	p := &Partition{Resolution: resolution}
	n := len(ag.Actors)
	if n == 0 {
		return p, nil
	}
	var groups [][]int
	if ag.g.links() == 0 {
		for i := range n {
			groups = append(groups, []int{i})
		}
	} else {
		of, err := louvain(ctx, &ag.g, resolution)
		if err != nil {
			return nil, err
		}
		k := slices.Max(of) + 1
		groups = make([][]int, k)
		for v, c := range of {
			groups[c] = append(groups[c], v)
		}
		p.Modularity = round(modularity(&ag.g, of, k, resolution))
	}
	in := make([]int32, n) // community+1 of each member, while its community is looked at
	for ci, grp := range groups {
		slices.SortFunc(grp, func(x, y int) int {
			return cmp.Or(-cmp.Compare(pr[x], pr[y]), strings.Compare(ag.Actors[x].ID, ag.Actors[y].ID))
		})
		c := Community{Label: ag.Actors[grp[0]], Members: make([]*rg.Node, len(grp))}
		for k, v := range grp {
			c.Members[k] = ag.Actors[v]
			in[v] = int32(ci + 1)
		}
		for _, v := range grp {
			nb, w := ag.g.row(v)
			for k, u := range nb {
				if int(u) > v && in[u] == int32(ci+1) {
					c.InternalWeight += w[k]
				}
			}
		}
		p.Communities = append(p.Communities, c)
	}
	slices.SortFunc(p.Communities, func(x, y Community) int {
		return cmp.Or(-cmp.Compare(len(x.Members), len(y.Members)), strings.Compare(x.Label.ID, y.Label.ID))
	})
	return p, nil
}

// modularity is Q = Σ_c [in_c/2W − γ (K_c/2W)²] for the partition of into
// k communities: in_c twice the weight inside c, K_c the weighted degrees
// in c, W the total weight (gonum's community.Q on a graph without
// self-loops).
func modularity(g *csr, of []int, k int, resolution float64) float64 {
	in := make([]float64, k)
	tot := make([]float64, k)
	var m2 float64
	for u := range g.n() {
		nb, w := g.row(u)
		for j, v := range nb {
			m2 += w[j]
			tot[of[u]] += w[j]
			if of[v] == of[u] {
				in[of[u]] += w[j]
			}
		}
	}
	var q float64
	for c := range k {
		q += in[c]/m2 - resolution*(tot[c]/m2)*(tot[c]/m2)
	}
	return q
}

// deltaQTol is gonum's tolerance for a move improving Q.
const deltaQTol = 1e-15

// louvain returns the community of every node, as gonum's
// community.Modularize (louvainUndirected, v0.17) finds it with
// rand.NewPCG(Seed, Seed): the same levels, the same random node orders,
// the same candidate communities in the same order and the same
// tie-breaking, so the same partition. Where gonum sums over a community's
// members at every step, the sums here are kept per community and updated
// as nodes move; the weights are counts, so the sums are exact integers and
// equal gonum's whatever their order.
func louvain(ctx context.Context, g0 *csr, resolution float64) ([]int, error) {
	rnd := rand.New(rand.NewPCG(Seed, Seed)).IntN
	n0 := g0.n()
	assign := make([]int32, n0) // base node -> node of the current level
	for i := range assign {
		assign[i] = int32(i)
	}
	lv := &level{g: *g0, self: make([]float64, n0)}
	steps := 0
	check := func(k int) error {
		if steps += k; steps >= checkEvery {
			steps = 0
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("communities: %w", err)
			}
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("communities: %w", err)
		}
		n := lv.g.n()
		// newUndirectedLocalMover
		kOf := make([]float64, n) // edgeWeightOf
		var m2 float64
		for u := range n {
			w := lv.self[u]
			_, ws := lv.g.row(u)
			for _, x := range ws {
				w += x
			}
			kOf[u] = w
			m2 += w
		}
		if m2 == 0 {
			break
		}
		member := make([]int32, n)
		sigmaTot := make([]float64, n)
		size := make([]int32, n)
		nodes := make([]int32, n)
		for u := range n {
			member[u], sigmaTot[u], size[u], nodes[u] = int32(u), kOf[u], 1, int32(u)
		}
		kAC := make([]float64, n)
		seen := make([]bool, n)
		var cands []int32
		changed := false
		// localMovingHeuristic
		for {
			moved := false
			for i := range nodes[:len(nodes)-1] {
				j := i + rnd(len(nodes)-i)
				nodes[i], nodes[j] = nodes[j], nodes[i]
			}
			for _, u := range nodes {
				nb, ws := lv.g.row(int(u))
				if err := check(len(nb) + 1); err != nil {
					return nil, err
				}
				src := member[u]
				cands = append(cands[:0], src)
				seen[src] = true
				for k, v := range nb {
					c := member[v]
					if !seen[c] {
						seen[c] = true
						cands = append(cands, c)
					}
					kAC[c] += ws[k]
				}
				slices.Sort(cands)
				aAA, kA := lv.self[u], kOf[u]
				var dQremove float64
				dQadd, dst := negInf, int32(-1)
				for _, c := range cands {
					if c == src {
						dQremove = (kAC[c] + aAA) - aAA - resolution*kA*(sigmaTot[c]-kA)/m2
					} else if dQ := kAC[c] - resolution*kA*sigmaTot[c]/m2; dQ > dQadd {
						dQadd, dst = dQ, c
					}
					kAC[c], seen[c] = 0, false
				}
				if 2*(dQadd-dQremove)/m2 <= deltaQTol {
					continue
				}
				member[u] = dst
				sigmaTot[src] -= kA
				sigmaTot[dst] += kA
				size[src]--
				size[dst]++
				moved, changed = true, true
			}
			if !moved {
				break
			}
		}
		if !changed {
			break
		}
		// reduceUndirected: drop the empty communities as gonum does (the
		// last one takes an empty one's place), then one node per
		// community.
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32(i)
		}
		for i := 0; i < len(ids); {
			if size[ids[i]] == 0 {
				ids[i] = ids[len(ids)-1]
				ids = ids[:len(ids)-1]
			} else {
				i++
			}
		}
		newOf := make([]int32, n) // community -> node of the next level
		for j, c := range ids {
			newOf[c] = int32(j)
		}
		for b, u := range assign {
			assign[b] = newOf[member[u]]
		}
		next, err := lv.reduce(ctx, member, newOf, len(ids))
		if err != nil {
			return nil, err
		}
		lv = next
	}
	out := make([]int, n0)
	for b, u := range assign {
		out[b] = int(u)
	}
	return out, nil
}

var negInf = func() float64 { var z float64; return -1 / z }()

// level is one level of Louvain: a graph of communities of the level below,
// with self-loops (self: twice the weight inside, plus the members' own).
type level struct {
	g    csr
	self []float64
}

// reduce returns the graph of the communities (member[u] of every node u,
// numbered newOf) as the next level.
func (lv *level) reduce(ctx context.Context, member, newOf []int32, k int) (*level, error) {
	n := lv.g.n()
	byComm := make([][]int32, k)
	for u := range n {
		c := newOf[member[u]]
		byComm[c] = append(byComm[c], int32(u))
	}
	next := &level{self: make([]float64, k)}
	acc := make([]float64, k)
	var touched []int32
	var links []upperLink
	for c, us := range byComm {
		if c%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("communities: %w", err)
			}
		}
		for _, u := range us {
			next.self[c] += lv.self[u]
			nb, ws := lv.g.row(int(u))
			for j, v := range nb {
				d := newOf[member[v]]
				if int(d) == c {
					next.self[c] += ws[j]
					continue
				}
				if int(d) > c {
					if acc[d] == 0 {
						touched = append(touched, d)
					}
					acc[d] += ws[j]
				}
			}
		}
		slices.Sort(touched)
		for _, d := range touched {
			links = append(links, upperLink{u: int32(c), v: d, w: acc[d]})
			acc[d] = 0
		}
		touched = touched[:0]
	}
	next.g = newCSR(k, links)
	return next, nil
}
