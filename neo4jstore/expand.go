package neo4jstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/regiongraph/regiongraph"
)

// The statements of Expand (queries/expand_*.cypher) and their parameters.
func init() {
	for _, name := range []string{"expand_out", "expand_in", "expand_both"} {
		fileParams[name] = map[string]any{"nodeIds": sampleStrings, "ids": sampleStrings, "kinds": sampleStrings, "year": sampleInt}
	}
}

// expandQuery chooses the statement and parameters for Expand.
func expandQuery(f regiongraph.EdgeFilter) (string, map[string]any) {
	params := map[string]any{"nodeIds": dedupe(f.NodeIDs), "ids": listParam(f.IDs), "kinds": listParam(f.Kinds), "year": yearParam(f.Year)}
	switch f.Direction {
	case regiongraph.Out:
		return "expand_out", params
	case regiongraph.In:
		return "expand_in", params
	}
	return "expand_both", params
}

// Expand returns the relations matching f with the nodes at their other ends,
// in one round trip: one row per relation and end it was reached from.
func (s *Store) Expand(ctx context.Context, f regiongraph.EdgeFilter) (regiongraph.Expansion, error) {
	if err := f.ValidateExpand(); err != nil {
		return regiongraph.Expansion{}, err
	}
	name, params := expandQuery(f)
	recs, err := s.query(ctx, "expand", name, params, true)
	if err != nil {
		return regiongraph.Expansion{}, err
	}
	x := regiongraph.Expansion{Edges: []*regiongraph.Edge{}, Nodes: []*regiongraph.Node{}}
	seenEdge := make(map[string]bool, len(recs))
	seenNode := make(map[string]bool, len(recs))
	for _, rec := range recs {
		e, err := recordEdge(rec)
		if err != nil {
			return regiongraph.Expansion{}, err
		}
		if !seenEdge[e.ID] {
			seenEdge[e.ID] = true
			x.Edges = append(x.Edges, e)
		}
		n, err := recordNode(rec, "n")
		if err != nil {
			return regiongraph.Expansion{}, err
		}
		if !seenNode[n.ID] {
			seenNode[n.ID] = true
			x.Nodes = append(x.Nodes, n)
		}
	}
	slices.SortFunc(x.Edges, func(a, b *regiongraph.Edge) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(x.Nodes, func(a, b *regiongraph.Node) int { return cmp.Compare(a.ID, b.ID) })
	return x, nil
}
