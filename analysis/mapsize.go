package analysis

import (
	"context"
	"slices"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// MapMetricDegree is the map's default size: the relations drawn, which the
// map computes itself (export.MetricDegree).
const MapMetricDegree = "degree"

// MapMetrics are the metrics the map sizes its nodes by, as the map page,
// /map/data.json and partnershipMap spell them.
var MapMetrics = []string{MapMetricDegree, "pagerank", "betweenness", "closeness"}

// MapValues returns the values that size the map's nodes by metric: a
// centrality over the whole actor graph as of year, so that a node's size
// does not depend on what else the map shows; nodes that are not actors are
// missing (they count as 0). For degree (or "") it returns nil: the map
// counts the relations it draws. An unknown metric is BAD_USER_INPUT on the
// field "metric".
func MapValues(ctx context.Context, store rg.Store, year *int, metric string) (map[string]float64, error) {
	if metric == "" || metric == MapMetricDegree {
		return nil, nil
	}
	m := Metric(strings.ToUpper(metric))
	if !m.Valid() || !slices.Contains(MapMetrics, metric) {
		return nil, rg.FieldErrorf("metric", "unknown metric %q; the metrics are %s", metric, strings.Join(MapMetrics, ", "))
	}
	ag, err := LoadActorGraph(ctx, store, year)
	if err != nil {
		return nil, err
	}
	scores, err := Centrality(ctx, ag, m)
	if err != nil {
		return nil, err
	}
	values := make(map[string]float64, len(scores))
	for _, sc := range scores {
		values[sc.Node.ID] = sc.Value(m)
	}
	return values, nil
}
