package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph/community"

	rg "github.com/regiongraph/regiongraph"
)

// Resolution bounds for Communities.
const (
	DefaultResolution = 1.0
	MinResolution     = 0.01
	MaxResolution     = 10.0
	// Seed seeds Louvain's random source, so that communities are the same
	// on every run.
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

// Partition is the actor graph divided into communities.
type Partition struct {
	Resolution float64
	// Modularity is Q of the partition at Resolution (gonum's community.Q).
	Modularity float64
	// Communities, ordered by size descending, then label id. Every actor
	// is in exactly one; an actor without links is a community of its own.
	Communities []Community
}

// Communities divides the actor graph into communities with gonum's
// Louvain (community.Modularize) at the given resolution (γ; higher gives
// more, smaller communities), seeded with Seed.
func Communities(ctx context.Context, ag *ActorGraph, resolution float64) (*Partition, error) {
	if resolution < MinResolution || resolution > MaxResolution {
		return nil, rg.FieldErrorf("resolution", "%g is outside %g..%g", resolution, MinResolution, MaxResolution)
	}
	g := ag.g
	defer g.watch(ctx)()
	pr, err := pageRanks(ctx, g)
	if err != nil {
		return nil, err
	}
	p := &Partition{Resolution: resolution}
	if len(ag.Actors) == 0 {
		return p, nil
	}
	var groups [][]int
	if len(ag.Links) == 0 {
		for i := range ag.Actors {
			groups = append(groups, []int{i})
		}
	} else {
		reduced := community.Modularize(g, resolution, rand.NewPCG(Seed, Seed))
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("communities: %w", err)
		}
		comms := reduced.Communities()
		p.Modularity = round(community.Q(g, comms, resolution))
		for _, c := range comms {
			ids := make([]int, len(c))
			for k, n := range c {
				ids[k] = int(n.ID())
			}
			groups = append(groups, ids)
		}
	}
	for _, grp := range groups {
		slices.SortFunc(grp, func(x, y int) int {
			return cmp.Or(-cmp.Compare(pr[x], pr[y]), strings.Compare(ag.Actors[x].ID, ag.Actors[y].ID))
		})
		c := Community{Label: ag.Actors[grp[0]]}
		in := map[int]bool{}
		for _, v := range grp {
			c.Members = append(c.Members, ag.Actors[v])
			in[v] = true
		}
		for _, v := range grp {
			for k, u := range g.adj[v] {
				if int(u.ID()) > v && in[int(u.ID())] {
					c.InternalWeight += g.w[v][k]
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
