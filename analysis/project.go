package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// ContextRelations tie an actor to an initiative it shares with others:
// actors related to the same initiative by one of these are linked in the
// actor graph.
var ContextRelations = []rg.RelKind{rg.RelCoordinates, rg.RelFunds, rg.RelParticipatesIn, rg.RelFacilitates}

// DirectRelations link two actors directly when they join two actors.
var DirectRelations = []rg.RelKind{
	rg.RelMemberOf, rg.RelParticipatesIn, rg.RelPartnerOf, rg.RelRepresentedIn,
	rg.RelFacilitates, rg.RelAdministers, rg.RelCoordinates, rg.RelFunds,
}

// ProjectionRelations are the relation kinds the projection reads: the
// union of ContextRelations and DirectRelations.
var ProjectionRelations = func() []rg.RelKind {
	out := slices.Clone(DirectRelations)
	for _, k := range ContextRelations {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}()

// ProjectionKinds are the node kinds the projection reads: the actors and
// the initiatives that join them.
var ProjectionKinds = append(slices.Clone(rg.ActorKinds), rg.KindInitiative)

// Limits on whole-graph analysis. A graph beyond them is refused with a
// BAD_USER_INPUT error that names the limit, rather than left to run past
// the server's timeout.
const (
	// MaxActors bounds the actors one whole-graph computation analyses.
	MaxActors = 20000
	// MaxNodes bounds the nodes (actors and initiatives) read for one.
	MaxNodes = 100000
	// MaxPairs bounds the actor pairs the projection considers (an
	// initiative with k actors contributes k(k-1)/2).
	MaxPairs = 5_000_000
)

// Link is one link of the actor graph between actors A < B (by id).
type Link struct {
	A, B string
	// Weight is the tie strength: the number of shared initiatives plus the
	// number of direct relations between A and B.
	Weight float64
	// Initiatives are the shared initiatives, by id.
	Initiatives []string
	// Relations are the direct relations, by id.
	Relations []string
}

// ActorGraph is the actor graph: every actor of the subgraph, linked when
// they share an initiative or are directly related (see the package
// documentation). Actors and Links are ordered by id.
type ActorGraph struct {
	Year   *int
	Actors []*rg.Node
	Links  []Link

	index map[string]int      // actor id -> position in Actors and node id in g
	nodes map[string]*rg.Node // every node of the subgraph
	edges []*rg.Edge          // the subgraph's relations that hold in Year
	g     *ugraph
}

// Project builds the actor graph of sg as of year (nil: every relation
// counts). Relations that do not hold in year are ignored, so sg may hold
// more than that year's relations.
func Project(ctx context.Context, sg *rg.Subgraph, year *int) (*ActorGraph, error) {
	if sg == nil {
		sg = &rg.Subgraph{}
	}
	ag := &ActorGraph{Year: year, index: map[string]int{}, nodes: make(map[string]*rg.Node, len(sg.Nodes))}
	for _, n := range sg.Nodes {
		ag.nodes[n.ID] = n
		if n.Kind.IsActor() {
			ag.Actors = append(ag.Actors, n)
		}
	}
	if len(ag.Actors) > MaxActors {
		return nil, rg.Errorf(rg.EBADINPUT, "the actor graph has %d actors; whole-graph analysis is limited to %d actors (MaxActors)", len(ag.Actors), MaxActors)
	}
	slices.SortFunc(ag.Actors, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
	for i, a := range ag.Actors {
		ag.index[a.ID] = i
	}

	type pair struct{ a, b int }
	links := map[pair]*Link{}
	link := func(u, v int) *Link {
		if u > v {
			u, v = v, u
		}
		l := links[pair{u, v}]
		if l == nil {
			l = &Link{A: ag.Actors[u].ID, B: ag.Actors[v].ID}
			links[pair{u, v}] = l
		}
		return l
	}
	shared := map[string][]int{} // initiative -> actors tied to it
	for i, e := range sg.Edges {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("project the actor graph: %w", err)
			}
		}
		if !e.HoldsInYear(year) {
			continue
		}
		ag.edges = append(ag.edges, e)
		from, to := ag.nodes[e.From], ag.nodes[e.To]
		if from == nil || to == nil || e.From == e.To {
			continue
		}
		fi, fa := ag.index[e.From]
		ti, ta := ag.index[e.To]
		switch {
		case fa && ta && slices.Contains(DirectRelations, e.Kind):
			l := link(fi, ti)
			l.Relations = append(l.Relations, e.ID)
		case fa && to.Kind == rg.KindInitiative && slices.Contains(ContextRelations, e.Kind):
			shared[e.To] = append(shared[e.To], fi)
		}
	}
	inits := make([]string, 0, len(shared))
	for id := range shared {
		inits = append(inits, id)
	}
	slices.Sort(inits)
	budget := MaxPairs
	for _, id := range inits {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("project the actor graph: %w", err)
		}
		as := shared[id]
		slices.Sort(as)
		as = slices.Compact(as)
		if budget -= len(as) * (len(as) - 1) / 2; budget < 0 {
			return nil, rg.Errorf(rg.EBADINPUT, "the actor graph would join more than %d pairs of actors through shared initiatives (MaxPairs)", MaxPairs)
		}
		for x := range as {
			for y := x + 1; y < len(as); y++ {
				l := link(as[x], as[y])
				l.Initiatives = append(l.Initiatives, id)
			}
		}
	}
	ag.Links = make([]Link, 0, len(links))
	for _, l := range links {
		slices.Sort(l.Relations)
		l.Weight = float64(len(l.Initiatives) + len(l.Relations))
		ag.Links = append(ag.Links, *l)
	}
	slices.SortFunc(ag.Links, func(a, b Link) int {
		return cmp.Or(strings.Compare(a.A, b.A), strings.Compare(a.B, b.B))
	})
	ag.g = newUgraph(len(ag.Actors), ag.Links, ag.index)
	return ag, nil
}

// Actor returns the actor with the id, or nil when it is not in the graph.
func (ag *ActorGraph) Actor(id string) *rg.Node {
	if i, ok := ag.index[id]; ok {
		return ag.Actors[i]
	}
	return nil
}

// Node returns any node of the subgraph the actor graph was built from.
func (ag *ActorGraph) Node(id string) *rg.Node { return ag.nodes[id] }

// Neighbours returns the ids of the actors linked to id, ordered by id.
func (ag *ActorGraph) Neighbours(id string) []string {
	i, ok := ag.index[id]
	if !ok {
		return nil
	}
	out := make([]string, len(ag.g.adj[i]))
	for k, n := range ag.g.adj[i] {
		out[k] = ag.Actors[n.ID()].ID
	}
	return out
}

// Weight returns the weight of the link between a and b (0 when none).
func (ag *ActorGraph) Weight(a, b string) float64 {
	i, ok1 := ag.index[a]
	j, ok2 := ag.index[b]
	if !ok1 || !ok2 {
		return 0
	}
	w, _ := ag.g.weightOf(int64(i), int64(j))
	return w
}
