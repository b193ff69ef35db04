package analysis

import (
	"context"
	"fmt"
	"math"
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
	// MaxRelations bounds the relations of a store whose whole graph is
	// analysed: checked from the store's cheap counts before anything is
	// read (regiongraph.GraphVersion).
	MaxRelations = 3_000_000
)

// Link is one link of the actor graph between actors A < B (by id).
type Link struct {
	A, B string
	// Weight is the tie strength: the number of shared initiatives plus the
	// number of direct relations between A and B.
	Weight float64
}

// ActorGraph is the actor graph as of one year: every actor of the graph
// read, linked when they share an initiative or are directly related (see
// the package documentation). Actors and Links are ordered by id.
//
// An ActorGraph is read-only once built and safe for concurrent use; the
// analyses computed on it are kept with it (see Centrality), so a graph
// shared by many requests computes each of them once.
type ActorGraph struct {
	Year   *int
	Actors []*rg.Node
	Links  []Link

	base *base
	g    csr
	wdeg []float64 // weighted degree, the row's weights summed in order
	maxW []float64 // the largest weight in each row
	memo *memo     // results computed on this graph
}

// span is a relation's years, both ends included.
type span struct{ from, to int }

func spanOf(e *rg.Edge) span {
	s := span{math.MinInt, math.MaxInt}
	if e.FromYear != nil {
		s.from = *e.FromYear
	}
	if e.ToYear != nil {
		s.to = *e.ToYear
	}
	return s
}

// holds is regiongraph.Edge.HoldsInYear.
func (s span) holds(year *int) bool { return year == nil || (s.from <= *year && *year <= s.to) }

// base is what the projection needs of a graph, for every year at once, in
// integers: the actors, which actor is tied to which initiative (and when),
// and the direct relations between actors. An ActorGraph for any year is
// derived from it without reading the store again.
type base struct {
	actors []*rg.Node       // by id
	index  map[string]int32 // actor id -> position in actors
	inits  map[string]int32 // initiative id -> its number in inc
	// inc lists, by initiative, the actors tied to it by a context
	// relation: incActor[incOff[i]:incOff[i+1]] with the relations' years.
	incOff   []int32
	incActor []int32
	incSpan  []span
	// direct relations between two different actors.
	direct []directRel
}

type directRel struct {
	from, to int32
	kind     rg.RelKind
	span     span
}

// newBase reads the subgraph. Nodes of other kinds than actors and
// initiatives, and relations the projection does not use, are ignored.
func newBase(ctx context.Context, sg *rg.Subgraph) (*base, error) {
	if sg == nil {
		sg = &rg.Subgraph{}
	}
	b := &base{index: map[string]int32{}, inits: map[string]int32{}}
	inits := b.inits
	for _, n := range sg.Nodes {
		switch {
		case n.Kind.IsActor():
			b.actors = append(b.actors, n)
		case n.Kind == rg.KindInitiative:
			inits[n.ID] = int32(len(inits))
		}
	}
	if len(b.actors) > MaxActors {
		return nil, rg.Errorf(rg.EBADINPUT, "the actor graph has %d actors; whole-graph analysis is limited to %d actors (MaxActors)", len(b.actors), MaxActors)
	}
	slices.SortFunc(b.actors, func(x, y *rg.Node) int { return strings.Compare(x.ID, y.ID) })
	for i, a := range b.actors {
		b.index[a.ID] = int32(i)
	}
	type incidence struct {
		init, actor int32
		span        span
	}
	var incs []incidence
	for i, e := range sg.Edges {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("project the actor graph: %w", err)
			}
		}
		if e.From == e.To {
			continue
		}
		fi, fa := b.index[e.From]
		ti, ta := b.index[e.To]
		switch {
		case fa && ta && slices.Contains(DirectRelations, e.Kind):
			b.direct = append(b.direct, directRel{from: fi, to: ti, kind: e.Kind, span: spanOf(e)})
		case fa && slices.Contains(ContextRelations, e.Kind):
			if in, ok := inits[e.To]; ok {
				incs = append(incs, incidence{init: in, actor: fi, span: spanOf(e)})
			}
		}
	}
	b.incOff = make([]int32, len(inits)+1)
	for _, x := range incs {
		b.incOff[x.init+1]++
	}
	for i := range len(inits) {
		b.incOff[i+1] += b.incOff[i]
	}
	b.incActor = make([]int32, len(incs))
	b.incSpan = make([]span, len(incs))
	next := slices.Clone(b.incOff)
	for _, x := range incs {
		b.incActor[next[x.init]], b.incSpan[next[x.init]] = x.actor, x.span
		next[x.init]++
	}
	return b, nil
}

// Project builds the actor graph of sg as of year (nil: every relation
// counts). Relations that do not hold in year are ignored, so sg may hold
// more than that year's relations. LoadActorGraph gives the same graph from
// a store, shared and computed once per version of the store's graph.
func Project(ctx context.Context, sg *rg.Subgraph, year *int) (*ActorGraph, error) {
	b, err := newBase(ctx, sg)
	if err != nil {
		return nil, err
	}
	return b.actorGraph(ctx, year)
}

// actorGraph derives the actor graph as of year: for each actor u, the
// actors v > u it shares initiatives with (each initiative once) and is
// directly related to (each relation once), accumulated in a dense row, so
// the work is the number of pairs.
func (b *base) actorGraph(ctx context.Context, year *int) (*ActorGraph, error) {
	n := len(b.actors)
	ag := &ActorGraph{Year: year, Actors: b.actors, base: b, memo: newMemo(resultsPerGraph)}
	if year != nil {
		y := *year
		ag.Year = &y
	}
	// The actors of each initiative in year, each once.
	nInits := len(b.incOff) - 1
	initOff := make([]int32, nInits+1)
	initActor := make([]int32, 0, len(b.incActor))
	stamp := make([]int32, n) // initiative+1 that last listed the actor
	pairs := 0
	for i := range nInits {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("project the actor graph: %w", err)
			}
		}
		k := 0
		for x := b.incOff[i]; x < b.incOff[i+1]; x++ {
			a := b.incActor[x]
			if b.incSpan[x].holds(year) && stamp[a] != int32(i+1) {
				stamp[a] = int32(i + 1)
				initActor = append(initActor, a)
				k++
			}
		}
		initOff[i+1] = int32(len(initActor))
		if pairs += k * (k - 1) / 2; pairs > MaxPairs {
			return nil, rg.Errorf(rg.EBADINPUT, "the actor graph would join more than %d pairs of actors through shared initiatives (MaxPairs)", MaxPairs)
		}
	}
	// The initiatives of each actor, and its direct relations to higher
	// actors.
	actorOff := make([]int32, n+1)
	for _, a := range initActor {
		actorOff[a+1]++
	}
	for u := range n {
		actorOff[u+1] += actorOff[u]
	}
	actorInit := make([]int32, len(initActor))
	next := slices.Clone(actorOff[:n])
	for i := range nInits {
		for _, a := range initActor[initOff[i]:initOff[i+1]] {
			actorInit[next[a]] = int32(i)
			next[a]++
		}
	}
	directOff := make([]int32, n+1)
	for _, d := range b.direct {
		if d.span.holds(year) {
			directOff[min(d.from, d.to)+1]++
		}
	}
	for u := range n {
		directOff[u+1] += directOff[u]
	}
	directTo := make([]int32, directOff[n])
	next = slices.Clone(directOff[:n])
	for _, d := range b.direct {
		if d.span.holds(year) {
			lo := min(d.from, d.to)
			directTo[next[lo]] = max(d.from, d.to)
			next[lo]++
		}
	}

	acc := make([]float64, n)
	var touched []int32
	var links []upperLink
	for u := range n {
		if u%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("project the actor graph: %w", err)
			}
		}
		touch := func(v int32) {
			if acc[v] == 0 {
				touched = append(touched, v)
			}
			acc[v]++
		}
		for _, i := range actorInit[actorOff[u]:actorOff[u+1]] {
			for _, v := range initActor[initOff[i]:initOff[i+1]] {
				if int(v) > u {
					touch(v)
				}
			}
		}
		for _, v := range directTo[directOff[u]:directOff[u+1]] {
			touch(v)
		}
		slices.Sort(touched)
		for _, v := range touched {
			links = append(links, upperLink{u: int32(u), v: v, w: acc[v]})
			acc[v] = 0
		}
		touched = touched[:0]
	}
	ag.g = newCSR(n, links)
	ag.Links = make([]Link, len(links))
	for k, l := range links {
		ag.Links[k] = Link{A: b.actors[l.u].ID, B: b.actors[l.v].ID, Weight: l.w}
	}
	ag.wdeg = make([]float64, n)
	ag.maxW = make([]float64, n)
	for u := range n {
		_, w := ag.g.row(u)
		for _, x := range w {
			ag.wdeg[u] += x
			ag.maxW[u] = max(ag.maxW[u], x)
		}
	}
	return ag, nil
}

// resultsPerGraph bounds the results kept with one actor graph (brokers
// between different groups, communities at different resolutions).
const resultsPerGraph = 64

// Actor returns the actor with the id, or nil when it is not in the graph.
func (ag *ActorGraph) Actor(id string) *rg.Node {
	if i, ok := ag.base.index[id]; ok {
		return ag.Actors[i]
	}
	return nil
}

// Kind returns the kind of any node read for the graph (actors and
// initiatives), and whether it was read.
func (ag *ActorGraph) Kind(id string) (rg.Kind, bool) {
	if i, ok := ag.base.index[id]; ok {
		return ag.Actors[i].Kind, true
	}
	if _, ok := ag.base.inits[id]; ok {
		return rg.KindInitiative, true
	}
	return "", false
}

// Neighbours returns the ids of the actors linked to id, ordered by id.
func (ag *ActorGraph) Neighbours(id string) []string {
	i, ok := ag.base.index[id]
	if !ok {
		return nil
	}
	nb, _ := ag.g.row(int(i))
	out := make([]string, len(nb))
	for k, v := range nb {
		out[k] = ag.Actors[v].ID
	}
	return out
}

// Weight returns the weight of the link between a and b (0 when none).
func (ag *ActorGraph) Weight(a, b string) float64 {
	i, ok1 := ag.base.index[a]
	j, ok2 := ag.base.index[b]
	if !ok1 || !ok2 {
		return 0
	}
	w, _ := ag.g.weight(int(i), int(j))
	return w
}

// members returns the actors with a MEMBER_OF relation to the actor to that
// holds in the graph's year.
func (ag *ActorGraph) members(to int32) map[int32]bool {
	out := map[int32]bool{}
	for _, d := range ag.base.direct {
		if d.kind == rg.RelMemberOf && d.to == to && d.span.holds(ag.Year) {
			out[d.from] = true
		}
	}
	return out
}

// withActorUpdates returns the base with the actors updated by entries
// (each an update of an actor's fields: its id, kind and relations stay, so
// every number in the base does too).
func (b *base) withActorUpdates(entries []*rg.HistoryEntry) *base {
	c := *b
	c.actors = slices.Clone(b.actors)
	for _, h := range entries {
		if h.Op != rg.OpUpdateNode || h.After == nil {
			continue
		}
		if i, ok := c.index[h.After.ID]; ok && c.actors[i].Kind == h.After.Kind {
			c.actors[i] = h.After
		}
	}
	return &c
}

// withBase returns the graph over b, a base with the same actors and
// relations as ag's but other actor fields: the same links, and the
// results that hold no actor (PageRank, betweenness and closeness) carried
// over; the others are computed again, with the new actors.
func (ag *ActorGraph) withBase(b *base) *ActorGraph {
	c := &ActorGraph{Year: ag.Year, Actors: b.actors, Links: ag.Links, base: b, g: ag.g, wdeg: ag.wdeg, maxW: ag.maxW, memo: newMemo(resultsPerGraph)}
	c.memo.seed(ag.memo, "pagerank", "paths")
	return c
}
