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
// Two breadth-first searches, one from each end and both bounded by MaxHops,
// give every node its distance to either end; a node lies on a shortest path
// exactly when the two distances add up to the length d of the shortest
// path. A depth-first walk over those nodes alone, taking neighbours in id
// order, then yields the node sequences in lexicographic order without ever
// entering a dead end, and for each sequence the choices among parallel
// relations are enumerated in edge id order. The walk stops after First
// paths, so the work is bounded by O(V+E) for the searches plus
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
		return kinds == nil || kinds[g.nodes[id].Kind]
	}

	bfs := func(start, goal string, limit int) map[string]int {
		dist := map[string]int{start: 0}
		level := []string{start}
		for d := 0; d < limit && len(level) > 0; d++ {
			var next []string
			for _, id := range level {
				if id != start && (id == goal || !passable(id)) {
					continue
				}
				g.incident(id, rg.Both, rels, func(e *rg.Edge) {
					if !e.HoldsInYear(o.Year) {
						return
					}
					n := e.Other(id)
					if _, seen := dist[n]; !seen {
						dist[n] = d + 1
						next = append(next, n)
					}
				})
			}
			if _, done := dist[goal]; done {
				break
			}
			level = next
		}
		return dist
	}
	dFrom := bfs(from, to, maxHops)
	d, ok := dFrom[to]
	if !ok {
		return []rg.Path{}, nil
	}
	dTo := bfs(to, from, d)

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
			df, okf := dFrom[v]
			dt, okt := dTo[v]
			if okf && okt && df == k+1 && dt == d-k-1 && (v == to || passable(v)) {
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
