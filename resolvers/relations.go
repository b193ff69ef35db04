package resolvers

import (
	"cmp"
	"context"
	"slices"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// relMode is what a relation field returns.
type relMode int

const (
	modeList      relMode = iota // the nodes at the other ends, each once
	modeOne                      // the first of those by name, or null
	modeRelations                // the relations themselves
)

// relSpec is a relation field of a node type: which relations it follows
// and which of the nodes at their other ends it returns. relFields holds
// every one, for the resolvers and for reading ahead (readahead.go).
type relSpec struct {
	dir    rg.Direction
	kind   rg.RelKind
	accept func(*rg.Node) bool
	mode   relMode
}

func isActor(n *rg.Node) bool { return n.Kind.IsActor() }
func anyNode(*rg.Node) bool   { return true }

func ofKind(k rg.Kind) func(*rg.Node) bool {
	return func(n *rg.Node) bool { return n.Kind == k }
}

// listOpts are a relation list's ordering and paging arguments, and the
// plan year some initiative lists filter by.
type listOpts struct {
	orderBy  *model.NodeOrder
	first    *int
	after    *string
	planYear *int
}

// pageOf orders the nodes accept takes (and of opts.planYear) by
// opts.orderBy (by name when nil), then keeps those after opts.after (an id
// in the list) and at most opts.first of them. ns is not modified.
func pageOf(ns []*rg.Node, accept func(*rg.Node) bool, o listOpts) ([]*rg.Node, error) {
	return pageInto(ns, accept, o, nil, nil)
}

// pageInto is pageOf with the sort keys in *keys (kept for the next call)
// and the page in a slice from alloc, when they are given.
func pageInto(ns []*rg.Node, accept func(*rg.Node) bool, o listOpts, keysBuf *[]keyedNode, alloc func(n int) []*rg.Node) ([]*rg.Node, error) {
	if err := checkFirst(o.first); err != nil {
		return nil, err
	}
	order := toOrder(o.orderBy)
	var keys []keyedNode
	if keysBuf != nil {
		keys = (*keysBuf)[:0]
		defer func() { *keysBuf = keys[:0] }()
	} else {
		keys = make([]keyedNode, 0, len(ns))
	}
	for _, n := range ns {
		if !accept(n) {
			continue
		}
		if o.planYear != nil && (n.PlanYear == nil || *n.PlanYear != *o.planYear) {
			continue
		}
		keys = append(keys, sortKey(n, order.Field))
	}
	slices.SortFunc(keys, func(a, b keyedNode) int {
		c := a.compare(b)
		if order.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.n.ID, b.n.ID)
	})
	start := 0
	if o.after != nil {
		i := slices.IndexFunc(keys, func(k keyedNode) bool { return k.n.ID == *o.after })
		if i < 0 {
			return nil, rg.FieldErrorf("after", "%q is not in this list (it may have been removed since the previous page): start again without after", *o.after)
		}
		start = i + 1
	}
	end := len(keys)
	if o.first != nil {
		end = min(end, start+*o.first)
	}
	var out []*rg.Node
	if alloc != nil {
		out = alloc(end - start)
	} else {
		out = make([]*rg.Node, 0, end-start)
	}
	for _, k := range keys[start:end] {
		out = append(out, k.n)
	}
	return out, nil
}

// naturalKey is a code with every run of digits left-padded to 12 digits,
// so that codes compare with their numbers as numbers: 5.2 before 5.10.
func naturalKey(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); {
		if code[i] < '0' || code[i] > '9' {
			b.WriteByte(code[i])
			i++
			continue
		}
		j := i
		for j < len(code) && code[j] >= '0' && code[j] <= '9' {
			j++
		}
		for range 12 - min(12, j-i) {
			b.WriteByte('0')
		}
		b.WriteString(code[i:j])
		i = j
	}
	return b.String()
}

// keyedNode is a node with its sort value, as rg.SortValue gives it (codes
// as naturalKey), unboxed: pageOf orders by rg.CompareKeys's order without
// a lower-cased copy of every name and a boxed value per node.
type keyedNode struct {
	kind keyKind
	s    string // keyName: the name (compared lower-cased); keyString: the value
	i    int64
	n    *rg.Node
}

type keyKind uint8

const (
	keyNil    keyKind = iota // no value: after every value
	keyName                  // ordered as strings.ToLower(s)
	keyString                // ordered as s
	keyInt                   // ordered as i
)

// sortKey is n's sort value for field.
func sortKey(n *rg.Node, field rg.OrderField) keyedNode {
	k := keyedNode{n: n}
	switch field {
	case rg.OrderByName, "":
		k.kind, k.s = keyName, n.Name
	case rg.OrderByPlanYear:
		if n.PlanYear != nil {
			k.kind, k.i = keyInt, int64(*n.PlanYear)
		}
	case rg.OrderByCostNok:
		if n.CostNok != nil {
			k.kind, k.i = keyInt, *n.CostNok
		}
	case rg.OrderByCode:
		if n.Code != "" {
			k.kind, k.s = keyString, naturalKey(n.Code)
		}
	case rg.OrderByID:
		k.kind, k.s = keyString, n.ID
	}
	return k
}

// compare orders two sort values of one field as rg.CompareKeys does.
func (k keyedNode) compare(o keyedNode) int {
	switch {
	case k.kind == keyNil || o.kind == keyNil:
		return cmp.Compare(btoi(k.kind == keyNil), btoi(o.kind == keyNil))
	case k.kind == keyName:
		return rg.CompareLower(k.s, o.s)
	case k.kind == keyString:
		return strings.Compare(k.s, o.s)
	}
	return cmp.Compare(k.i, o.i)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkFirst refuses a page size below 0 or above rg.MaxPageSize.
func checkFirst(first *int) error {
	if first != nil && (*first < 0 || *first > rg.MaxPageSize) {
		return rg.FieldErrorf("first", "%d is outside 0..%d", *first, rg.MaxPageSize)
	}
	return nil
}

// otherEnds returns the ids at the other end of id's relations, each once.
func otherEnds(id string, es []*rg.Edge) []string {
	ids := make([]string, 0, len(es))
	if len(es) <= 16 {
		for _, e := range es {
			if o := e.Other(id); !slices.Contains(ids, o) {
				ids = append(ids, o)
			}
		}
		return ids
	}
	seen := make(map[string]bool, len(es))
	for _, e := range es {
		if o := e.Other(id); !seen[o] {
			seen[o] = true
			ids = append(ids, o)
		}
	}
	return ids
}

// related returns one page (o) of the nodes at the other end of id's
// relations s follows that hold in year, each once, converted by conv.
func related[T any](ctx context.Context, r *Resolver, id string, s relSpec, year *int, conv func(*rg.Node) (T, bool), o listOpts) ([]T, error) {
	page, err := r.relatedNodes(ctx, id, s, year, o)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(page))
	for _, n := range page {
		if v, ok := conv(n); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// relatedNodes is related before the conversion.
func (r *Resolver) relatedNodes(ctx context.Context, id string, s relSpec, year *int, o listOpts) ([]*rg.Node, error) {
	es, err := r.edges(ctx, id, s.dir, s.kind, year)
	if err != nil {
		return nil, err
	}
	ns, err := r.nodesByID(ctx, otherEnds(id, es))
	if err != nil {
		return nil, err
	}
	return pageOf(ns, s.accept, o)
}

// relatedOne returns the first by name of related's nodes, or the zero T.
func relatedOne[T any](ctx context.Context, r *Resolver, id string, s relSpec, conv func(*rg.Node) (T, bool)) (T, error) {
	var zero T
	one := 1
	vs, err := related(ctx, r, id, s, nil, conv, listOpts{first: &one})
	if err != nil || len(vs) == 0 {
		return zero, err
	}
	return vs[0], nil
}

// edgePage keeps the relations after the one with id after (es is ordered
// by id) and at most first of them.
func edgePage(es []*rg.Edge, first *int, after *string) ([]*rg.Edge, error) {
	if err := checkFirst(first); err != nil {
		return nil, err
	}
	if after != nil {
		i, _ := slices.BinarySearchFunc(es, *after, func(e *rg.Edge, id string) int { return strings.Compare(e.ID, id) })
		if i < len(es) && es[i].ID == *after {
			i++
		}
		es = es[i:]
	}
	if first != nil && *first < len(es) {
		es = es[:*first]
	}
	return es, nil
}

// relationsOf returns a page of id's relations s follows that hold in year.
func (r *Resolver) relationsOf(ctx context.Context, id string, s relSpec, year *int, first *int, after *string) ([]*model.Relation, error) {
	es, err := r.edges(ctx, id, s.dir, s.kind, year)
	if err != nil {
		return nil, err
	}
	if es, err = edgePage(es, first, after); err != nil {
		return nil, err
	}
	return toRelations(es), nil
}

// relationsField serves every node's `relations` field.
func (r *Resolver) relationsField(ctx context.Context, id string, direction *model.Direction, kinds []model.RelationKind, year *int, first *int, after *string) ([]*model.Relation, error) {
	es, err := r.edgesOfKinds(ctx, id, toDomainDirection(direction), toDomainRels(kinds), year)
	if err != nil {
		return nil, err
	}
	if es, err = edgePage(es, first, after); err != nil {
		return nil, err
	}
	return toRelations(es), nil
}

// relationsConnection serves every node's `relationsConnection` field: a
// page of its relations by id, the cursor being the relation id.
func (r *Resolver) relationsConnection(ctx context.Context, id string, direction *model.Direction, kinds []model.RelationKind, year *int, first *int, after *string) (*model.RelationConnection, error) {
	if first == nil {
		n := 100
		first = &n
	}
	all, err := r.edgesOfKinds(ctx, id, toDomainDirection(direction), toDomainRels(kinds), year)
	if err != nil {
		return nil, err
	}
	if after != nil && *after == "" {
		after = nil
	}
	es, err := edgePage(all, first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.RelationConnection{Edges: make([]*model.RelationEdge, 0, len(es)), Nodes: make([]*model.Relation, 0, len(es)), TotalCount: len(all), PageInfo: &model.PageInfo{}}
	for _, e := range es {
		rel := toRelation(e)
		conn.Edges = append(conn.Edges, &model.RelationEdge{Cursor: e.ID, Node: rel})
		conn.Nodes = append(conn.Nodes, rel)
	}
	if len(es) > 0 {
		last := es[len(es)-1].ID
		conn.PageInfo.EndCursor = &last
		conn.PageInfo.HasNextPage = last != all[len(all)-1].ID
	}
	return conn, nil
}

// edgesOfKinds loads id's relations of any of kinds (every kind when empty),
// ordered by id.
func (r *Resolver) edgesOfKinds(ctx context.Context, id string, dir rg.Direction, kinds []rg.RelKind, year *int) ([]*rg.Edge, error) {
	if len(kinds) == 0 {
		return r.edges(ctx, id, dir, "", year)
	}
	if len(kinds) == 1 {
		return r.edges(ctx, id, dir, kinds[0], year)
	}
	var out []*rg.Edge
	for _, k := range kinds {
		es, err := r.edges(ctx, id, dir, k, year)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	slices.SortFunc(out, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b *rg.Edge) bool { return a.ID == b.ID }), nil
}

// neighboursField serves every node's `neighbours` field.
func (r *Resolver) neighboursField(ctx context.Context, id string, direction *model.Direction, kinds []model.RelationKind, nodeKinds []model.NodeKind, year *int, o listOpts) ([]model.Node, error) {
	es, err := r.edgesOfKinds(ctx, id, toDomainDirection(direction), toDomainRels(kinds), year)
	if err != nil {
		return nil, err
	}
	ns, err := r.nodesByID(ctx, otherEnds(id, es))
	if err != nil {
		return nil, err
	}
	page, err := pageOf(ns, acceptKinds(toDomainKinds(nodeKinds)), o)
	if err != nil {
		return nil, err
	}
	out := make([]model.Node, 0, len(page))
	for _, n := range page {
		if v := toNode(n); v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// acceptKinds takes nodes of any of ks (every node when ks is empty).
func acceptKinds(ks []rg.Kind) func(*rg.Node) bool {
	if len(ks) == 0 {
		return anyNode
	}
	return func(n *rg.Node) bool { return slices.Contains(ks, n.Kind) }
}

// citation names the source's plan by its name (its id when it is missing).
func (r *Resolver) citation(ctx context.Context, s *model.Source) (string, error) {
	name := deref(s.PlanID)
	if s.PlanID != nil && !s.Outside {
		n, err := r.node(ctx, *s.PlanID)
		if err != nil {
			return "", err
		}
		if n != nil {
			name = n.Name
		}
	}
	return citation(s, name), nil
}
