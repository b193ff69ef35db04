package boltstore

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	rg "github.com/regiongraph/regiongraph"
)

// graph is the in-memory graph. Stored *Node and *Edge values are never
// mutated once they are in the graph (copy on write: a change stores a new
// value and replaces the pointer; Apply stores copies of what it is given),
// so reads hand out the stored pointers themselves, without copying, and
// they stay valid and unchanged after the read lock is released.
type graph struct {
	nodes  map[string]*rg.Node
	edges  map[string]*rg.Edge
	byKind map[rg.Kind]map[string]*rg.Node
	adj    map[string]*adjacency
	// search holds each node's regiongraph.SearchText, folded once when
	// the node is stored rather than on every search.
	search map[string]string
	// grams finds candidates for a text filter in search (grams.go).
	grams *gramIndex
	// index finds candidates for full-text search (search.go).
	index *termIndex
}

// adjacency holds a node's relations by direction and relation kind, as
// the stored relations themselves sorted by id, so that a walk needs no
// look-up in graph.edges. Every pointer in a list is the one graph.edges
// holds for its id: putEdge and putEdges take a relation put again out of
// the lists before they add the new value (issue 14).
type adjacency struct {
	out map[rg.RelKind][]*rg.Edge
	in  map[rg.RelKind][]*rg.Edge
	// byOther holds a hub's relations by the id at their other end, made
	// when a walk first needs it (neighbours), dropped when the node's
	// relations change (under the write lock; readers make it at the same
	// time harmlessly, each an equal copy).
	byOther atomic.Pointer[[]otherEnd]
}

// otherEnd is a relation seen from one of its ends.
type otherEnd struct {
	id string // the other end
	e  *rg.Edge
}

// hubDegree is the number of relations from which a neighbourhood's
// relations among its nodes are looked up in a node's relations ordered by
// neighbour (neighbours) instead of gone through; indexDegree the number
// from which a walk that needs a node's first few neighbours by id takes
// them from there. (Variables for tests, which lower them.)
var hubDegree, indexDegree = 1024, 128

// neighbours returns node id's relations, both ways, ordered by the id at
// their other end and then by their own id. The order is made once per
// change of the node's relations.
func (g *graph) neighbours(id string) []otherEnd {
	a := g.adj[id]
	if a == nil {
		return nil
	}
	if p := a.byOther.Load(); p != nil {
		return *p
	}
	xs := make([]otherEnd, 0, g.degree(id, rg.Both))
	for _, m := range []map[rg.RelKind][]*rg.Edge{a.out, a.in} {
		for _, es := range m {
			for _, e := range es {
				xs = append(xs, otherEnd{e.Other(id), e})
			}
		}
	}
	slices.SortFunc(xs, func(x, y otherEnd) int {
		if c := cmp.Compare(x.id, y.id); c != 0 {
			return c
		}
		return cmp.Compare(x.e.ID, y.e.ID)
	})
	a.byOther.Store(&xs)
	return xs
}

func newGraph() *graph {
	return &graph{
		nodes:  map[string]*rg.Node{},
		edges:  map[string]*rg.Edge{},
		byKind: map[rg.Kind]map[string]*rg.Node{},
		adj:    map[string]*adjacency{},
		search: map[string]string{},
		grams:  newGramIndex(),
		index:  newTermIndex(),
	}
}

// analysed is a node with what search needs of it, worked out before
// the graph's lock is needed.
type analysed struct {
	n      *rg.Node
	text   string
	doc    *rg.SearchDoc
	tokens []string // doc.TermFields
	places []uint8
}

func analyse(n *rg.Node) analysed {
	d := rg.AnalyseForSearch(n)
	ts, places := d.TermFields()
	return analysed{n: n, text: rg.SearchText(n), doc: d, tokens: ts, places: places}
}

// putNodes puts many nodes, analysing them for search on every core
// first.
func (g *graph) putNodes(ns []*rg.Node) {
	as := make([]analysed, len(ns))
	const chunk = 512
	var wg sync.WaitGroup
	for from := 0; from < len(ns); from += chunk {
		work := func() {
			for i := from; i < min(from+chunk, len(ns)); i++ {
				as[i] = analyse(ns[i])
			}
		}
		if len(ns) <= chunk {
			work()
			break
		}
		wg.Add(1)
		go func() { defer wg.Done(); work() }()
	}
	wg.Wait()
	for _, a := range as {
		g.putAnalysed(a)
	}
}

func (g *graph) putAnalysed(a analysed) {
	n := a.n
	if old, ok := g.nodes[n.ID]; ok && old.Kind != n.Kind {
		delete(g.byKind[old.Kind], n.ID)
	}
	g.nodes[n.ID] = n
	m := g.byKind[n.Kind]
	if m == nil {
		m = map[string]*rg.Node{}
		g.byKind[n.Kind] = m
	}
	m[n.ID] = n
	g.search[n.ID] = a.text
	g.grams.put(n.ID, a.text)
	g.grams.tidy(g.search)
	g.index.put(n, a.doc, a.tokens, a.places)
}

func (g *graph) deleteNode(id string) {
	n, ok := g.nodes[id]
	if !ok {
		return
	}
	delete(g.nodes, id)
	delete(g.byKind[n.Kind], id)
	delete(g.adj, id)
	delete(g.search, id)
	g.grams.remove(id)
	g.grams.tidy(g.search)
	g.index.remove(id)
}

// matches is regiongraph.Matches over the cached search text: the folded
// query fq is a substring of the node's search text.
func (g *graph) matches(id, fq string) bool {
	return fq == "" || strings.Contains(g.search[id], fq)
}

func (g *graph) adjOf(id string) *adjacency {
	a := g.adj[id]
	if a == nil {
		a = &adjacency{out: map[rg.RelKind][]*rg.Edge{}, in: map[rg.RelKind][]*rg.Edge{}}
		g.adj[id] = a
	}
	return a
}

// byID orders relations by id, the order of an adjacency list.
func byID(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) }

// searchID finds relation id in the list es sorted by id.
func searchID(es []*rg.Edge, id string) (int, bool) {
	return slices.BinarySearchFunc(es, id, func(e *rg.Edge, id string) int { return strings.Compare(e.ID, id) })
}

func insertSorted(xs []string, x string) []string {
	i, found := slices.BinarySearch(xs, x)
	if found {
		return xs
	}
	return slices.Insert(xs, i, x)
}

// insertEdge puts e in its place in es; one with its id already there is
// replaced (putEdge removes it first, so this is only a guard against a
// stale pointer).
func insertEdge(es []*rg.Edge, e *rg.Edge) []*rg.Edge {
	i, found := searchID(es, e.ID)
	if found {
		es[i] = e
		return es
	}
	return slices.Insert(es, i, e)
}

// removeEdge takes the relation with id out of es (slices.Delete clears
// the slot it leaves, so the list does not keep it alive).
func removeEdge(es []*rg.Edge, id string) []*rg.Edge {
	i, found := searchID(es, id)
	if !found {
		return es
	}
	return slices.Delete(es, i, i+1)
}

func (g *graph) putEdge(e *rg.Edge) {
	if _, ok := g.edges[e.ID]; ok {
		g.deleteEdge(e.ID)
	}
	g.edges[e.ID] = e
	from, to := g.adjOf(e.From), g.adjOf(e.To)
	from.out[e.Kind] = insertEdge(from.out[e.Kind], e)
	to.in[e.Kind] = insertEdge(to.in[e.Kind], e)
	from.byOther.Store(nil)
	to.byOther.Store(nil)
}

// putEdges puts many relations at once: each adjacency list touched is
// sorted once, rather than each relation inserted in its place (which is
// quadratic in a hub's relations). A relation whose id comes after the
// last of a list is appended in its place: relations put in id order (an
// import in batches of ids in order) leave nothing to sort. An id given
// more than once is put once, with the last value given, as putEdge one
// by one would leave it.
func (g *graph) putEdges(es []*rg.Edge) {
	if len(es) < 64 {
		for _, e := range es {
			g.putEdge(e)
		}
		return
	}
	type list struct {
		a   *adjacency
		out bool
		k   rg.RelKind
	}
	for _, e := range es {
		if _, ok := g.edges[e.ID]; ok {
			g.deleteEdge(e.ID) // while the lists are sorted
		}
	}
	before := len(g.edges)
	for _, e := range es {
		g.edges[e.ID] = e
	}
	if len(g.edges) != before+len(es) {
		// An id came more than once: only the value now stored goes in
		// the lists, once (no list may hold a pointer graph.edges does
		// not).
		es = lastOfEachID(g.edges, es)
	}
	touched := map[list]bool{}
	add := func(a *adjacency, out bool, e *rg.Edge) {
		a.byOther.Store(nil) // its relations change, in order or not
		m := a.in
		if out {
			m = a.out
		}
		l := m[e.Kind]
		if n := len(l); n > 0 && l[n-1].ID >= e.ID {
			touched[list{a, out, e.Kind}] = true
		}
		m[e.Kind] = append(l, e)
	}
	for _, e := range es {
		add(g.adjOf(e.From), true, e)
		add(g.adjOf(e.To), false, e)
	}
	for l := range touched {
		m := l.a.in
		if l.out {
			m = l.a.out
		}
		es := m[l.k]
		slices.SortFunc(es, byID)
		if cap(es) > len(es)+len(es)/4 {
			es = slices.Clone(es) // appending left up to twice the room
		}
		m[l.k] = es
	}
}

// lastOfEachID returns the relations of es that stored holds, each once,
// in the order of es.
func lastOfEachID(stored map[string]*rg.Edge, es []*rg.Edge) []*rg.Edge {
	out := make([]*rg.Edge, 0, len(es))
	seen := make(map[*rg.Edge]bool, len(es))
	for _, e := range es {
		if stored[e.ID] == e && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// trim gives every adjacency list that appending left with more than a
// quarter of room a copy of its own size (after loading a file).
func (g *graph) trim() {
	for _, a := range g.adj {
		for _, m := range []map[rg.RelKind][]*rg.Edge{a.out, a.in} {
			for k, es := range m {
				if cap(es) > len(es)+len(es)/4 {
					m[k] = slices.Clone(es)
				}
			}
		}
	}
}

func (g *graph) deleteEdge(id string) {
	e, ok := g.edges[id]
	if !ok {
		return
	}
	delete(g.edges, id)
	if a := g.adj[e.From]; a != nil {
		a.out[e.Kind] = removeEdge(a.out[e.Kind], id)
		a.byOther.Store(nil)
	}
	if a := g.adj[e.To]; a != nil {
		a.in[e.Kind] = removeEdge(a.in[e.Kind], id)
		a.byOther.Store(nil)
	}
}

// incident calls fn for every relation of node id in direction d whose kind
// is allowed (every kind when kinds is empty). An edge joining id to itself
// cannot exist (validation forbids it), so no edge is reported twice.
func (g *graph) incident(id string, d rg.Direction, kinds []rg.RelKind, fn func(*rg.Edge)) {
	a := g.adj[id]
	if a == nil {
		return
	}
	visit := func(m map[rg.RelKind][]*rg.Edge) {
		if len(kinds) == 0 {
			for _, es := range m {
				for _, e := range es {
					fn(e)
				}
			}
			return
		}
		for _, k := range kinds {
			for _, e := range m[k] {
				fn(e)
			}
		}
	}
	if d != rg.In {
		visit(a.out)
	}
	if d != rg.Out {
		visit(a.in)
	}
}

// degree is how many relations node id has in direction d (of kinds, when
// some are given): as many as incident visits.
func (g *graph) degree(id string, d rg.Direction, kinds ...rg.RelKind) int {
	a := g.adj[id]
	if a == nil {
		return 0
	}
	count := func(m map[rg.RelKind][]*rg.Edge) int {
		n := 0
		if len(kinds) == 0 {
			for _, es := range m {
				n += len(es)
			}
			return n
		}
		for _, k := range kinds {
			n += len(m[k])
		}
		return n
	}
	n := 0
	if d != rg.In {
		n += count(a.out)
	}
	if d != rg.Out {
		n += count(a.in)
	}
	return n
}

// stats counts nodes by kind and relations by kind with their degrees.
func (g *graph) stats() rg.GraphStats {
	st := rg.GraphStats{Nodes: map[rg.Kind]int{}, Relations: map[rg.RelKind]rg.RelationDegrees{}}
	for k, m := range g.byKind {
		if len(m) > 0 {
			st.Nodes[k] = len(m)
		}
	}
	withOut, withIn := map[rg.RelKind]int{}, map[rg.RelKind]int{}
	for _, a := range g.adj {
		out, in := 0, 0
		for _, ids := range a.out {
			out += len(ids)
		}
		for _, ids := range a.in {
			in += len(ids)
		}
		st.MaxOut, st.MaxIn, st.MaxBoth = max(st.MaxOut, out), max(st.MaxIn, in), max(st.MaxBoth, out+in)
		for k, ids := range a.out {
			if d := len(ids); d > 0 {
				r := st.Relations[k]
				r.Count += d
				r.MaxOut = max(r.MaxOut, d)
				st.Relations[k] = r
				withOut[k]++
			}
		}
		for k, ids := range a.in {
			if d := len(ids); d > 0 {
				r := st.Relations[k]
				r.MaxIn = max(r.MaxIn, d)
				st.Relations[k] = r
				withIn[k]++
			}
		}
	}
	for k, r := range st.Relations {
		if withOut[k] > 0 {
			r.MeanOut = float64(r.Count) / float64(withOut[k])
		}
		if withIn[k] > 0 {
			r.MeanIn = float64(r.Count) / float64(withIn[k])
		}
		st.Relations[k] = r
	}
	return st
}

// nodeDegrees are node id's relations as the stats of a graph of it alone.
func (g *graph) nodeDegrees(id string) rg.GraphStats {
	st := rg.GraphStats{Relations: map[rg.RelKind]rg.RelationDegrees{}}
	a := g.adj[id]
	if a == nil {
		return st
	}
	for k, ids := range a.out {
		if len(ids) > 0 {
			r := st.Relations[k]
			r.Count, r.MaxOut = len(ids), len(ids)
			st.Relations[k] = r
			st.MaxOut += len(ids)
		}
	}
	for k, ids := range a.in {
		if len(ids) > 0 {
			r := st.Relations[k]
			r.MaxIn = len(ids)
			st.Relations[k] = r
			st.MaxIn += len(ids)
		}
	}
	st.MaxBoth = st.MaxOut + st.MaxIn
	return st
}
