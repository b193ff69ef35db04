package boltstore

import (
	"cmp"
	"fmt"
	"slices"

	rg "github.com/regiongraph/regiongraph"
)

// DefaultPaths is how many paths ShortestPaths returns when First is 0.
const DefaultPaths = 10

// shortestPaths enumerates the shortest paths from one node to another,
// following relations in either direction.
//
// A breadth-first search from each end, level by level, each time
// extending the side whose level has fewer relations to follow, finds the
// length d of the shortest path when the two meet (bounded by MaxHops
// together): the forward search has gone a levels, the backward one b, with
// a+b = d, and the nodes at distance a from one end and b from the other are
// the meeting level, through which every shortest path goes. From it the
// nodes on shortest paths are marked level by level back to each end (a
// node is on one when it is a level nearer its end than a marked node it is
// joined to). A depth-first walk over the marked nodes alone, taking
// neighbours in id order, then yields the node sequences in lexicographic
// order without ever entering a dead end, and for each sequence the choices
// among parallel relations are enumerated in edge id order. The walk stops
// after First paths, so the work is bounded by the two searches (each
// side's balls of radius a and b, rather than one of radius d) plus
// O(First·d·degree) for the walk, however many shortest paths there are.
func (g *graph) shortestPaths(from, to string, o rg.PathOptions) ([]rg.Path, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	src, ok := g.nodes[from]
	if !ok {
		return nil, &rg.Error{Code: rg.ENOTFOUND, Field: "from", Message: fmt.Sprintf("no node %q", from)}
	}
	if _, ok := g.nodes[to]; !ok {
		return nil, &rg.Error{Code: rg.ENOTFOUND, Field: "to", Message: fmt.Sprintf("no node %q", to)}
	}
	maxHops := o.MaxHops
	if maxHops == 0 {
		maxHops = rg.MaxHops
	}
	first := o.First
	if first == 0 {
		first = DefaultPaths
	}
	if from == to {
		return []rg.Path{{Nodes: []*rg.Node{src}, Edges: []*rg.Edge{}}}, nil
	}
	rels := uniq(o.Relations)
	kinds := set(o.Kinds)
	// passable reports whether a path may go on through node id: the ends
	// always, other nodes when their kind is allowed.
	passable := func(id string) bool {
		return id == from || id == to || kinds == nil || kinds[g.nodes[id].Kind]
	}
	// A search goes on from its own end and from passable nodes, never
	// from the other end.
	fwd := &pathSearch{g: g, start: from, goal: to, dist: map[string]int{from: 0}, levels: [][]string{{from}}}
	bwd := &pathSearch{g: g, start: to, goal: from, dist: map[string]int{to: 0}, levels: [][]string{{to}}}
	d := -1
	for d < 0 && fwd.depth()+bwd.depth() < maxHops {
		s, other := fwd, bwd
		if bwd.cost(rels) < fwd.cost(rels) {
			s, other = bwd, fwd
		}
		if !s.extend(rels, o.Year, passable, other.dist) {
			break // one side has nowhere to go: no path
		}
		if s.met {
			d = fwd.depth() + bwd.depth()
		}
	}
	if d < 0 {
		return []rg.Path{}, nil
	}
	a := fwd.depth()
	// pos holds the nodes on shortest paths with their place on them: the
	// meeting level first, then level by level towards each end.
	pos := map[string]int{}
	at := make([][]string, d+1)
	for _, id := range fwd.levels[a] {
		if bd, ok := bwd.dist[id]; ok && bd == d-a && passable(id) {
			pos[id] = a
			at[a] = append(at[a], id)
		}
	}
	// mark marks the nodes at place k: those at distance sd from the end
	// of search s joined to a node at place j.
	mark := func(k, j int, s *pathSearch, sd int) {
		for _, id := range at[j] {
			g.incident(id, rg.Both, rels, func(e *rg.Edge) {
				n := e.Other(id)
				if _, done := pos[n]; done || !e.HoldsInYear(o.Year) || !passable(n) {
					return
				}
				if nd, ok := s.dist[n]; ok && nd == sd {
					pos[n] = k
					at[k] = append(at[k], n)
				}
			})
		}
	}
	for k := a - 1; k >= 0; k-- {
		mark(k, k+1, fwd, k)
	}
	for k := a + 1; k <= d; k++ {
		mark(k, k-1, bwd, d-k)
	}

	var paths []rg.Path
	nodes := []string{from}
	var walk func(u string, k int) bool // reports whether to go on
	walk = func(u string, k int) bool {
		if k == d {
			return g.emitPaths(nodes, o.Year, rels, first, &paths)
		}
		var next []string
		g.incident(u, rg.Both, rels, func(e *rg.Edge) {
			if !e.HoldsInYear(o.Year) {
				return
			}
			v := e.Other(u)
			if p, ok := pos[v]; ok && p == k+1 {
				next = append(next, v)
			}
		})
		for _, v := range uniq(next) {
			nodes = append(nodes, v)
			goOn := walk(v, k+1)
			nodes = nodes[:len(nodes)-1]
			if !goOn {
				return false
			}
		}
		return true
	}
	walk(from, 0)
	return paths, nil
}

// pathSearch is one side of the shortest-path search: the distance from
// start of every node reached, and the nodes of each level.
type pathSearch struct {
	g           *graph
	start, goal string
	dist        map[string]int
	levels      [][]string
	// met is set when the last level reached a node the other side had
	// reached, through which a path may go.
	met bool
}

func (s *pathSearch) depth() int { return len(s.levels) - 1 }

// expands reports whether the search goes on from node id.
func (s *pathSearch) expands(id string, passable func(string) bool) bool {
	return id == s.start || (id != s.goal && passable(id))
}

// cost is the number of relations the next level would follow.
func (s *pathSearch) cost(rels []rg.RelKind) int {
	n := 0
	for _, id := range s.levels[len(s.levels)-1] {
		a := s.g.adj[id]
		if a == nil {
			continue
		}
		if len(rels) == 0 {
			for _, ids := range a.out {
				n += len(ids)
			}
			for _, ids := range a.in {
				n += len(ids)
			}
			continue
		}
		for _, k := range rels {
			n += len(a.out[k]) + len(a.in[k])
		}
	}
	return n
}

// extend adds the next level; it reports false when there is none.
func (s *pathSearch) extend(rels []rg.RelKind, year *int, passable func(string) bool, other map[string]int) bool {
	d := len(s.levels)
	var next []string
	for _, id := range s.levels[d-1] {
		if !s.expands(id, passable) {
			continue
		}
		s.g.incident(id, rg.Both, rels, func(e *rg.Edge) {
			if !e.HoldsInYear(year) {
				return
			}
			n := e.Other(id)
			if _, seen := s.dist[n]; seen {
				return
			}
			s.dist[n] = d
			next = append(next, n)
			if _, ok := other[n]; ok && passable(n) {
				s.met = true
			}
		})
	}
	if len(next) == 0 {
		return false
	}
	s.levels = append(s.levels, next)
	return true
}

// emitPaths appends the paths along the node sequence ids, one for each
// choice of relation between consecutive nodes in edge id order, until there
// are first paths; it reports whether more are wanted.
func (g *graph) emitPaths(ids []string, year *int, rels []rg.RelKind, first int, paths *[]rg.Path) bool {
	choices := make([][]*rg.Edge, len(ids)-1)
	for i := range choices {
		a, b := ids[i], ids[i+1]
		g.incident(a, rg.Both, rels, func(e *rg.Edge) {
			if e.Other(a) == b && e.HoldsInYear(year) {
				choices[i] = append(choices[i], e)
			}
		})
		slices.SortFunc(choices[i], func(x, y *rg.Edge) int { return cmp.Compare(x.ID, y.ID) })
	}
	pick := make([]int, len(choices))
	for {
		p := rg.Path{Nodes: make([]*rg.Node, len(ids)), Edges: make([]*rg.Edge, len(choices))}
		for i, id := range ids {
			p.Nodes[i] = g.nodes[id]
		}
		for i, c := range choices {
			p.Edges[i] = c[pick[i]]
		}
		*paths = append(*paths, p)
		if len(*paths) >= first {
			return false
		}
		// Advance the odometer, last position fastest.
		i := len(pick) - 1
		for ; i >= 0; i-- {
			pick[i]++
			if pick[i] < len(choices[i]) {
				break
			}
			pick[i] = 0
		}
		if i < 0 {
			return true
		}
	}
}
