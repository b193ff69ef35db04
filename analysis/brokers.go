package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph/path"

	rg "github.com/regiongraph/regiongraph"
)

// Group selects a group of actors: the actors with the given ids, plus,
// when any of Kinds, County or MemberOf is set, every actor that matches
// all of those that are set.
type Group struct {
	IDs      []string
	Kinds    []rg.Kind
	County   string // Municipality.County, case-insensitive
	MemberOf string // actors with a MEMBER_OF relation to this actor
}

// Resolve returns the ids of the group's actors in ag, ordered by id. An id
// that is not an actor of ag is BAD_USER_INPUT naming field (for example
// "between[0].ids[2]").
func (gr Group) Resolve(ag *ActorGraph, field string) ([]string, error) {
	var out []string
	for i, id := range gr.IDs {
		if ag.Actor(id) == nil {
			if n := ag.Node(id); n != nil {
				return nil, rg.FieldErrorf(fmt.Sprintf("%s.ids[%d]", field, i), "%q is a %s, not an actor", id, n.Kind)
			}
			return nil, rg.FieldErrorf(fmt.Sprintf("%s.ids[%d]", field, i), "no actor %q", id)
		}
		out = append(out, id)
	}
	if len(gr.Kinds) > 0 || gr.County != "" || gr.MemberOf != "" {
		var members map[string]bool
		if gr.MemberOf != "" {
			if ag.Actor(gr.MemberOf) == nil {
				return nil, rg.FieldErrorf(field+".memberOf", "no actor %q", gr.MemberOf)
			}
			members = map[string]bool{}
			for _, e := range ag.edges {
				if e.Kind == rg.RelMemberOf && e.To == gr.MemberOf {
					members[e.From] = true
				}
			}
		}
		for _, a := range ag.Actors {
			if (len(gr.Kinds) == 0 || slices.Contains(gr.Kinds, a.Kind)) &&
				(gr.County == "" || strings.EqualFold(a.County, gr.County)) &&
				(members == nil || members[a.ID]) {
				out = append(out, a.ID)
			}
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil, rg.FieldErrorf(field, "the group has no actors")
	}
	return out, nil
}

// Broker is an actor's position between two groups.
type Broker struct {
	Node *rg.Node
	// InA and InB say whether the broker belongs to either group.
	InA, InB bool
	// CrossBetweenness is Σ_{s∈A, t∈B, s≠t≠v} σ_st(v)/σ_st: the number of
	// A–B pairs whose shortest paths (in hops) run through the broker,
	// counting a pair with several shortest paths by the share through it.
	// Share divides it by the number of connected A–B pairs.
	CrossBetweenness float64
	Share            float64
	// Constraint is Burt's constraint (nil for an isolated actor) and
	// EffectiveSize Burt's effective size, over the link weights.
	Constraint    *float64
	EffectiveSize float64
}

// BrokerReport is who bridges two groups.
type BrokerReport struct {
	A, B []string // the groups' actors, by id
	// Pairs is the number of pairs (s, t), s in A, t in B, s ≠ t;
	// ConnectedPairs those with a path.
	Pairs, ConnectedPairs int
	// Brokers are the actors on some shortest A–B path (ends excepted),
	// ordered by CrossBetweenness descending, then Constraint ascending
	// (none last), then id.
	Brokers []Broker
}

// MaxGroupSources bounds |A| + |B| for Brokers: one shortest-path tree is
// grown from each member.
const MaxGroupSources = 2000

// Brokers finds who bridges groups a and b (ids of actors in ag).
//
// Shortest paths come from gonum's path.DijkstraFrom on the hop-count
// graph, one tree per member of A and of B. A node v lies on a shortest s–t
// path when d(s,v) + d(v,t) = d(s,t), and then carries σ_sv·σ_vt/σ_st of
// the pair, where σ counts shortest paths (accumulated over the tree in
// order of distance).
func Brokers(ctx context.Context, ag *ActorGraph, a, b []string) (*BrokerReport, error) {
	g := ag.g
	defer g.watch(ctx)()
	if len(a)+len(b) > MaxGroupSources {
		return nil, rg.FieldErrorf("between", "the groups have %d actors together; at most %d are analysed (MaxGroupSources)", len(a)+len(b), MaxGroupSources)
	}
	n := len(ag.Actors)
	type tree struct {
		dist  []float64
		sigma []float64
	}
	trees := map[string]tree{}
	grow := func(id string) (tree, error) {
		if t, ok := trees[id]; ok {
			return t, nil
		}
		if err := ctx.Err(); err != nil {
			return tree{}, fmt.Errorf("brokers: %w", err)
		}
		s := ag.index[id]
		sp := path.DijkstraFrom(g.nodes[s], hops{g})
		t := tree{dist: make([]float64, n), sigma: make([]float64, n)}
		order := make([]int, n)
		for v := range n {
			t.dist[v] = sp.WeightTo(int64(v))
			order[v] = v
		}
		slices.SortFunc(order, func(x, y int) int { return cmp.Or(cmp.Compare(t.dist[x], t.dist[y]), x-y) })
		t.sigma[s] = 1
		for _, v := range order {
			if v == s || math.IsInf(t.dist[v], 1) {
				continue
			}
			for _, u := range g.adj[v] {
				if t.dist[u.ID()]+1 == t.dist[v] {
					t.sigma[v] += t.sigma[u.ID()]
				}
			}
		}
		trees[id] = t
		return t, nil
	}

	rep := &BrokerReport{A: a, B: b}
	cb := make([]float64, n)
	for _, s := range a {
		ts, err := grow(s)
		if err != nil {
			return nil, err
		}
		for _, t := range b {
			if s == t {
				continue
			}
			rep.Pairs++
			tt, err := grow(t)
			if err != nil {
				return nil, err
			}
			si, ti := ag.index[s], ag.index[t]
			dst := ts.dist[ti]
			if math.IsInf(dst, 1) {
				continue
			}
			rep.ConnectedPairs++
			for v := range n {
				if v == si || v == ti || ts.dist[v]+tt.dist[v] != dst {
					continue
				}
				cb[v] += ts.sigma[v] * tt.sigma[v] / ts.sigma[ti]
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("brokers: %w", err)
	}
	inA, inB := setOf(a), setOf(b)
	for v, c := range cb {
		if c == 0 {
			continue
		}
		id := ag.Actors[v].ID
		br := Broker{Node: ag.Actors[v], InA: inA[id], InB: inB[id], CrossBetweenness: round(c)}
		if rep.ConnectedPairs > 0 {
			br.Share = round(c / float64(rep.ConnectedPairs))
		}
		br.Constraint, br.EffectiveSize = ag.structuralHoles(v)
		rep.Brokers = append(rep.Brokers, br)
	}
	slices.SortFunc(rep.Brokers, func(x, y Broker) int {
		return cmp.Or(-cmp.Compare(x.CrossBetweenness, y.CrossBetweenness), compareOptional(x.Constraint, y.Constraint), strings.Compare(x.Node.ID, y.Node.ID))
	})
	return rep, nil
}

// StructuralHoles returns Burt's constraint (nil for an actor without
// links) and effective size of the actor id.
func (ag *ActorGraph) StructuralHoles(id string) (*float64, float64) {
	i, ok := ag.index[id]
	if !ok {
		return nil, 0
	}
	return ag.structuralHoles(i)
}

// structuralHoles computes Burt's measures for node i over the link weights
// w (Burt, R. S. (1992), Structural Holes, Harvard University Press, ch. 2;
// the same definitions as NetworkX's constraint and effective_size):
//
//	p_ij = w_ij / Σ_k w_ik                        (proportional tie strength)
//	m_jq = w_jq / max_k w_jk                      (marginal strength)
//	constraint(i)     = Σ_{j∈N(i)} (p_ij + Σ_{q∈N(i), q≠i,j} p_iq p_qj)²
//	effective size(i) = Σ_{j∈N(i)} (1 − Σ_{q∈N(i), q≠i,j} p_iq m_jq)
//
// On unweighted links effective size is n − 2t/n (n neighbours, t ties
// among them).
func (ag *ActorGraph) structuralHoles(i int) (*float64, float64) {
	g := ag.g
	if len(g.adj[i]) == 0 {
		return nil, 0
	}
	p := func(u, v int64) float64 {
		w, ok := g.weightOf(u, v)
		if !ok {
			return 0
		}
		var sum float64
		for _, x := range g.w[u] {
			sum += x
		}
		return w / sum
	}
	maxW := func(u int64) float64 {
		var m float64
		for _, x := range g.w[u] {
			m = max(m, x)
		}
		return m
	}
	ii := int64(i)
	var c, es float64
	for _, jn := range g.adj[i] {
		j := jn.ID()
		indirect, redundancy := 0.0, 0.0
		mj := maxW(j)
		for _, qn := range g.adj[i] {
			q := qn.ID()
			if q == j {
				continue
			}
			piq := p(ii, q)
			indirect += piq * p(q, j)
			if wjq, ok := g.weightOf(j, q); ok {
				redundancy += piq * wjq / mj
			}
		}
		x := p(ii, j) + indirect
		c += x * x
		es += 1 - redundancy
	}
	c = round(c)
	return &c, round(es)
}

func compareOptional(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*a, *b)
}

func setOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
