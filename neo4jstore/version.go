package neo4jstore

import (
	"context"
	"fmt"

	"github.com/regiongraph/regiongraph"
)

var _ regiongraph.Versioned = (*Store)(nil)

// GraphVersion implements regiongraph.Versioned with two count-store reads
// and the history counter, in one read transaction. Seq is the history
// counter, which every Apply that changes the graph advances, including
// Applies from other processes on the same database.
func (s *Store) GraphVersion(ctx context.Context) (regiongraph.GraphVersion, error) {
	return inTx(ctx, s, "graph version", false, func(ctx context.Context, r txRunner) (regiongraph.GraphVersion, error) {
		v := regiongraph.GraphVersion{Store: s.id}
		recs, err := r.run(ctx, "graph_version", map[string]any{})
		if err != nil {
			return v, err
		}
		if len(recs) != 1 {
			return v, fmt.Errorf("neo4jstore: graph_version: %w", errNoRows)
		}
		if v.Seq, err = recordInt(recs[0], "seq"); err != nil {
			return v, err
		}
		nodes, err := recordInt(recs[0], "nodes")
		if err != nil {
			return v, err
		}
		if recs, err = r.run(ctx, "graph_relations", map[string]any{}); err != nil {
			return v, err
		}
		if len(recs) != 1 {
			return v, fmt.Errorf("neo4jstore: graph_relations: %w", errNoRows)
		}
		rels, err := recordInt(recs[0], "relations")
		if err != nil {
			return v, err
		}
		v.Nodes, v.Relations = int(nodes), int(rels)
		return v, nil
	})
}
