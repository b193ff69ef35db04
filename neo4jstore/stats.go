package neo4jstore

import (
	"context"
	"sync"
	"time"

	"github.com/regiongraph/regiongraph"
)

// Stats are computed by four scans (queries/stats_*.cypher) and kept with
// the number of recorded changes at that moment. Every Apply, from this
// process or another, records changes, and counting them is answered from
// Neo4j's count store without a scan, so each Stats call costs one cheap
// round trip while nothing changes, and the scans again after a change (or
// after regiongraph.StatsMaxAge).

func init() {
	fileParams["stats_nodes"] = map[string]any{}
	fileParams["stats_out"] = map[string]any{}
	fileParams["stats_in"] = map[string]any{}
	fileParams["stats_degrees"] = map[string]any{}
}

type statsEntry struct {
	changes int64
	at      time.Time
	stats   regiongraph.GraphStats
}

// statsCache holds each open Store's latest Stats (an entry is small).
var statsCache sync.Map // *Store -> *statsEntry

// Stats implements regiongraph.Store. The maps are shared: do not modify
// them.
func (s *Store) Stats(ctx context.Context) (regiongraph.GraphStats, error) {
	recs, err := s.query(ctx, "stats", "history_count", nil, true)
	if err != nil {
		return regiongraph.GraphStats{}, err
	}
	if len(recs) != 1 {
		return regiongraph.GraphStats{}, errNoRows
	}
	changes, err := recordInt(recs[0], "n")
	if err != nil {
		return regiongraph.GraphStats{}, err
	}
	if v, ok := statsCache.Load(s); ok {
		if e := v.(*statsEntry); e.changes == changes && time.Since(e.at) < regiongraph.StatsMaxAge {
			return e.stats, nil
		}
	}
	st, err := inTx(ctx, s, "stats", false, func(ctx context.Context, r txRunner) (regiongraph.GraphStats, error) {
		st := regiongraph.GraphStats{Nodes: map[regiongraph.Kind]int{}, Relations: map[regiongraph.RelKind]regiongraph.RelationDegrees{}}
		recs, err := r.run(ctx, "stats_nodes", map[string]any{})
		if err != nil {
			return st, err
		}
		for _, rec := range recs {
			k, err := recordValue[string](rec, "kind")
			if err != nil {
				return st, err
			}
			n, err := recordInt(rec, "n")
			if err != nil {
				return st, err
			}
			st.Nodes[regiongraph.Kind(k)] = int(n)
		}
		recs, err = r.run(ctx, "stats_degrees", map[string]any{})
		if err != nil {
			return st, err
		}
		if len(recs) != 1 {
			return st, errNoRows
		}
		for _, c := range []struct {
			col string
			dst *int
		}{{"maxOut", &st.MaxOut}, {"maxIn", &st.MaxIn}, {"maxBoth", &st.MaxBoth}} {
			v, err := recordInt(recs[0], c.col)
			if err != nil {
				return st, err
			}
			*c.dst = int(v)
		}
		for _, out := range []bool{true, false} {
			name := "stats_in"
			if out {
				name = "stats_out"
			}
			recs, err := r.run(ctx, name, map[string]any{})
			if err != nil {
				return st, err
			}
			for _, rec := range recs {
				k, err := recordValue[string](rec, "kind")
				if err != nil {
					return st, err
				}
				var v [3]int64
				for i, col := range []string{"nodes", "total", "maxDegree"} {
					if v[i], err = recordInt(rec, col); err != nil {
						return st, err
					}
				}
				d := st.Relations[regiongraph.RelKind(k)]
				d.Count = int(v[1])
				mean := 0.0
				if v[0] > 0 {
					mean = float64(v[1]) / float64(v[0])
				}
				if out {
					d.MaxOut, d.MeanOut = int(v[2]), mean
				} else {
					d.MaxIn, d.MeanIn = int(v[2]), mean
				}
				st.Relations[regiongraph.RelKind(k)] = d
			}
		}
		return st, nil
	})
	if err != nil {
		return regiongraph.GraphStats{}, err
	}
	statsCache.Store(s, &statsEntry{changes: changes, at: time.Now(), stats: st})
	return st, nil
}
