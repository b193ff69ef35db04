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
// in one statement under the read gate, one round trip: one row with each
// relation and each node once.
func (s *Store) Expand(ctx context.Context, f regiongraph.EdgeFilter) (regiongraph.Expansion, error) {
	if err := f.ValidateExpand(); err != nil {
		return regiongraph.Expansion{}, err
	}
	name, params := expandQuery(f)
	st, err := s.st.stmt(name)
	if err != nil {
		return regiongraph.Expansion{}, err
	}
	recs, err := s.read(ctx, "expand", st, params)
	if err != nil {
		return regiongraph.Expansion{}, err
	}
	x, err := expansion(recs)
	if err != nil {
		return regiongraph.Expansion{}, mapError("expand", err)
	}
	return x, nil
}

// expansion maps Expand's one row, each relation and node by id.
func expansion(recs []*neo4jRecord) (regiongraph.Expansion, error) {
	if len(recs) != 1 {
		return regiongraph.Expansion{}, errNoRows
	}
	edges, err := listColumn(recs[0], "rels", edgeFromList)
	if err != nil {
		return regiongraph.Expansion{}, err
	}
	nodes, err := listColumn(recs[0], "nodes", nodeFromList)
	if err != nil {
		return regiongraph.Expansion{}, err
	}
	slices.SortFunc(edges, func(a, b *regiongraph.Edge) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(nodes, func(a, b *regiongraph.Node) int { return cmp.Compare(a.ID, b.ID) })
	return regiongraph.Expansion{Edges: edges, Nodes: nodes}, nil
}
