package analysis_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
)

// countStore answers FindNodes with a count of actors and of initiatives,
// and fails the test when anything is loaded.
type countStore struct {
	rg.Store
	t                   *testing.T
	actors, initiatives int
}

func (s *countStore) FindNodes(_ context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	n := 0
	if slices.Contains(f.Kinds, rg.KindMunicipality) {
		n += s.actors
	}
	if slices.Contains(f.Kinds, rg.KindInitiative) {
		n += s.initiatives
	}
	return rg.NodePage{TotalCount: n}, nil
}

func (s *countStore) Subgraph(context.Context, rg.SubgraphFilter) (*rg.Subgraph, error) {
	s.t.Error("Precheck loaded the graph")
	return &rg.Subgraph{}, nil
}

// TestPrecheck: the limits are checked from counts, before loading:
// betweenness and closeness over n actors cost at least n² steps; more
// actors than MaxActors or nodes than MaxNodes are refused for any
// analysis.
func TestPrecheck(t *testing.T) {
	ctx := context.Background()
	overPath := 19000 // 19000² = 3.6e8: with its links, beyond MaxExactPathWork
	for _, c := range []struct {
		name                string
		actors, initiatives int
		metrics             []analysis.Metric
		limit               string // "" when allowed
	}{
		{"SmallBetweenness", 7000, 100, []analysis.Metric{analysis.Betweenness}, ""},
		// Beyond the exact limit betweenness and closeness are estimated
		// (PathSampling), not refused.
		{"BetweennessOverExactPathWorkIsEstimated", overPath, 0, []analysis.Metric{analysis.Betweenness}, ""},
		{"ClosenessOverExactPathWorkIsEstimated", overPath, 0, []analysis.Metric{analysis.PageRank, analysis.Closeness}, ""},
		{"PageRankOverPathWorkIsFine", overPath, 0, []analysis.Metric{analysis.PageRank}, ""},
		{"TooManyActors", analysis.MaxActors + 1, 0, nil, "MaxActors"},
		{"TooManyNodes", 1000, analysis.MaxNodes, nil, "MaxNodes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := analysis.Precheck(ctx, &countStore{t: t, actors: c.actors, initiatives: c.initiatives}, c.metrics...)
			switch {
			case c.limit == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.limit != "" && (rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(rg.ErrorMessage(err), c.limit)):
				t.Errorf("got %v, want BAD_USER_INPUT naming %s", err, c.limit)
			}
		})
	}
	if err := analysis.CheckMapMetric(ctx, &countStore{t: t, actors: analysis.MaxActors + 1}, "betweenness"); rg.ErrorCode(err) != rg.EBADINPUT {
		t.Errorf("map sized by betweenness over MaxActors: %v", err)
	}
	if err := analysis.CheckMapMetric(ctx, &countStore{t: t, actors: overPath}, "degree"); err != nil {
		t.Errorf("map sized by degree: %v", err)
	}
}
