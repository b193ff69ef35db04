package resolvers

import (
	"context"
	"slices"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

var byName = rg.Order{Field: rg.OrderByName}

// related returns the nodes at the other end of id's relations of kind
// (every kind when "") in dir that hold in year, ordered by name, each once,
// converted by conv; nodes conv does not take are left out.
func related[T any](ctx context.Context, r *Resolver, id string, dir rg.Direction, kind rg.RelKind, year *int, conv func(*rg.Node) (T, bool)) ([]T, error) {
	es, err := r.edges(ctx, id, dir, kind, year)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(es))
	seen := make(map[string]bool, len(es))
	for _, e := range es {
		o := e.Other(id)
		if !seen[o] {
			seen[o] = true
			ids = append(ids, o)
		}
	}
	ns, err := r.nodesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ns, func(a, b *rg.Node) int { return rg.CompareNodes(byName, a, b) })
	out := make([]T, 0, len(ns))
	for _, n := range ns {
		if v, ok := conv(n); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// relatedOne returns the first of related's nodes, or the zero T.
func relatedOne[T any](ctx context.Context, r *Resolver, id string, dir rg.Direction, kind rg.RelKind, conv func(*rg.Node) (T, bool)) (T, error) {
	var zero T
	vs, err := related(ctx, r, id, dir, kind, nil, conv)
	if err != nil || len(vs) == 0 {
		return zero, err
	}
	return vs[0], nil
}

// relationsOf returns id's relations of kind in dir that hold in year.
func (r *Resolver) relationsOf(ctx context.Context, id string, dir rg.Direction, kind rg.RelKind, year *int) ([]*model.Relation, error) {
	es, err := r.edges(ctx, id, dir, kind, year)
	if err != nil {
		return nil, err
	}
	return toRelations(es), nil
}

// relationsField serves every node's `relations` field.
func (r *Resolver) relationsField(ctx context.Context, id string, direction *model.Direction, kinds []model.RelationKind, year *int) ([]*model.Relation, error) {
	es, err := r.edgesOfKinds(ctx, id, toDomainDirection(direction), toDomainRels(kinds), year)
	if err != nil {
		return nil, err
	}
	return toRelations(es), nil
}

// edgesOfKinds loads id's relations of any of kinds (every kind when empty).
func (r *Resolver) edgesOfKinds(ctx context.Context, id string, dir rg.Direction, kinds []rg.RelKind, year *int) ([]*rg.Edge, error) {
	if len(kinds) == 0 {
		return r.edges(ctx, id, dir, "", year)
	}
	var out []*rg.Edge
	for _, k := range kinds {
		es, err := r.edges(ctx, id, dir, k, year)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	slices.SortFunc(out, func(a, b *rg.Edge) int { return compareStrings(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b *rg.Edge) bool { return a.ID == b.ID }), nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// neighboursField serves every node's `neighbours` field.
func (r *Resolver) neighboursField(ctx context.Context, id string, direction *model.Direction, kinds []model.RelationKind, nodeKinds []model.NodeKind, year *int) ([]model.Node, error) {
	es, err := r.edgesOfKinds(ctx, id, toDomainDirection(direction), toDomainRels(kinds), year)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(es))
	seen := map[string]bool{}
	for _, e := range es {
		if o := e.Other(id); !seen[o] {
			seen[o] = true
			ids = append(ids, o)
		}
	}
	ns, err := r.nodesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	want := toDomainKinds(nodeKinds)
	slices.SortFunc(ns, func(a, b *rg.Node) int { return rg.CompareNodes(byName, a, b) })
	out := make([]model.Node, 0, len(ns))
	for _, n := range ns {
		if len(want) == 0 || slices.Contains(want, n.Kind) {
			if v := toNode(n); v != nil {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// withPlanYear keeps the initiatives of one plan year (all when year is nil).
func withPlanYear(xs []*model.Initiative, year *int) []*model.Initiative {
	if year == nil {
		return xs
	}
	out := xs[:0]
	for _, x := range xs {
		if x.PlanYear != nil && *x.PlanYear == *year {
			out = append(out, x)
		}
	}
	return out
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
