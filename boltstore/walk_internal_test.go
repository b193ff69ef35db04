package boltstore

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// randomGraph is a graph of n nodes of three kinds and about m relations of
// three kinds, a few nodes hubs, some relations bounded in years; parallel
// relations between two nodes occur.
func randomGraph(r *rand.Rand, n, m int) *graph {
	g := newGraph()
	kinds := []rg.Kind{rg.KindMunicipality, rg.KindInitiative, rg.KindPartner}
	for i := range n {
		g.putNodes([]*rg.Node{{ID: fmt.Sprintf("n%03d", i), Kind: kinds[r.IntN(len(kinds))], Name: fmt.Sprint("node ", i)}})
	}
	rels := []rg.RelKind{rg.RelFunds, rg.RelPartnerOf, rg.RelCoordinates}
	var es []*rg.Edge
	for i := range m {
		a := r.IntN(n)
		if r.IntN(4) == 0 {
			a = r.IntN(3) // hubs
		}
		b := r.IntN(n)
		if a == b {
			continue
		}
		e := &rg.Edge{ID: fmt.Sprintf("e%04d", i), Kind: rels[r.IntN(len(rels))], From: fmt.Sprintf("n%03d", a), To: fmt.Sprintf("n%03d", b)}
		if r.IntN(3) == 0 {
			y := 2010 + r.IntN(4)
			e.FromYear, e.ToYear = &y, &y
		}
		es = append(es, e)
	}
	g.putEdges(es)
	return g
}

// changeRelations removes, adds and replaces relations of g.
func changeRelations(r *rand.Rand, g *graph) {
	var ids []string
	for id := range g.edges {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for range len(ids) / 5 {
		g.deleteEdge(ids[r.IntN(len(ids))])
	}
	node := func() string { return fmt.Sprintf("n%03d", r.IntN(3+r.IntN(len(g.nodes)-3))) }
	add := func(i int) *rg.Edge {
		a, b := node(), node()
		for a == b {
			b = node()
		}
		return &rg.Edge{ID: fmt.Sprintf("x%05d", i), Kind: rg.RelPartnerOf, From: a, To: b}
	}
	for i := range 20 {
		g.putEdge(add(i))
	}
	var batch []*rg.Edge
	for i := range 100 {
		batch = append(batch, add(100+i))
	}
	g.putEdges(batch)
	g.putEdge(add(5)) // x00005 again, between other nodes
}

// subgraphReference is the subgraph walk before it stopped at MaxNodes: every
// level walked to the depth, then cut.
func (g *graph) subgraphReference(f rg.SubgraphFilter) *rg.Subgraph {
	kinds := set(f.Kinds)
	rels := uniq(f.Relations)
	nodeOK := func(n *rg.Node) bool { return kinds == nil || kinds[n.Kind] }
	edgeOK := func(e *rg.Edge) bool { return e.HoldsInYear(f.Year) }
	var picked []*rg.Node
	roots := uniq(slices.Clone(f.Roots))
	seen := map[string]bool{}
	for _, id := range roots {
		seen[id] = true
		picked = append(picked, g.nodes[id])
	}
	level := roots
	for d := 0; d < f.Depth && len(level) > 0; d++ {
		var next []string
		for _, id := range level {
			g.incident(id, rg.Both, rels, func(e *rg.Edge) {
				o := e.Other(id)
				if seen[o] || !edgeOK(e) || !nodeOK(g.nodes[o]) {
					return
				}
				seen[o] = true
				next = append(next, o)
			})
		}
		slices.Sort(next)
		for _, id := range next {
			picked = append(picked, g.nodes[id])
		}
		level = next
	}
	sg := &rg.Subgraph{}
	if f.MaxNodes > 0 && len(picked) > f.MaxNodes {
		picked = picked[:f.MaxNodes]
		sg.Truncated = true
	}
	in := map[string]bool{}
	for _, n := range picked {
		in[n.ID] = true
	}
	var edges []*rg.Edge
	for _, n := range picked {
		g.incident(n.ID, rg.Out, rels, func(e *rg.Edge) {
			if in[e.To] && edgeOK(e) {
				edges = append(edges, e)
			}
		})
	}
	slices.SortFunc(picked, func(a, b *rg.Node) int { return cmp.Compare(a.ID, b.ID) })
	sortEdges(edges)
	sg.Nodes, sg.Edges = picked, edges
	return sg
}

func subgraphIDs(sg *rg.Subgraph) string {
	s := fmt.Sprint(sg.Truncated, " nodes")
	for _, n := range sg.Nodes {
		s += " " + n.ID
	}
	s += " edges"
	for _, e := range sg.Edges {
		s += " " + e.ID
	}
	return s
}

// TestSubgraphStopsAtMaxNodesSameAnswer holds the walk that stops once
// MaxNodes are reached to the answer of the walk to the full depth, on
// random graphs with hubs, for roots, depths, limits, kinds, relations and
// years.
func TestSubgraphStopsAtMaxNodesSameAnswer(t *testing.T) {
	// With the hubs' neighbours looked up by id from every degree, from
	// a few and from the default (none in these graphs).
	for _, hd := range []int{1, 8, hubDegree} {
		t.Run(fmt.Sprint("hubDegree=", hd), func(t *testing.T) {
			defer func(h, i int) { hubDegree, indexDegree = h, i }(hubDegree, indexDegree)
			hubDegree, indexDegree = hd, min(hd, indexDegree)
			testSubgraphSameAnswer(t)
		})
	}
}

func testSubgraphSameAnswer(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for gi := range 30 {
		g := randomGraph(r, 20+r.IntN(200), 50+r.IntN(600))
		for qi := range 80 {
			if qi == 40 {
				// The relations change after the walks have ordered the
				// hubs' neighbours: some removed, some added one at a
				// time, some in a batch, one replaced with other ends.
				changeRelations(r, g)
			}
			f := rg.SubgraphFilter{Depth: 1 + r.IntN(3)}
			for range 1 + r.IntN(3) {
				f.Roots = append(f.Roots, fmt.Sprintf("n%03d", r.IntN(len(g.nodes))))
			}
			if r.IntN(4) > 0 {
				f.MaxNodes = 1 + r.IntN(60)
			}
			if r.IntN(4) == 0 {
				f.Kinds = []rg.Kind{rg.KindInitiative, rg.KindPartner}
			}
			if r.IntN(4) == 0 {
				f.Relations = []rg.RelKind{rg.RelFunds, rg.RelCoordinates}
			}
			if r.IntN(4) == 0 {
				y := 2011
				f.Year = &y
			}
			got, err := g.subgraph(f)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := subgraphIDs(got), subgraphIDs(g.subgraphReference(f)); a != b {
				t.Fatalf("graph %d query %d %+v:\n got %s\nwant %s", gi, qi, f, a, b)
			}
		}
	}
}

// shortestPathsReference is the path search before it went from both ends:
// a full search from one end to the path's length, then one from the other.
func (g *graph) shortestPathsReference(from, to string, o rg.PathOptions) ([]rg.Path, error) {
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

func pathIDs(ps []rg.Path) string {
	s := ""
	for _, p := range ps {
		s += "["
		for i, n := range p.Nodes {
			s += n.ID
			if i < len(p.Edges) {
				s += " -" + p.Edges[i].ID + "- "
			}
		}
		s += "] "
	}
	return s
}

// TestShortestPathsFromBothEndsSameAnswer holds the search from both ends
// to the answers (the same paths in the same order) of the search from one
// end, on random graphs with hubs, parallel relations, kinds, relation
// kinds, years, hop bounds and numbers of paths.
func TestShortestPathsFromBothEndsSameAnswer(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	found := 0
	for gi := range 30 {
		g := randomGraph(r, 20+r.IntN(150), 20+r.IntN(400))
		for qi := range 60 {
			from, to := fmt.Sprintf("n%03d", r.IntN(len(g.nodes))), fmt.Sprintf("n%03d", r.IntN(len(g.nodes)))
			o := rg.PathOptions{MaxHops: 1 + r.IntN(rg.MaxHops), First: 1 + r.IntN(30)}
			if r.IntN(4) == 0 {
				o.Kinds = []rg.Kind{rg.KindInitiative, rg.KindMunicipality}
			}
			if r.IntN(4) == 0 {
				o.Relations = []rg.RelKind{rg.RelFunds, rg.RelPartnerOf}
			}
			if r.IntN(4) == 0 {
				y := 2012
				o.Year = &y
			}
			got, err := g.shortestPaths(from, to, o)
			if err != nil {
				t.Fatal(err)
			}
			want, err := g.shortestPathsReference(from, to, o)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := pathIDs(got), pathIDs(want); a != b {
				t.Fatalf("graph %d query %d %s -> %s %+v:\n got %s\nwant %s", gi, qi, from, to, o, a, b)
			}
			if len(want) > 1 {
				found++
			}
		}
	}
	if found < 100 {
		t.Fatalf("only %d queries with more than one path: the graphs test too little", found)
	}
}

// TestNeighbourOrderConcurrentReaders: readers that make a node's
// neighbour order at the same time (each under the read lock) get the same
// answers; run with -race.
func TestNeighbourOrderConcurrentReaders(t *testing.T) {
	defer func(h, i int) { hubDegree, indexDegree = h, i }(hubDegree, indexDegree)
	hubDegree, indexDegree = 1, 1
	r := rand.New(rand.NewPCG(5, 6))
	g := randomGraph(r, 150, 900)
	f := rg.SubgraphFilter{Roots: []string{"n000", "n001"}, Depth: 2, MaxNodes: 20}
	want := subgraphIDs(g.subgraphReference(f))
	done := make(chan string, 8)
	for range 8 {
		go func() {
			sg, err := g.subgraph(f)
			if err != nil {
				done <- err.Error()
				return
			}
			done <- subgraphIDs(sg)
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	}
}
