package analysis

import (
	"context"
	"fmt"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// Precheck refuses, from counts the store gives cheaply and before anything
// is loaded, a whole-graph analysis that the limits would refuse after
// loading: more than MaxActors actors or MaxNodes nodes. Betweenness and
// closeness are never refused for their work: beyond MaxExactPathWork they
// are estimated from pivots (see PathSampling), whose work MaxPathWork
// bounds. The errors are BAD_USER_INPUT naming the limit. metrics is
// accepted for analyses whose limits depend on the metric.
func Precheck(ctx context.Context, store rg.Store, metrics ...Metric) error {
	actors, err := count(ctx, store, rg.ActorKinds)
	if err != nil {
		return err
	}
	if actors > MaxActors {
		return rg.Errorf(rg.EBADINPUT, "the graph has %d actors; whole-graph analysis is limited to %d actors (MaxActors)", actors, MaxActors)
	}
	nodes, err := count(ctx, store, ProjectionKinds)
	if err != nil {
		return err
	}
	if nodes > MaxNodes {
		return rg.Errorf(rg.EBADINPUT, "the graph has %d actors and initiatives; whole-graph analysis is limited to %d nodes (MaxNodes)", nodes, MaxNodes)
	}
	return nil
}

// CheckMapMetric is Precheck for a map sized by metric (as MapValues spells
// it); degree needs no analysis.
func CheckMapMetric(ctx context.Context, store rg.Store, metric string) error {
	if metric == "" || metric == MapMetricDegree {
		return nil
	}
	return Precheck(ctx, store, Metric(strings.ToUpper(metric)))
}

// count returns how many nodes of kinds the store holds.
func count(ctx context.Context, store rg.Store, kinds []rg.Kind) (int, error) {
	p, err := store.FindNodes(ctx, rg.NodeFilter{Kinds: kinds, First: 1, Order: rg.Order{Field: rg.OrderByID}})
	if err != nil {
		return 0, fmt.Errorf("count the nodes for analysis: %w", err)
	}
	return p.TotalCount, nil
}
