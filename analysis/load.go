package analysis

import (
	"context"
	"fmt"

	rg "github.com/regiongraph/regiongraph"
)

// Load reads the nodes of kinds and relations of relations (empty: all)
// that an analysis over the whole graph needs, as of year. A graph of more
// than MaxNodes nodes is refused with a BAD_USER_INPUT error naming the
// limit.
func Load(ctx context.Context, store rg.Store, kinds []rg.Kind, relations []rg.RelKind, year *int) (*rg.Subgraph, error) {
	sg, err := store.Subgraph(ctx, rg.SubgraphFilter{Kinds: kinds, Relations: relations, Year: year, MaxNodes: MaxNodes})
	if err != nil {
		return nil, fmt.Errorf("load the graph for analysis: %w", err)
	}
	if sg.Truncated {
		return nil, rg.Errorf(rg.EBADINPUT, "the graph has more than %d nodes; whole-graph analysis is limited to %d nodes (MaxNodes)", MaxNodes, MaxNodes)
	}
	return sg, nil
}

// LoadActorGraph reads and projects the actor graph as of year.
func LoadActorGraph(ctx context.Context, store rg.Store, year *int) (*ActorGraph, error) {
	sg, err := Load(ctx, store, ProjectionKinds, ProjectionRelations, year)
	if err != nil {
		return nil, err
	}
	return Project(ctx, sg, year)
}
