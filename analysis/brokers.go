package analysis

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

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
			if k, ok := ag.Kind(id); ok {
				return nil, rg.FieldErrorf(fmt.Sprintf("%s.ids[%d]", field, i), "%q is a %s, not an actor", id, k)
			}
			return nil, rg.FieldErrorf(fmt.Sprintf("%s.ids[%d]", field, i), "no actor %q", id)
		}
		out = append(out, id)
	}
	if len(gr.Kinds) > 0 || gr.County != "" || gr.MemberOf != "" {
		var members map[int32]bool
		if gr.MemberOf != "" {
			to, ok := ag.base.index[gr.MemberOf]
			if !ok {
				return nil, rg.FieldErrorf(field+".memberOf", "no actor %q", gr.MemberOf)
			}
			members = ag.members(to)
		}
		for i, a := range ag.Actors {
			if (len(gr.Kinds) == 0 || slices.Contains(gr.Kinds, a.Kind)) &&
				(gr.County == "" || strings.EqualFold(a.County, gr.County)) &&
				(members == nil || members[int32(i)]) {
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

// brokerWork is MaxBrokerWork, a variable so that tests can raise it.
var brokerWork = float64(MaxBrokerWork)

// Bounds of Brokers: |A| + |B|, and the walk steps, min(|A|, |B|)·(n+2m)
// for n actors and m links, checked from those counts before walking.
const (
	MaxGroupSources = 2000
	MaxBrokerWork   = 2e9
)

// Brokers finds who bridges groups a and b (ids of actors in ag).
//
// One breadth-first walk from each member s of the smaller group counts the
// shortest paths (in hops) from s, and Brandes' accumulation restricted to
// the targets in the other group gives each node v the sum over targets t
// of σ_sv·σ_vt/σ_st where v lies on a shortest s–t path, which is the
// pair's share through v (the same from either end: the graph is
// undirected). The walks run in parallel; the result is kept with the
// graph, one per pair of groups.
func Brokers(ctx context.Context, ag *ActorGraph, a, b []string) (*BrokerReport, error) {
	if len(a)+len(b) > MaxGroupSources {
		return nil, rg.FieldErrorf("between", "the groups have %d actors together; at most %d are analysed (MaxGroupSources)", len(a)+len(b), MaxGroupSources)
	}
	steps := float64(len(ag.Actors)) + 2*float64(ag.g.links())
	if work := float64(min(len(a), len(b))) * steps; work > brokerWork {
		return nil, rg.FieldErrorf("between", "the smaller group has %d actors, each a walk of %.0f steps over the actor graph: %.2g steps, more than the limit of %.0g (MaxBrokerWork); give a smaller group or ask for a year", min(len(a), len(b)), steps, work, float64(MaxBrokerWork))
	}
	h := sha256.New()
	for _, g := range [][]string{a, b} {
		for _, id := range g {
			h.Write([]byte(id))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	key := "brokers:" + hex.EncodeToString(h.Sum(nil))
	return do(ctx, ag.memo, key, func(ctx context.Context) (*BrokerReport, error) { return ag.brokers(ctx, a, b) })
}

func (ag *ActorGraph) brokers(ctx context.Context, a, b []string) (*BrokerReport, error) {
	n := len(ag.Actors)
	rep := &BrokerReport{A: a, B: b}
	from, to := a, b
	if len(b) < len(a) {
		from, to = b, a
	}
	var srcs []int32
	for _, id := range from {
		i, ok := ag.base.index[id]
		if !ok {
			return nil, rg.FieldErrorf("between", "no actor %q", id)
		}
		srcs = append(srcs, i)
	}
	target := make([]bool, n)
	var targets []int32
	for _, id := range to {
		i, ok := ag.base.index[id]
		if !ok {
			return nil, rg.FieldErrorf("between", "no actor %q", id)
		}
		target[i] = true
		targets = append(targets, i)
	}
	parts := min(pathParts, max(1, len(srcs)))
	cb := make([][]float64, parts)
	pairs := make([]int, parts)
	connected := make([]int, parts)
	err := forParts(ctx, n, parts, "brokers", func(p int, w *walker, stop *stopper) bool {
		cb[p] = make([]float64, n)
		for i := p; i < len(srcs); i += parts {
			s := srcs[i]
			if !w.walk(&ag.g, s, stop) {
				return false
			}
			for _, ti := range targets {
				if ti == s {
					continue
				}
				pairs[p]++
				if w.dist[ti] >= 0 {
					connected[p]++
				}
			}
			if !w.accumulate(&ag.g, s, target, cb[p], stop) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	for p := range parts {
		rep.Pairs += pairs[p]
		rep.ConnectedPairs += connected[p]
	}
	inA, inBid := setOf(a), setOf(b)
	scratch := make([]float64, n)
	for v := range n {
		var c float64
		for p := range parts {
			c += cb[p][v]
		}
		if c == 0 {
			continue
		}
		if v%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("brokers: %w", err)
			}
		}
		id := ag.Actors[v].ID
		br := Broker{Node: ag.Actors[v], InA: inA[id], InB: inBid[id], CrossBetweenness: round(c)}
		if rep.ConnectedPairs > 0 {
			br.Share = round(c / float64(rep.ConnectedPairs))
		}
		br.Constraint, br.EffectiveSize = ag.structuralHoles(v, scratch)
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
	i, ok := ag.base.index[id]
	if !ok {
		return nil, 0
	}
	return ag.structuralHoles(int(i), make([]float64, len(ag.Actors)))
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
//
// The inner sums only have terms for q in both N(i) and N(j): with p_iq
// marked in scratch (all zero on entry and on return), they walk N(j) once
// for each neighbour j, so the cost is Σ_{j∈N(i)} deg(j), and the whole
// graph's is Σ deg². Each actor's weights are summed once, when the graph is
// built (wdeg, maxW).
func (ag *ActorGraph) structuralHoles(i int, scratch []float64) (*float64, float64) {
	g := &ag.g
	nbI, wI := g.row(i)
	if len(nbI) == 0 {
		return nil, 0
	}
	for k, q := range nbI {
		scratch[q] = wI[k] / ag.wdeg[i]
	}
	var c, es float64
	for _, j := range nbI {
		indirect, redundancy := 0.0, 0.0
		mj := ag.maxW[j]
		nbJ, wJ := g.row(int(j))
		for x, q := range nbJ {
			piq := scratch[q]
			if piq == 0 || int(q) == i {
				continue
			}
			indirect += piq * (wJ[x] / ag.wdeg[q])
			redundancy += piq * wJ[x] / mj
		}
		x := scratch[j] + indirect
		c += x * x
		es += 1 - redundancy
	}
	for _, q := range nbI {
		scratch[q] = 0
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
