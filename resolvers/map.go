package resolvers

import (
	"context"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/graph/model"
)

// partnershipMap selects, lays out and sizes the map through package export,
// exactly as /map/data.json and /export/... do for the same filter.
func (r *Resolver) partnershipMap(ctx context.Context, in *model.MapFilterInput, metric *model.MapMetric) (*model.PartnershipMap, error) {
	f := mapFilter(in)
	if err := f.Validate(); err != nil {
		// export names URL parameters; the input's list fields are plural.
		if e, ok := err.(*rg.Error); ok && (e.Field == "kind" || e.Field == "relation") {
			c := *e
			c.Field += "s"
			err = &c
		}
		return nil, rg.WithField(err, "filter")
	}
	g, err := export.Build(ctx, r.Store, f)
	if err != nil {
		return nil, err
	}
	m := model.MapMetricDegree
	if metric != nil {
		m = *metric
	}
	name := strings.ToLower(string(m))
	values, err := analysis.MapValues(ctx, r.Store, f.Year, name)
	if err != nil {
		return nil, err
	}
	if values != nil {
		g.SetMetric(name, values)
	}
	r.prime(ctx, g.Nodes)
	out := &model.PartnershipMap{Nodes: make([]*model.MapNode, len(g.Nodes)), Edges: make([]*model.MapEdge, len(g.Edges)), Metric: m, Query: f.Query().Encode()}
	for i, n := range g.Nodes {
		p := g.Pos[n.ID]
		out.Nodes[i] = &model.MapNode{ID: n.ID, Kind: kindNames[n.Kind], Name: n.Name, X: p.X, Y: p.Y, Size: g.Size(n.ID), Value: g.Values[n.ID], Degree: g.Degree[n.ID], Node: toNode(n)}
	}
	for i, e := range g.Edges {
		out.Edges[i] = &model.MapEdge{ID: e.ID, Kind: model.RelationKind(e.Kind), FromID: e.From, ToID: e.To, FromYear: e.FromYear, ToYear: e.ToYear, Source: toSource(e.Source), Relation: toRelation(e)}
	}
	return out, nil
}

// mapFilter converts the GraphQL filter to export's.
func mapFilter(in *model.MapFilterInput) export.Filter {
	var f export.Filter
	if in == nil {
		return f
	}
	f.Kinds = toDomainKinds(in.Kinds)
	f.Relations = toDomainRels(in.Relations)
	f.Year = in.Year
	for _, p := range []struct {
		dst *string
		src *string
	}{{&f.FocusArea, in.FocusArea}, {&f.Network, in.Network}, {&f.Focus, in.Focus}, {&f.Text, in.Text}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if in.Depth != nil {
		f.Depth = *in.Depth
	}
	return f
}
