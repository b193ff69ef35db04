package neo4jstore

import (
	"context"
	"fmt"

	"github.com/regiongraph/regiongraph"
)

func init() {
	fileParams["node_degrees"] = map[string]any{"id": "kommune-kongsberg"}
}

// NodeDegrees implements regiongraph.NodeDegreer: one statement counts the
// node's relationships by type and direction (queries/node_degrees.cypher),
// so that a query about one node is estimated by that node's relations,
// not by the most any node has.
func (s *Store) NodeDegrees(ctx context.Context, id string) (regiongraph.GraphStats, error) {
	st := regiongraph.GraphStats{Relations: map[regiongraph.RelKind]regiongraph.RelationDegrees{}}
	recs, err := s.query(ctx, "node degrees", "node_degrees", map[string]any{"id": id}, true)
	if err != nil {
		return st, err
	}
	for _, rec := range recs {
		kind, err := recordValue[string](rec, "kind")
		if err != nil {
			return st, err
		}
		out, err := recordValue[bool](rec, "out")
		if err != nil {
			return st, err
		}
		n, err := recordInt(rec, "degree")
		if err != nil {
			return st, err
		}
		if n <= 0 {
			return st, fmt.Errorf("neo4jstore: node degrees: %d %s relations", n, kind)
		}
		r := st.Relations[regiongraph.RelKind(kind)]
		if out {
			r.Count, r.MaxOut = int(n), int(n)
			st.MaxOut += int(n)
		} else {
			r.MaxIn = int(n)
			st.MaxIn += int(n)
		}
		st.Relations[regiongraph.RelKind(kind)] = r
	}
	st.MaxBoth = st.MaxOut + st.MaxIn
	return st, nil
}

var _ regiongraph.NodeDegreer = (*Store)(nil)
