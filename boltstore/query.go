package boltstore

import (
	"cmp"
	"fmt"
	"slices"

	rg "github.com/regiongraph/regiongraph"
)

// The queries below run on a graph under the store's read lock. They return
// the stored values themselves, not copies: stored nodes and relations are
// never modified (a change replaces the pointer, see graph), so handing them
// out is safe as long as callers do not modify them, which the Store
// contract forbids. Only the slices are the caller's own.

func uniq[T cmp.Ordered](xs []T) []T {
	if len(xs) < 2 {
		return xs
	}
	c := slices.Clone(xs)
	slices.Sort(c)
	return slices.Compact(c)
}

func set[T comparable](xs []T) map[T]bool {
	if len(xs) == 0 {
		return nil
	}
	m := make(map[T]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func sortEdges(es []*rg.Edge) {
	slices.SortFunc(es, func(a, b *rg.Edge) int { return cmp.Compare(a.ID, b.ID) })
}

func (g *graph) nodesByID(ids []string) ([]*rg.Node, error) {
	if len(ids) > rg.MaxBatchIDs {
		return nil, rg.FieldErrorf("ids", "%d ids; at most %d are allowed", len(ids), rg.MaxBatchIDs)
	}
	out := make([]*rg.Node, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if n, ok := g.nodes[id]; ok {
			out = append(out, n)
		}
	}
	return out, nil
}

func (g *graph) findEdges(f rg.EdgeFilter) ([]*rg.Edge, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	kinds := uniq(f.Kinds)
	ids := set(f.IDs)
	var out []*rg.Edge
	keep := func(e *rg.Edge) bool {
		return (ids == nil || ids[e.ID]) && (len(kinds) == 0 || slices.Contains(kinds, e.Kind)) && e.HoldsInYear(f.Year)
	}
	switch {
	case len(f.NodeIDs) > 0:
		seen := map[string]bool{}
		for _, id := range uniq(f.NodeIDs) {
			g.incident(id, f.Direction, kinds, func(e *rg.Edge) {
				if !seen[e.ID] && keep(e) {
					seen[e.ID] = true
					out = append(out, e)
				}
			})
		}
	case len(f.IDs) > 0:
		for _, id := range uniq(f.IDs) {
			if e, ok := g.edges[id]; ok && keep(e) {
				out = append(out, e)
			}
		}
	default:
		for _, e := range g.edges {
			if keep(e) {
				out = append(out, e)
			}
		}
	}
	sortEdges(out)
	return out, nil
}

// expand is findEdges for f.NodeIDs with the nodes at the other ends (see
// regiongraph.Expansion).
// maxExpandPresize bounds what expand makes room for before it reads.
const maxExpandPresize = 4096

func (g *graph) expand(f rg.EdgeFilter) (rg.Expansion, error) {
	if err := f.ValidateExpand(); err != nil {
		return rg.Expansion{}, err
	}
	kinds := uniq(f.Kinds)
	ids := set(f.IDs)
	var x rg.Expansion
	nodeIDs := uniq(f.NodeIDs)
	// Following one direction, a relation is met once (from its one end
	// in nodeIDs); both ways, a relation between two of them twice.
	// At most this many relations (and nodes at their other ends): the
	// slices and sets are made once, not grown. Not beyond a few thousand,
	// though: a year or ids may keep few of a hub's relations.
	most := 0
	for _, id := range nodeIDs {
		most += g.degree(id, f.Direction, kinds...)
	}
	most = min(most, maxExpandPresize)
	x.Edges = make([]*rg.Edge, 0, most)
	x.Nodes = make([]*rg.Node, 0, most)
	var seenEdge map[string]bool
	if f.Direction != rg.Out && f.Direction != rg.In {
		seenEdge = make(map[string]bool, most)
	}
	seenNode := make(map[string]bool, most)
	for _, id := range nodeIDs {
		g.incident(id, f.Direction, kinds, func(e *rg.Edge) {
			if (ids != nil && !ids[e.ID]) || !e.HoldsInYear(f.Year) {
				return
			}
			if seenEdge == nil {
				x.Edges = append(x.Edges, e)
			} else if !seenEdge[e.ID] {
				seenEdge[e.ID] = true
				x.Edges = append(x.Edges, e)
			}
			if o := e.Other(id); !seenNode[o] {
				seenNode[o] = true
				if n := g.nodes[o]; n != nil {
					x.Nodes = append(x.Nodes, n)
				}
			}
		})
	}
	sortEdges(x.Edges)
	slices.SortFunc(x.Nodes, func(a, b *rg.Node) int { return cmp.Compare(a.ID, b.ID) })
	return x, nil
}

// reverse is the direction of a relation as seen from its other end.
func reverse(d rg.Direction) rg.Direction {
	switch d {
	case rg.Out:
		return rg.In
	case rg.In:
		return rg.Out
	}
	return rg.Both
}

// related returns the ids of the nodes that satisfy r in year y.
func (g *graph) related(r rg.Related, y *int) map[string]bool {
	m := map[string]bool{}
	kinds := []rg.RelKind{r.Kind}
	for _, id := range uniq(r.NodeIDs) {
		g.incident(id, reverse(r.Direction), kinds, func(e *rg.Edge) {
			if e.HoldsInYear(y) {
				m[e.Other(id)] = true
			}
		})
	}
	return m
}

type keyed struct {
	v any
	n *rg.Node
}

func (g *graph) findNodes(f rg.NodeFilter) (rg.NodePage, error) {
	if err := f.Validate(); err != nil {
		return rg.NodePage{}, err
	}
	size, err := rg.PageSize(f.First)
	if err != nil {
		return rg.NodePage{}, err
	}
	var after *rg.Cursor
	if f.After != "" {
		c, err := rg.DecodeCursor(f.Order, f.After)
		if err != nil {
			return rg.NodePage{}, err
		}
		after = &c
	}

	// Candidates: the smallest index at hand.
	fq := rg.Fold(f.Text)
	textSlots, byText := g.grams.candidates(fq)
	var cands []*rg.Node
	switch {
	case len(f.IDs) > 0:
		for _, id := range uniq(f.IDs) {
			if n, ok := g.nodes[id]; ok {
				cands = append(cands, n)
			}
		}
	case byText && len(textSlots) < g.kindsSize(f.Kinds):
		// The nodes that may contain the text (checked below with the
		// rest), fewer than those of the kinds asked for.
		cands = make([]*rg.Node, 0, len(textSlots))
		for _, slot := range textSlots {
			if id := g.grams.ids[slot]; id != "" {
				cands = append(cands, g.nodes[id])
			}
		}
	case len(f.Kinds) > 0:
		ks, size := uniq(f.Kinds), 0
		for _, k := range ks {
			size += len(g.byKind[k])
		}
		cands = make([]*rg.Node, 0, size)
		for _, k := range ks {
			for _, n := range g.byKind[k] {
				cands = append(cands, n)
			}
		}
	default:
		cands = make([]*rg.Node, 0, len(g.nodes))
		for _, n := range g.nodes {
			cands = append(cands, n)
		}
	}
	rels := make([]map[string]bool, len(f.Related))
	for i, r := range f.Related {
		rels[i] = g.related(r, f.Year)
	}
	kinds := uniq(f.Kinds)

	matches := make([]keyed, 0, len(cands))
	for _, n := range cands {
		if len(kinds) > 0 && !slices.Contains(kinds, n.Kind) {
			continue
		}
		if f.PlanYear != nil && (n.PlanYear == nil || *n.PlanYear != *f.PlanYear) {
			continue
		}
		if f.Code != "" && n.Code != f.Code {
			continue
		}
		ok := true
		for _, m := range rels {
			if !m[n.ID] {
				ok = false
				break
			}
		}
		if !ok || !g.matches(n.ID, fq) {
			continue
		}
		matches = append(matches, keyed{rg.SortValue(n, f.Order.Field), n})
	}
	total := len(matches)
	if after != nil {
		rest := matches[:0]
		for _, k := range matches {
			if rg.CompareKeys(f.Order, k.v, k.n.ID, after.Value, after.ID) > 0 {
				rest = append(rest, k)
			}
		}
		matches = rest
	}
	// Only the page is put in order: the size smallest of the matches
	// after the cursor (a count asks for one; a page of a national
	// graph's list is 20 to 100 of tens of thousands).
	cmp := func(a, b keyed) int { return rg.CompareKeys(f.Order, a.v, a.n.ID, b.v, b.n.ID) }
	page := rg.NodePage{TotalCount: total, HasNextPage: len(matches) > size}
	matches = rg.Smallest(matches, size, cmp)
	page.Nodes = make([]*rg.Node, 0, len(matches))
	for _, k := range matches {
		page.Nodes = append(page.Nodes, k.n)
	}
	if len(matches) > 0 {
		page.EndCursor = rg.CursorFor(f.Order, matches[len(matches)-1].n)
	}
	return page, nil
}

// kindsSize is how many nodes are of the kinds (every node when there are
// none).
func (g *graph) kindsSize(kinds []rg.Kind) int {
	if len(kinds) == 0 {
		return len(g.nodes)
	}
	n := 0
	for _, k := range uniq(kinds) {
		n += len(g.byKind[k])
	}
	return n
}

func (g *graph) subgraph(f rg.SubgraphFilter) (*rg.Subgraph, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	kinds := set(f.Kinds)
	rels := uniq(f.Relations)
	nodeOK := func(n *rg.Node) bool { return kinds == nil || kinds[n.Kind] }
	// kindOK is nodeOK by id, which looks the node up only to filter by kind.
	kindOK := func(id string) bool { return kinds == nil || kinds[g.nodes[id].Kind] }
	edgeOK := func(e *rg.Edge) bool { return e.HoldsInYear(f.Year) }
	relOK := func(e *rg.Edge) bool { return len(rels) == 0 || slices.Contains(rels, e.Kind) }

	// picked lists the chosen nodes in the order they are kept when cut.
	var picked []*rg.Node
	if len(f.Roots) == 0 {
		for _, n := range g.nodes {
			if nodeOK(n) {
				picked = append(picked, n)
			}
		}
		slices.SortFunc(picked, func(a, b *rg.Node) int { return cmp.Compare(a.ID, b.ID) })
	} else {
		roots := make([]string, 0, len(f.Roots))
		// seen holds the nodes reached, with the level they were reached at.
		seen := map[string]int{}
		for _, id := range f.Roots {
			if _, ok := seen[id]; ok {
				continue
			}
			if _, ok := g.nodes[id]; !ok {
				return nil, &rg.Error{Code: rg.ENOTFOUND, Field: "roots", Message: fmt.Sprintf("no node %q", id)}
			}
			seen[id] = 0
			roots = append(roots, id)
		}
		slices.Sort(roots)
		// Breadth first, level by level; each level in id order, so the
		// nodes are picked by (distance, id). When MaxNodes cuts a level,
		// only its first ids are needed (and one more, to say it is cut):
		// at most want of them, and each node of the level above gives
		// at most its first want neighbours, which a hub finds in its
		// relations ordered by neighbour (neighbours) without going
		// through all of them. Past the cut nothing is walked.
		level := roots
		for _, id := range roots {
			picked = append(picked, g.nodes[id])
		}
		for d := 1; d <= f.Depth && len(level) > 0; d++ {
			want := -1 // all
			if f.MaxNodes > 0 {
				if len(picked) > f.MaxNodes {
					break // cut already
				}
				want = f.MaxNodes - len(picked) + 1
			}
			var next []string
			reach := func(o string) {
				if _, ok := seen[o]; !ok {
					seen[o] = d
					next = append(next, o)
				}
			}
			for _, id := range level {
				if want < 0 || g.degree(id, rg.Both) < max(indexDegree, 2*want) {
					// One look-up a relation (seen); the node itself
					// only when a kind filter asks for it.
					g.incident(id, rg.Both, rels, func(e *rg.Edge) {
						o := e.Other(id)
						if _, ok := seen[o]; !ok && edgeOK(e) && kindOK(o) {
							seen[o] = d
							next = append(next, o)
						}
					})
					continue
				}
				// Many relations: its first want neighbours of this level
				// by id.
				found := 0
				xs := g.neighbours(id)
				for i := 0; i < len(xs) && found < want; {
					o := xs[i].id
					ok := false
					for ; i < len(xs) && xs[i].id == o; i++ {
						ok = ok || (relOK(xs[i].e) && edgeOK(xs[i].e))
					}
					if lv, was := seen[o]; !ok || (was && lv < d) || !kindOK(o) {
						continue
					}
					found++
					reach(o)
				}
			}
			slices.Sort(next)
			if want > 0 && len(next) >= want {
				next = next[:want]
			}
			for _, id := range next {
				picked = append(picked, g.nodes[id])
			}
			level = next
		}
	}

	sg := &rg.Subgraph{}
	if f.MaxNodes > 0 && len(picked) > f.MaxNodes {
		picked = picked[:f.MaxNodes]
		sg.Truncated = true
	}
	// The relations among the picked nodes: those leaving a node with
	// fewer than hubDegree relations from its own list; those from a hub
	// to such a node from that node's list; those between two hubs from
	// the first one's relations ordered by neighbour. No hub's relations
	// are gone through one by one.
	const small, hub = 1, 2
	in := make(map[string]int8, len(picked))
	var hubs []string
	for _, n := range picked {
		in[n.ID] = small
		if g.degree(n.ID, rg.Both) >= hubDegree {
			in[n.ID] = hub
			hubs = append(hubs, n.ID)
		}
	}
	slices.Sort(hubs)
	var edges []*rg.Edge
	for _, n := range picked {
		if in[n.ID] == small {
			g.incident(n.ID, rg.Out, rels, func(e *rg.Edge) {
				if in[e.To] != 0 && edgeOK(e) {
					edges = append(edges, e)
				}
			})
			if len(hubs) > 0 {
				g.incident(n.ID, rg.In, rels, func(e *rg.Edge) {
					if in[e.From] == hub && edgeOK(e) {
						edges = append(edges, e)
					}
				})
			}
			continue
		}
		xs := g.neighbours(n.ID)
		for _, m := range hubs {
			i, _ := slices.BinarySearchFunc(xs, m, func(x otherEnd, id string) int { return cmp.Compare(x.id, id) })
			for ; i < len(xs) && xs[i].id == m; i++ {
				if e := xs[i].e; e.From == n.ID && edgeOK(e) && relOK(e) {
					edges = append(edges, e)
				}
			}
		}
	}
	slices.SortFunc(picked, func(a, b *rg.Node) int { return cmp.Compare(a.ID, b.ID) })
	sortEdges(edges)
	sg.Nodes = picked
	sg.Edges = edges
	return sg, nil
}
