package export

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/layout"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/spatial/r2"

	rg "github.com/regiongraph/regiongraph"
)

// Point is a position in the layout, in drawing units (see Unit); the
// layout's top-left corner is at (0, 0).
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Unit is the length in drawing units of a relation between two nodes that
// have no other relations. A relation is longer the more neighbours its two
// ends do not share (sqrt of the size of the symmetric difference of their
// neighbourhoods, as WebCola's symmetricDiffLinkLengths), which gives hubs
// room for their many neighbours.
const Unit = 24

// EdgeLength is the spacing of the grid of nodes without relations and the
// gap between components.
const EdgeLength = 2 * Unit

// Layout places the nodes of sg one connected component at a time (see
// layoutComponent: gonum's graph/layout, then stress majorization) and packs
// the components in rows, largest first, with the nodes without relations in
// a grid at the end. The result depends only on sg (no randomness but a
// fixed seed), so the same selection is always drawn the same way.
func Layout(sg *rg.Subgraph) map[string]Point {
	pos, _ := LayoutContext(context.Background(), sg)
	return pos
}

// LayoutContext is Layout that stops when ctx is done, returning its error:
// it looks at ctx between components and every few milliseconds within a
// component's layout (between walks, stress iterations and separation
// rounds).
func LayoutContext(ctx context.Context, sg *rg.Subgraph) (map[string]Point, error) {
	ids := make([]string, len(sg.Nodes))
	index := make(map[string]int64, len(sg.Nodes))
	for i, n := range sg.Nodes {
		ids[i] = n.ID
	}
	slices.Sort(ids)
	for i, id := range ids {
		index[id] = int64(i)
	}
	adj := make([][]int64, len(ids))
	seen := map[[2]int64]bool{}
	for _, e := range sg.Edges {
		a, okA := index[e.From]
		b, okB := index[e.To]
		if !okA || !okB || a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		if seen[[2]int64{a, b}] {
			continue
		}
		seen[[2]int64{a, b}] = true
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
	}
	for i := range adj {
		slices.Sort(adj[i])
	}

	// Connected components, each in index order, numbered by their first node.
	comp := make([]int, len(ids))
	for i := range comp {
		comp[i] = -1
	}
	var comps [][]int64
	for i := range ids {
		if comp[i] >= 0 {
			continue
		}
		c := len(comps)
		members := []int64{int64(i)}
		comp[i] = c
		for q := 0; q < len(members); q++ {
			for _, o := range adj[members[q]] {
				if comp[o] < 0 {
					comp[o] = c
					members = append(members, o)
				}
			}
		}
		slices.Sort(members)
		comps = append(comps, members)
	}

	type placed struct {
		members []int64
		pos     []r2.Vec // relative to the component's centre
		radius  float64
	}
	var blocks []placed
	var singles []int64
	for c, members := range comps {
		if len(members) == 1 {
			singles = append(singles, members[0])
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		pos, err := layoutComponent(ctx, members, adj, uint64(c)+1)
		if err != nil {
			return nil, err
		}
		r := 0.0
		for _, p := range pos {
			r = math.Max(r, r2.Norm(p))
		}
		blocks = append(blocks, placed{members: members, pos: pos, radius: r + EdgeLength/2})
	}
	slices.SortStableFunc(blocks, func(a, b placed) int { return cmp.Compare(b.radius, a.radius) })

	out := make(map[string]Point, len(ids))
	// Shelf packing: rows no wider than the largest block or a square's side.
	area := 0.0
	for _, b := range blocks {
		area += 4 * b.radius * b.radius
	}
	area += float64(len(singles)) * EdgeLength * EdgeLength
	width := math.Sqrt(area) * 1.2
	if len(blocks) > 0 {
		width = math.Max(width, 2*blocks[0].radius)
	}
	x, y, rowH := 0.0, 0.0, 0.0
	for _, b := range blocks {
		d := 2 * b.radius
		if x > 0 && x+d > width {
			x, y, rowH = 0, y+rowH, 0
		}
		for i, m := range b.members {
			out[ids[m]] = Point{X: round2(x + b.radius + b.pos[i].X), Y: round2(y + b.radius + b.pos[i].Y)}
		}
		x += d
		rowH = math.Max(rowH, d)
	}
	if len(singles) > 0 {
		y += rowH
		if len(blocks) > 0 {
			y += EdgeLength / 2
		}
		cols := max(1, int(width/EdgeLength))
		for i, m := range singles {
			out[ids[m]] = Point{X: round2(EdgeLength/2 + float64(i%cols)*EdgeLength), Y: round2(y + EdgeLength/2 + float64(i/cols)*EdgeLength)}
		}
	}
	return out, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Component sizes up to which each step of the layout runs.
const (
	isomapMax = 400  // gonum's IsomapR2 (Floyd–Warshall, O(n³)) as the start
	stressMax = 2000 // stress majorization (an n×n distance matrix)
)

// layoutComponent lays out one connected component and returns the positions
// of members, centred on (0, 0) and scaled so that the median relation is
// EdgeLength long. It starts from gonum's IsomapR2 (classical scaling of the
// hop distances; EadesR2 with a fixed seed for large components) and refines
// that by stress majorization (Gansner, Koren and North 2004), which moves
// apart the nodes that classical scaling puts on one spot (leaves of the
// same hub) and makes distances on the page follow hops in the graph.
func layoutComponent(ctx context.Context, members []int64, adj [][]int64, seed uint64) ([]r2.Vec, error) {
	g := newOrderedGraph(members, adj)
	n := len(members)
	var update func(graph.Graph, layout.LayoutR2) bool
	if n <= isomapMax {
		update = layout.IsomapR2{}.Update
	} else {
		eades := layout.EadesR2{Updates: 60, Repulsion: 1.0 / float64(n), Rate: 0.01, Theta: 0.5, Src: rand.NewPCG(seed, 0x5eed)}
		update = eades.Update
	}
	opt := layout.NewOptimizerR2(g, update)
	for opt.Update() {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
	}
	pos := make([]r2.Vec, n)
	spread := 0.0
	for i, m := range members {
		pos[i] = opt.Coord2(m)
		if math.IsNaN(pos[i].X) || math.IsNaN(pos[i].Y) || math.IsInf(pos[i].X, 0) || math.IsInf(pos[i].Y, 0) {
			pos[i] = r2.Vec{}
		}
		spread = math.Max(spread, r2.Norm(r2.Sub(pos[i], pos[0])))
	}
	if spread < 1e-9 {
		// Isomap gives nothing for components it cannot embed in two
		// dimensions (two nodes, a path of three): start on a circle.
		for i := range pos {
			pos[i] = circle(i, n)
		}
	}
	if n <= stressMax {
		d, err := g.distances(ctx)
		if err != nil {
			return nil, err
		}
		if err := stress(ctx, pos, d); err != nil {
			return nil, err
		}
	}

	var c r2.Vec
	for _, p := range pos {
		c = r2.Add(c, p)
	}
	c = r2.Scale(1/float64(n), c)
	// Scale so that the median relation is drawn as long as it should be.
	var ratios []float64
	for i, m := range members {
		for _, o := range adj[m] {
			if o > m {
				ratios = append(ratios, r2.Norm(r2.Sub(pos[i], pos[g.at[o]]))/g.length(m, o))
			}
		}
	}
	slices.Sort(ratios)
	scale := float64(Unit)
	if len(ratios) > 0 && ratios[len(ratios)/2] > 1e-9 {
		scale = Unit / ratios[len(ratios)/2]
	}
	for i := range pos {
		pos[i] = r2.Scale(scale, r2.Sub(pos[i], c))
	}
	if err := separate(ctx, pos, MinGap); err != nil {
		return nil, err
	}
	return pos, nil
}

// MinGap is the least distance between two node centres in a component:
// room for two of the smallest nodes side by side.
const MinGap = 2*MinSize + 4

// separate pushes apart the nodes closer than gap, a few rounds in index
// order (so deterministically). Stress majorization leaves the leaves of one
// hub where they started; this keeps them from sitting on one another.
func separate(ctx context.Context, pos []r2.Vec, gap float64) error {
	if len(pos) > stressMax {
		return nil
	}
	for round := 0; round < 30; round++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("layout: %w", err)
		}
		moved := false
		for i := range pos {
			for j := i + 1; j < len(pos); j++ {
				d := r2.Sub(pos[j], pos[i])
				l := r2.Norm(d)
				if l >= gap {
					continue
				}
				if l < 1e-9 {
					a := float64(i+j) * 2.399963229728653
					d, l = r2.Vec{X: math.Cos(a), Y: math.Sin(a)}, 1
				}
				push := r2.Scale((gap-l)/(2*l), d)
				pos[i] = r2.Sub(pos[i], push)
				pos[j] = r2.Add(pos[j], push)
				moved = true
			}
		}
		if !moved {
			return nil
		}
	}
	return nil
}

// stress improves pos by stress majorization towards the distances d (an
// n×n matrix), weighting each pair by 1/d². Nodes on one spot are first
// moved apart a little, in a fixed pattern, so the result is deterministic.
func stress(ctx context.Context, pos []r2.Vec, d []float64) error {
	n := len(pos)
	if n < 2 {
		return nil
	}
	// The start is in Isomap's units, the link lengths; a fixed small
	// spiral separates coincident nodes.
	for i := range pos {
		a := float64(i) * 2.399963229728653 // the golden angle
		r := 0.02 * math.Sqrt(float64(i+1))
		pos[i] = r2.Add(pos[i], r2.Vec{X: r * math.Cos(a), Y: r * math.Sin(a)})
	}
	iters := 300
	if n > 500 {
		iters = 60
	}
	for it := 0; it < iters; it++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("layout: %w", err)
		}
		moved := 0.0
		for i := range pos {
			var num r2.Vec
			den := 0.0
			row := d[i*n : (i+1)*n]
			for j := range pos {
				if j == i || row[j] <= 0 {
					continue
				}
				w := 1 / (row[j] * row[j])
				diff := r2.Sub(pos[i], pos[j])
				l := r2.Norm(diff)
				t := pos[j]
				if l > 1e-9 {
					t = r2.Add(t, r2.Scale(row[j]/l, diff))
				}
				num = r2.Add(num, r2.Scale(w, t))
				den += w
			}
			if den == 0 {
				continue
			}
			next := r2.Scale(1/den, num)
			moved = math.Max(moved, r2.Norm(r2.Sub(next, pos[i])))
			pos[i] = next
		}
		if moved < 1e-4 {
			return nil
		}
	}
	return nil
}

func circle(i, n int) r2.Vec {
	a := 2 * math.Pi * float64(i) / float64(n)
	return r2.Vec{X: math.Cos(a), Y: math.Sin(a)}
}

// orderedGraph is a connected component as an undirected weighted graph
// whose nodes and neighbours iterate in id order, so that the layout is
// deterministic (gonum's simple graphs iterate over maps). The weights are
// the link lengths (see Unit), which IsomapR2's shortest paths use.
type orderedGraph struct {
	members []int64
	nodes   []graph.Node
	at      map[int64]int // member -> index
	adj     [][]int64     // of every node of the selection, sorted
	from    map[int64][]graph.Node
	edge    map[[2]int64]float64 // link length
}

func newOrderedGraph(members []int64, adj [][]int64) *orderedGraph {
	g := &orderedGraph{members: members, at: map[int64]int{}, adj: adj, from: map[int64][]graph.Node{}, edge: map[[2]int64]float64{}}
	for i, m := range members {
		g.nodes = append(g.nodes, simple.Node(m))
		g.at[m] = i
	}
	for _, m := range members {
		for _, o := range adj[m] {
			g.from[m] = append(g.from[m], simple.Node(o))
			if o > m {
				l := linkLength(adj[m], adj[o])
				g.edge[[2]int64{m, o}], g.edge[[2]int64{o, m}] = l, l
			}
		}
	}
	return g
}

// linkLength is sqrt of the number of nodes that are neighbours of exactly
// one of the two ends (a and b are their sorted neighbour lists), at least 1.
func linkLength(a, b []int64) float64 {
	i, j, diff := 0, 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			diff++
			i++
		case i == len(a) || b[j] < a[i]:
			diff++
			j++
		default:
			i++
			j++
		}
	}
	return math.Max(1, math.Sqrt(float64(diff)))
}

func (g *orderedGraph) length(x, y int64) float64 { return g.edge[[2]int64{x, y}] }

// distances returns the shortest-path distances by link length between the
// members, row by row (Dijkstra from each member).
func (g *orderedGraph) distances(ctx context.Context) ([]float64, error) {
	n := len(g.members)
	d := make([]float64, n*n)
	for i := range g.members {
		if i%16 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("layout: %w", err)
			}
		}
		row := d[i*n : (i+1)*n]
		for j := range row {
			row[j] = math.Inf(1)
		}
		row[i] = 0
		h := &distHeap{{i, 0}}
		for h.Len() > 0 {
			it := heap.Pop(h).(distItem)
			if it.d > row[it.i] {
				continue
			}
			u := g.members[it.i]
			for _, v := range g.adj[u] {
				j := g.at[v]
				if nd := it.d + g.length(u, v); nd < row[j] {
					row[j] = nd
					heap.Push(h, distItem{j, nd})
				}
			}
		}
	}
	return d, nil
}

type distItem struct {
	i int
	d float64
}

type distHeap []distItem

func (h distHeap) Len() int { return len(h) }
func (h distHeap) Less(a, b int) bool {
	if h[a].d != h[b].d {
		return h[a].d < h[b].d
	}
	return h[a].i < h[b].i
}
func (h distHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *distHeap) Push(x any)   { *h = append(*h, x.(distItem)) }
func (h *distHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

var (
	_ graph.Undirected = (*orderedGraph)(nil)
	_ graph.Weighted   = (*orderedGraph)(nil)
)

func (g *orderedGraph) Node(id int64) graph.Node {
	if _, ok := g.at[id]; !ok {
		return nil
	}
	return simple.Node(id)
}
func (g *orderedGraph) Nodes() graph.Nodes { return iterator.NewOrderedNodes(g.nodes) }
func (g *orderedGraph) From(id int64) graph.Nodes {
	if len(g.from[id]) == 0 {
		return graph.Empty
	}
	return iterator.NewOrderedNodes(g.from[id])
}
func (g *orderedGraph) HasEdgeBetween(x, y int64) bool { _, ok := g.edge[[2]int64{x, y}]; return ok }
func (g *orderedGraph) Edge(u, v int64) graph.Edge     { return g.WeightedEdgeBetween(u, v) }
func (g *orderedGraph) EdgeBetween(x, y int64) graph.Edge {
	return g.WeightedEdgeBetween(x, y)
}
func (g *orderedGraph) WeightedEdge(u, v int64) graph.WeightedEdge {
	return g.WeightedEdgeBetween(u, v)
}
func (g *orderedGraph) WeightedEdgeBetween(x, y int64) graph.WeightedEdge {
	l, ok := g.edge[[2]int64{x, y}]
	if !ok {
		return nil
	}
	return simple.WeightedEdge{F: simple.Node(x), T: simple.Node(y), W: l}
}

// Weight is the link length between x and y: 0 from a node to itself, +Inf
// and false without a relation.
func (g *orderedGraph) Weight(x, y int64) (float64, bool) {
	if x == y {
		return 0, true
	}
	if l, ok := g.edge[[2]int64{x, y}]; ok {
		return l, true
	}
	return math.Inf(1), false
}
