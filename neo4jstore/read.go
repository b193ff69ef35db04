package neo4jstore

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/regiongraph/regiongraph"
)

// dedupe returns ids without repeats, in first-seen order.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// listParam is a list parameter that narrows when non-empty: nil (null in
// Cypher, "do not narrow") when empty.
func listParam[T ~string](xs []T) any {
	if len(xs) == 0 {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func yearParam(y *int) any {
	if y == nil {
		return nil
	}
	return int64(*y)
}

// nodesByID fetches nodes by id (in no order) with runner r.
func nodesByID(ctx context.Context, r txRunner, ids []string) (map[string]*regiongraph.Node, error) {
	out := make(map[string]*regiongraph.Node, len(ids))
	for chunk := range slices.Chunk(ids, batchSize) {
		recs, err := r.run(ctx, "nodes_by_id", map[string]any{"ids": chunk})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			n, err := recordNode(rec, "n")
			if err != nil {
				return nil, err
			}
			out[n.ID] = n
		}
	}
	return out, nil
}

// batchSize bounds the rows of one UNWIND of a read.
const batchSize = 1000

// applyBatch bounds the rows of one UNWIND of Apply's writes, of the
// history it appends, and the ids of one of its reads: an import's batch of
// 10,000 changes is one statement per kind of write, not ten.
const applyBatch = 10000

// Nodes returns the nodes with the given ids in the order of ids, each once,
// skipping missing ids: one statement under the read gate (nodes_read), one
// round trip.
func (s *Store) Nodes(ctx context.Context, ids []string) ([]*regiongraph.Node, error) {
	if len(ids) > regiongraph.MaxBatchIDs {
		return nil, regiongraph.FieldErrorf("ids", "%d ids; at most %d are allowed", len(ids), regiongraph.MaxBatchIDs)
	}
	ids = dedupe(ids)
	st, err := s.st.stmt("nodes_read")
	if err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, "nodes", st, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	found := make(map[string]*regiongraph.Node, len(recs))
	for _, rec := range recs {
		v, _ := rec.Get("n")
		n, err := nodeFromList(v)
		if err != nil {
			return nil, mapError("nodes", err)
		}
		found[n.ID] = n
	}
	out := make([]*regiongraph.Node, 0, len(found))
	for _, id := range ids {
		if n, ok := found[id]; ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// findQuery is what FindNodes runs: one statement from Statements(), which
// counts and pages, with its parameters.
type findQuery struct {
	stmt   Statement
	params map[string]any
	order  regiongraph.Order
	size   int
}

// buildFind chooses the statement for f and binds every value of f as a
// parameter. It is pure.
func (s *stmts) buildFind(f regiongraph.NodeFilter) (findQuery, error) {
	if err := f.Validate(); err != nil {
		return findQuery{}, err
	}
	size, err := regiongraph.PageSize(f.First)
	if err != nil {
		return findQuery{}, err
	}
	v := findVariant{Filters: map[string]bool{}}
	params := map[string]any{}
	if len(f.Kinds) > 0 {
		v.Filters["kinds"] = true
		params["kinds"] = listParam(f.Kinds)
	}
	if len(f.IDs) > 0 {
		v.Filters["ids"] = true
		params["ids"] = listParam(f.IDs)
	}
	if q := regiongraph.Fold(f.Text); q != "" {
		v.Filters["text"] = true
		params["text"] = q
	}
	if f.PlanYear != nil {
		v.Filters["planYear"] = true
		params["planYear"] = int64(*f.PlanYear)
	}
	if f.Code != "" {
		v.Filters["code"] = true
		params["code"] = f.Code
	}
	if len(f.Related) > 0 {
		v.Filters["related"] = true
		related := make([]map[string]any, len(f.Related))
		for i, r := range f.Related {
			dir := r.Direction
			if dir == "" {
				dir = regiongraph.Both
			}
			ids := r.NodeIDs
			if ids == nil {
				ids = []string{}
			}
			related[i] = map[string]any{"kind": string(r.Kind), "direction": string(dir), "nodeIds": ids}
		}
		params["related"] = related
		params["year"] = yearParam(f.Year)
	}

	order := f.Order
	if order.Field == "" {
		order.Field = regiongraph.OrderByName
	}
	v.Order = string(order.Field) + ".ASC"
	if order.Desc {
		v.Order = string(order.Field) + ".DESC"
	}
	if f.After != "" {
		c, err := regiongraph.DecodeCursor(f.Order, f.After)
		if err != nil {
			return findQuery{}, err
		}
		v.After = true
		if !cursorValueFits(order.Field, c.Value, c.ID) {
			return findQuery{}, regiongraph.FieldErrorf("after", "malformed cursor")
		}
		params["afterId"] = c.ID
		if order.Field != regiongraph.OrderByID {
			params["afterValue"] = c.Value
		}
	}
	params["limit"] = int64(size + 1)

	st, err := s.stmt(v.name())
	if err != nil {
		return findQuery{}, err
	}
	return findQuery{stmt: st, params: params, order: order, size: size}, nil
}

// cursorValueFits reports whether a cursor's value has the type of field's
// sort values (nil being a missing value; for ID the value is the id).
func cursorValueFits(field regiongraph.OrderField, v any, id string) bool {
	if field == regiongraph.OrderByID {
		return v == id
	}
	switch v.(type) {
	case nil:
		return field != regiongraph.OrderByName
	case string:
		return field == regiongraph.OrderByName || field == regiongraph.OrderByCode
	case int64:
		return field == regiongraph.OrderByPlanYear || field == regiongraph.OrderByCostNok
	}
	return false
}

// FindNodes returns one page of the nodes matching f, in f.Order then id:
// the count and the page in one statement under the read gate, one round
// trip.
func (s *Store) FindNodes(ctx context.Context, f regiongraph.NodeFilter) (regiongraph.NodePage, error) {
	q, err := s.st.buildFind(f)
	if err != nil {
		return regiongraph.NodePage{}, err
	}
	recs, err := s.read(ctx, "find nodes", q.stmt, q.params)
	if err != nil {
		return regiongraph.NodePage{}, err
	}
	page, err := findPage(recs, q)
	if err != nil {
		return regiongraph.NodePage{}, mapError("find nodes", err)
	}
	return page, nil
}

// findPage maps FindNodes' one row: the total and up to q.size+1 nodes.
func findPage(recs []*neo4jRecord, q findQuery) (regiongraph.NodePage, error) {
	if len(recs) != 1 {
		return regiongraph.NodePage{}, errNoRows
	}
	total, err := recordInt(recs[0], "total")
	if err != nil {
		return regiongraph.NodePage{}, err
	}
	nodes, err := listColumn(recs[0], "nodes", nodeFromList)
	if err != nil {
		return regiongraph.NodePage{}, err
	}
	page := regiongraph.NodePage{TotalCount: int(total), Nodes: nodes}
	if len(nodes) > q.size {
		page.Nodes, page.HasNextPage = nodes[:q.size], true
	}
	if len(page.Nodes) > 0 {
		page.EndCursor = regiongraph.CursorFor(q.order, page.Nodes[len(page.Nodes)-1])
	}
	return page, nil
}

// edgeQuery chooses the statement and parameters for an edge filter.
func edgeQuery(f regiongraph.EdgeFilter) (string, map[string]any) {
	params := map[string]any{"ids": listParam(f.IDs), "kinds": listParam(f.Kinds), "year": yearParam(f.Year)}
	if len(f.NodeIDs) == 0 {
		return "edges_read_all", params
	}
	params["nodeIds"] = dedupe(f.NodeIDs)
	switch f.Direction {
	case regiongraph.Out:
		return "edges_read_out", params
	case regiongraph.In:
		return "edges_read_in", params
	}
	return "edges_read_both", params
}

func collectEdges(recs []*neo4jRecord) ([]*regiongraph.Edge, error) {
	out := make([]*regiongraph.Edge, 0, len(recs))
	for _, rec := range recs {
		e, err := recordEdge(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Edges returns the relations matching f, ordered by id: one statement
// under the read gate, one round trip.
func (s *Store) Edges(ctx context.Context, f regiongraph.EdgeFilter) ([]*regiongraph.Edge, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	name, params := edgeQuery(f)
	st, err := s.st.stmt(name)
	if err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, "edges", st, params)
	if err != nil {
		return nil, err
	}
	edges := make([]*regiongraph.Edge, 0, len(recs))
	for _, rec := range recs {
		v, _ := rec.Get("rel")
		e, err := edgeFromList(v)
		if err != nil {
			return nil, mapError("edges", err)
		}
		edges = append(edges, e)
	}
	slices.SortFunc(edges, func(a, b *regiongraph.Edge) int { return cmp.Compare(a.ID, b.ID) })
	return edges, nil
}

// Subgraph returns the nodes within f.Depth hops of f.Roots (or all nodes of
// the allowed kinds) and the allowed relations among them, by id. The roots
// are always included; the breadth-first search only enters nodes of the
// allowed kinds through allowed relations that hold in f.Year. When MaxNodes
// is exceeded the nodes nearest the roots are kept (by distance, then id).
func (s *Store) Subgraph(ctx context.Context, f regiongraph.SubgraphFilter) (*regiongraph.Subgraph, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	kinds, rels, year := listParam(f.Kinds), listParam(f.Relations), yearParam(f.Year)
	return inTx(ctx, s, "subgraph", false, func(ctx context.Context, r txRunner) (*regiongraph.Subgraph, error) {
		sg := &regiongraph.Subgraph{Nodes: []*regiongraph.Node{}, Edges: []*regiongraph.Edge{}}
		var ids []string
		nodes := map[string]*regiongraph.Node{}
		if len(f.Roots) == 0 {
			limit := int64(math.MaxInt64)
			if f.MaxNodes > 0 {
				limit = int64(f.MaxNodes) + 1
			}
			recs, err := r.run(ctx, "subgraph_nodes", map[string]any{"kinds": kinds, "limit": limit})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				n, err := recordNode(rec, "n")
				if err != nil {
					return nil, err
				}
				nodes[n.ID] = n
				ids = append(ids, n.ID)
			}
		} else {
			roots := dedupe(f.Roots)
			found, err := nodesByID(ctx, r, roots)
			if err != nil {
				return nil, err
			}
			for _, id := range roots {
				if found[id] == nil {
					return nil, errNotFound("roots", "no node %q", id)
				}
			}
			slices.Sort(roots)
			ids = roots
			seen := map[string]bool{}
			for _, id := range roots {
				seen[id] = true
			}
			// Breadth first, a level per statement, stopping at the level
			// where MaxNodes cuts: the nodes kept are the nearest, then the
			// first by id, so that level needs only its first ids. Each
			// statement returns its first need+1+len(seen) ids: enough for
			// need+1 new ones (at most len(seen) of them are known), so that
			// every one of the level's first need new ids is among them
			// and, when the level has more than need, the cut shows.
			frontier := roots
			for d := 1; d <= f.Depth && len(frontier) > 0; d++ {
				if f.MaxNodes > 0 && len(ids) > f.MaxNodes {
					break
				}
				limit := int64(math.MaxInt64)
				if f.MaxNodes > 0 {
					limit = int64(f.MaxNodes - len(ids) + 1 + len(seen))
				}
				var next []string
				for chunk := range slices.Chunk(frontier, batchSize) {
					recs, err := r.run(ctx, "subgraph_neighbours", map[string]any{"ids": chunk, "relations": rels, "year": year, "kinds": kinds, "limit": limit})
					if err != nil {
						return nil, err
					}
					for _, rec := range recs {
						id, err := recordValue[string](rec, "id")
						if err != nil {
							return nil, err
						}
						if !seen[id] {
							seen[id] = true
							next = append(next, id)
						}
					}
				}
				slices.Sort(next)
				if f.MaxNodes > 0 && len(ids)+len(next) > f.MaxNodes {
					// One beyond the cut, so that it sets Truncated below.
					ids = append(ids, next[:f.MaxNodes-len(ids)+1]...)
					break
				}
				ids = append(ids, next...)
				frontier = next
			}
		}
		if f.MaxNodes > 0 && len(ids) > f.MaxNodes {
			ids = ids[:f.MaxNodes]
			sg.Truncated = true
		}
		var missing []string
		for _, id := range ids {
			if nodes[id] == nil {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			found, err := nodesByID(ctx, r, missing)
			if err != nil {
				return nil, err
			}
			for id, n := range found {
				nodes[id] = n
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			if n := nodes[id]; n != nil {
				sg.Nodes = append(sg.Nodes, n)
			}
		}
		if len(ids) == 0 {
			return sg, nil
		}
		recs, err := r.run(ctx, "subgraph_edges", map[string]any{"ids": ids, "relations": rels, "year": year})
		if err != nil {
			return nil, err
		}
		if sg.Edges, err = collectEdges(recs); err != nil {
			return nil, err
		}
		slices.SortFunc(sg.Edges, func(a, b *regiongraph.Edge) int { return cmp.Compare(a.ID, b.ID) })
		return sg, nil
	})
}

// comparePaths orders paths by the node ids along them, then the relation
// ids.
func comparePaths(a, b regiongraph.Path) int {
	if c := slices.CompareFunc(a.Nodes, b.Nodes, func(x, y *regiongraph.Node) int { return cmp.Compare(x.ID, y.ID) }); c != 0 {
		return c
	}
	return slices.CompareFunc(a.Edges, b.Edges, func(x, y *regiongraph.Edge) int { return cmp.Compare(x.ID, y.ID) })
}

// ShortestPaths returns up to o.First shortest undirected paths between from
// and to, ordered by the ids along them.
func (s *Store) ShortestPaths(ctx context.Context, from, to string, o regiongraph.PathOptions) ([]regiongraph.Path, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	hops := o.MaxHops
	if hops == 0 {
		hops = regiongraph.MaxHops
	}
	first := o.First
	if first == 0 {
		first = 10
	}
	st, ok := s.st.paths[hops]
	if !ok {
		return nil, regiongraph.FieldErrorf("maxHops", "maxHops %d is outside 1..%d", hops, regiongraph.MaxHops)
	}
	return inTx(ctx, s, "shortest paths", false, func(ctx context.Context, r txRunner) ([]regiongraph.Path, error) {
		found, err := nodesByID(ctx, r, dedupe([]string{from, to}))
		if err != nil {
			return nil, err
		}
		if found[from] == nil {
			return nil, errNotFound("from", "no node %q", from)
		}
		if found[to] == nil {
			return nil, errNotFound("to", "no node %q", to)
		}
		if from == to {
			return []regiongraph.Path{{Nodes: []*regiongraph.Node{found[from]}, Edges: []*regiongraph.Edge{}}}, nil
		}
		recs, err := r.runStatement(ctx, st, map[string]any{
			"from": from, "to": to, "relations": listParam(o.Relations), "year": yearParam(o.Year),
			"kinds": listParam(o.Kinds), "first": int64(first),
		})
		if err != nil {
			return nil, err
		}
		paths := make([]regiongraph.Path, 0, len(recs))
		for _, rec := range recs {
			dp, err := recordValue[neo4jPath](rec, "p")
			if err != nil {
				return nil, err
			}
			p, err := pathFromDB(dp)
			if err != nil {
				return nil, err
			}
			paths = append(paths, p)
		}
		slices.SortStableFunc(paths, comparePaths)
		return paths, nil
	})
}
