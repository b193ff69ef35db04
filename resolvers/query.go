package resolvers

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// page is one page of a list, converted to a GraphQL type.
type page[T any] struct {
	nodes   []T
	cursors []string
	info    *model.PageInfo
	total   int
}

// findPage reads one page of nodes matching f and converts them with conv.
func findPage[T any](ctx context.Context, r *Resolver, f rg.NodeFilter, conv func(*rg.Node) (T, bool)) (page[T], error) {
	p, err := r.Store.FindNodes(ctx, f)
	if err != nil {
		return page[T]{}, err
	}
	r.readAheadConnection(ctx, p.Nodes)
	out := page[T]{info: &model.PageInfo{HasNextPage: p.HasNextPage, EndCursor: strPtr(p.EndCursor)}, total: p.TotalCount}
	for _, n := range p.Nodes {
		if v, ok := conv(n); ok {
			out.nodes = append(out.nodes, v)
			out.cursors = append(out.cursors, rg.CursorFor(f.Order, n))
		}
	}
	if out.nodes == nil {
		out.nodes = []T{}
	}
	return out, nil
}

// edgesOf builds a connection's edges with mk.
func edgesOf[T, E any](p page[T], mk func(cursor string, node T) E) []E {
	out := make([]E, len(p.nodes))
	for i := range p.nodes {
		out[i] = mk(p.cursors[i], p.nodes[i])
	}
	return out
}

// nodeFilter converts the common list arguments.
func nodeFilter(kind rg.Kind, f *model.NodeFilter, orderBy *model.NodeOrder, first *int, after *string) rg.NodeFilter {
	out := rg.NodeFilter{Kinds: []rg.Kind{kind}, Order: toOrder(orderBy)}
	if first != nil {
		out.First = *first
	}
	if after != nil {
		out.After = *after
	}
	if f != nil {
		out.IDs = f.Ids
		out.Year = f.Year
		if f.Text != nil {
			out.Text = *f.Text
		}
		if f.Code != nil {
			out.Code = *f.Code
		}
		out.Related = toRelated(f.Related)
	}
	return out
}

// initiativeFilter converts the initiative list arguments; each convenience
// field becomes one Related condition.
func initiativeFilter(f *model.InitiativeFilter, orderBy *model.NodeOrder, first *int, after *string) rg.NodeFilter {
	out := nodeFilter(rg.KindInitiative, nil, orderBy, first, after)
	if f == nil {
		return out
	}
	out.IDs, out.Year, out.PlanYear = f.Ids, f.Year, f.PlanYear
	if f.Text != nil {
		out.Text = *f.Text
	}
	if f.Code != nil {
		out.Code = *f.Code
	}
	out.Related = toRelated(f.Related)
	for _, c := range []struct {
		id   *string
		kind rg.RelKind
		dir  rg.Direction
	}{
		{f.FocusArea, rg.RelInFocusArea, rg.Out},
		{f.StrategyArea, rg.RelInStrategyArea, rg.Out},
		{f.CoordinatedBy, rg.RelCoordinates, rg.In},
		{f.FundedBy, rg.RelFunds, rg.In},
		{f.Topic, rg.RelConcerns, rg.Out},
		{f.Plan, rg.RelInPlan, rg.Out},
		{f.PartOf, rg.RelPartOf, rg.Out},
	} {
		if c.id != nil {
			out.Related = append(out.Related, rg.Related{Kind: c.kind, Direction: c.dir, NodeIDs: []string{*c.id}})
		}
	}
	return out
}

func toRelated(rs []*model.RelatedFilter) []rg.Related {
	out := make([]rg.Related, 0, len(rs))
	for _, r := range rs {
		out = append(out, rg.Related{Kind: rg.RelKind(r.Kind), Direction: rg.Direction(r.Direction), NodeIDs: r.Nodes})
	}
	return out
}

func toOrder(o *model.NodeOrder) rg.Order {
	if o == nil {
		return rg.Order{Field: rg.OrderByName}
	}
	return rg.Order{Field: rg.OrderField(o.Field), Desc: o.Direction == model.OrderDirectionDesc}
}

// searchMax bounds how many hits search ranks.
const searchMax = rg.MaxPageSize

// searchPage runs the store's full-text search for one page: the hits
// from offset (a cursor is a position in the ranking) to offset+size, with
// their snippets when asked for.
func (r *Resolver) searchPage(ctx context.Context, text string, kinds []model.NodeKind, first *int, after *string, snippets bool) (hits []rg.SearchHit, offset, total int, more bool, err error) {
	if strings.TrimSpace(text) == "" {
		return nil, 0, 0, false, rg.FieldErrorf("text", "is required")
	}
	n := 20
	if first != nil {
		n = *first
	}
	size, err := rg.PageSize(n)
	if err != nil {
		return nil, 0, 0, false, err
	}
	if after != nil && *after != "" {
		if offset, err = decodeOffset(*after); err != nil {
			return nil, 0, 0, false, err
		}
	}
	res, err := r.Store.Search(ctx, rg.SearchQuery{Text: text, Kinds: toDomainKinds(kinds), First: min(offset+size, searchMax), NoSnippets: !snippets})
	if err != nil {
		return nil, 0, 0, false, err
	}
	end := min(offset+size, len(res.Hits))
	if offset < end {
		hits = res.Hits[offset:end]
	}
	ns := make([]*rg.Node, len(hits))
	for i, h := range hits {
		ns[i] = h.Node
	}
	r.prime(ctx, ns)
	return hits, offset, res.TotalCount, offset+size < min(res.TotalCount, searchMax), nil
}

// search finds nodes by what the plans say (Store.Search), ranked: hits
// whose every word is in a name first, then by score, name and id.
func (r *Resolver) search(ctx context.Context, text string, kinds []model.NodeKind, first *int, after *string) (*model.NodeConnection, error) {
	hits, offset, total, more, err := r.searchPage(ctx, text, kinds, first, after, false)
	if err != nil {
		return nil, err
	}
	r.readAheadConnection(ctx, hitNodes(hits))
	conn := &model.NodeConnection{Edges: []*model.NodeEdge{}, Nodes: []model.Node{}, TotalCount: total, PageInfo: &model.PageInfo{HasNextPage: more}}
	for i, h := range hits {
		c := encodeOffset(offset + i + 1)
		v := toNode(h.Node)
		conn.Edges = append(conn.Edges, &model.NodeEdge{Cursor: c, Node: v})
		conn.Nodes = append(conn.Nodes, v)
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

// searchHits is search with each hit's score, field and snippet.
func (r *Resolver) searchHits(ctx context.Context, text string, kinds []model.NodeKind, first *int, after *string) (*model.SearchHitConnection, error) {
	hits, offset, total, more, err := r.searchPage(ctx, text, kinds, first, after, true)
	if err != nil {
		return nil, err
	}
	conn := &model.SearchHitConnection{Edges: []*model.SearchHitEdge{}, Hits: []*model.SearchHit{}, TotalCount: total, PageInfo: &model.PageInfo{HasNextPage: more}}
	for i, h := range hits {
		c := encodeOffset(offset + i + 1)
		v := &model.SearchHit{Node: toNode(h.Node), Score: h.Score, Field: model.SearchField(h.Best.Field), Snippet: h.Best.Snippet,
			Highlights: toSpans(h.Best.Highlights), Matches: []*model.SearchMatch{}}
		for _, m := range h.Matches {
			v.Matches = append(v.Matches, &model.SearchMatch{Field: model.SearchField(m.Field), Index: m.Index, Snippet: m.Snippet, Highlights: toSpans(m.Highlights)})
		}
		conn.Edges = append(conn.Edges, &model.SearchHitEdge{Cursor: c, Node: v})
		conn.Hits = append(conn.Hits, v)
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

func toSpans(ss []rg.Span) []*model.TextSpan {
	out := make([]*model.TextSpan, len(ss))
	for i, s := range ss {
		out[i] = &model.TextSpan{Start: s.Start, End: s.End}
	}
	return out
}

// hitNodes are the nodes of search hits.
func hitNodes(hits []rg.SearchHit) []*rg.Node {
	ns := make([]*rg.Node, len(hits))
	for i, h := range hits {
		ns[i] = h.Node
	}
	return ns
}

func encodeOffset(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("search:" + strconv.Itoa(i)))
}

func decodeOffset(s string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if v, ok := strings.CutPrefix(string(b), "search:"); ok {
			if i, err := strconv.Atoi(v); err == nil && i >= 0 && i <= searchMax {
				return i, nil
			}
		}
	}
	return 0, rg.FieldErrorf("after", "malformed cursor")
}

// maxRelations bounds the top-level relations list.
const maxRelations = rg.MaxPageSize

func (r *Resolver) relationsQuery(ctx context.Context, ids []string, kinds []model.RelationKind, year *int) ([]*model.Relation, error) {
	if len(ids) == 0 && len(kinds) == 0 {
		return nil, rg.FieldErrorf("ids", "give ids or kinds")
	}
	es, err := r.Store.Edges(ctx, rg.EdgeFilter{IDs: ids, Kinds: toDomainRels(kinds), Year: year})
	if err != nil {
		return nil, err
	}
	if len(es) > maxRelations {
		return nil, rg.Errorf(rg.EBADINPUT, "%d relations match; at most %d are returned: narrow by ids, kinds or year", len(es), maxRelations)
	}
	r.readAheadEnds(ctx, es)
	return toRelations(es), nil
}

func (r *Resolver) nodesQuery(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > rg.MaxPageSize {
		return nil, rg.FieldErrorf("ids", "%d ids; at most %d are allowed", len(ids), rg.MaxPageSize)
	}
	ns, err := r.Store.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	r.readAheadField(ctx, ns)
	byID := make(map[string]*rg.Node, len(ns))
	for _, n := range ns {
		byID[n.ID] = n
	}
	out := make([]model.Node, len(ids))
	for i, id := range ids {
		if n := byID[id]; n != nil {
			out[i] = toNode(n)
		}
	}
	return out, nil
}

// rootNodeQuery serves Query.node: the node, with what is selected on it
// read ahead.
func (r *Resolver) rootNodeQuery(ctx context.Context, id string) (model.Node, error) {
	ns, err := r.Store.Nodes(ctx, []string{id})
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	r.readAheadField(ctx, ns)
	return toNode(ns[0]), nil
}

func (r *Resolver) nodeQuery(ctx context.Context, id string) (model.Node, error) {
	n, err := r.node(ctx, id)
	if err != nil || n == nil {
		return nil, err
	}
	return toNode(n), nil
}
