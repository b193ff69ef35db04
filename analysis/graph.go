package analysis

import (
	"cmp"
	"context"
	"slices"
	"sync/atomic"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
)

// ugraph is an undirected, weighted graph over the node ids 0..n-1 with
// sorted adjacency lists. It implements gonum's graph.WeightedUndirected, so
// gonum's algorithms run on it directly, and it iterates in a fixed order, so
// they give the same answer on every run (gonum's own simple graphs iterate
// over maps).
//
// Once stop is set (by a cancelled context), From returns no neighbours:
// whatever gonum algorithm is running then finishes quickly, and the caller,
// seeing the context's error, throws its result away.
type ugraph struct {
	nodes []graph.Node   // nodes[i] is simple.Node(i)
	adj   [][]graph.Node // neighbours of i, by id
	w     [][]float64    // w[i][k] is the weight of the link i–adj[i][k]
	stop  atomic.Bool
}

// newUgraph returns the graph over n nodes with the given links, each
// between two different nodes and given once.
func newUgraph(n int, links []Link, index map[string]int) *ugraph {
	g := &ugraph{nodes: make([]graph.Node, n), adj: make([][]graph.Node, n), w: make([][]float64, n)}
	for i := range n {
		g.nodes[i] = simple.Node(int64(i))
	}
	for _, l := range links {
		u, v := index[l.A], index[l.B]
		g.adj[u] = append(g.adj[u], g.nodes[v])
		g.w[u] = append(g.w[u], l.Weight)
		g.adj[v] = append(g.adj[v], g.nodes[u])
		g.w[v] = append(g.w[v], l.Weight)
	}
	for u := range g.adj {
		idx := make([]int, len(g.adj[u]))
		for k := range idx {
			idx[k] = k
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(g.adj[u][a].ID(), g.adj[u][b].ID()) })
		adj := make([]graph.Node, len(idx))
		w := make([]float64, len(idx))
		for k, i := range idx {
			adj[k], w[k] = g.adj[u][i], g.w[u][i]
		}
		g.adj[u], g.w[u] = adj, w
	}
	return g
}

// watch makes From return nothing once ctx is done. Call the returned
// function to stop watching.
func (g *ugraph) watch(ctx context.Context) (unwatch func() bool) {
	return context.AfterFunc(ctx, func() { g.stop.Store(true) })
}

func (g *ugraph) weightOf(u, v int64) (float64, bool) {
	if u < 0 || v < 0 || int(u) >= len(g.adj) || int(v) >= len(g.adj) {
		return 0, false
	}
	adj := g.adj[u]
	k, ok := slices.BinarySearchFunc(adj, v, func(n graph.Node, id int64) int { return cmp.Compare(n.ID(), id) })
	if !ok {
		return 0, false
	}
	return g.w[u][k], true
}

func (g *ugraph) Node(id int64) graph.Node {
	if id < 0 || int(id) >= len(g.nodes) {
		return nil
	}
	return g.nodes[id]
}

func (g *ugraph) Nodes() graph.Nodes {
	if len(g.nodes) == 0 {
		return graph.Empty
	}
	return iterator.NewOrderedNodes(g.nodes)
}

func (g *ugraph) From(id int64) graph.Nodes {
	if id < 0 || int(id) >= len(g.adj) || len(g.adj[id]) == 0 || g.stop.Load() {
		return graph.Empty
	}
	return iterator.NewOrderedNodes(g.adj[id])
}

func (g *ugraph) HasEdgeBetween(x, y int64) bool { _, ok := g.weightOf(x, y); return ok }

func (g *ugraph) Edge(u, v int64) graph.Edge { return g.WeightedEdge(u, v) }

func (g *ugraph) EdgeBetween(x, y int64) graph.Edge { return g.WeightedEdge(x, y) }

func (g *ugraph) WeightedEdgeBetween(x, y int64) graph.WeightedEdge { return g.WeightedEdge(x, y) }

func (g *ugraph) WeightedEdge(u, v int64) graph.WeightedEdge {
	w, ok := g.weightOf(u, v)
	if !ok {
		return nil
	}
	return simple.WeightedEdge{F: g.nodes[u], T: g.nodes[v], W: w}
}

// Weight returns the weight of the link x–y; a node has weight 0 to itself
// (no self-loops).
func (g *ugraph) Weight(x, y int64) (float64, bool) {
	if x == y && g.Node(x) != nil {
		return 0, true
	}
	return g.weightOf(x, y)
}

var (
	_ graph.WeightedUndirected = (*ugraph)(nil)
	_ graph.Undirected         = hops{}
	_ graph.WeightedDirected   = directed{}
)

// hops is the unweighted view of a ugraph: path algorithms on it count hops.
type hops struct{ g *ugraph }

func (h hops) Node(id int64) graph.Node          { return h.g.Node(id) }
func (h hops) Nodes() graph.Nodes                { return h.g.Nodes() }
func (h hops) From(id int64) graph.Nodes         { return h.g.From(id) }
func (h hops) HasEdgeBetween(x, y int64) bool    { return h.g.HasEdgeBetween(x, y) }
func (h hops) Edge(u, v int64) graph.Edge        { return h.edge(u, v) }
func (h hops) EdgeBetween(x, y int64) graph.Edge { return h.edge(x, y) }
func (h hops) edge(u, v int64) graph.Edge {
	if !h.g.HasEdgeBetween(u, v) {
		return nil
	}
	return simple.Edge{F: h.g.nodes[u], T: h.g.nodes[v]}
}

// directed is the weighted directed view of a ugraph (each link both ways),
// for PageRank.
type directed struct{ g *ugraph }

func (d directed) Node(id int64) graph.Node                   { return d.g.Node(id) }
func (d directed) Nodes() graph.Nodes                         { return d.g.Nodes() }
func (d directed) From(id int64) graph.Nodes                  { return d.g.From(id) }
func (d directed) To(id int64) graph.Nodes                    { return d.g.From(id) }
func (d directed) HasEdgeBetween(x, y int64) bool             { return d.g.HasEdgeBetween(x, y) }
func (d directed) HasEdgeFromTo(u, v int64) bool              { return d.g.HasEdgeBetween(u, v) }
func (d directed) Edge(u, v int64) graph.Edge                 { return d.g.WeightedEdge(u, v) }
func (d directed) WeightedEdge(u, v int64) graph.WeightedEdge { return d.g.WeightedEdge(u, v) }
func (d directed) Weight(x, y int64) (float64, bool)          { return d.g.Weight(x, y) }

// walker is a hop-count view of a ugraph for one walk-per-source gonum
// algorithm (Brandes' betweenness, breadth-first traversal) running in one
// goroutine: From hands out one reusable iterator per node instead of a new
// one per call. That is safe because those algorithms consume a node's
// neighbours completely before asking for that node's neighbours again; a
// walker must not be shared between goroutines or used for anything else.
type walker struct {
	hops
	its []*iterator.OrderedNodes
}

func newWalker(g *ugraph) *walker {
	w := &walker{hops: hops{g}, its: make([]*iterator.OrderedNodes, len(g.adj))}
	for i, adj := range g.adj {
		w.its[i] = iterator.NewOrderedNodes(adj)
	}
	return w
}

func (w *walker) From(id int64) graph.Nodes {
	if id < 0 || int(id) >= len(w.its) || len(w.g.adj[id]) == 0 || w.g.stop.Load() {
		return graph.Empty
	}
	it := w.its[id]
	it.Reset()
	return it
}
