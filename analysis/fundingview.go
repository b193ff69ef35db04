package analysis

import (
	"context"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// FundingView is the funding of a store's graph as of one year, for
// FundingSummary and FundingFlows without reading the graph again: on a
// store that versions its graph (regiongraph.Versioned) the funding graph
// is read once per version and every year's view, and every summary and
// flow asked of it, is computed once and shared. Results are shared: read
// them, do not change them.
type FundingView struct {
	Year *int
	fg   *fundingGraph
	memo *memo
}

// LoadFunding returns the funding view of store's graph as of year (nil:
// every year).
func LoadFunding(ctx context.Context, store rg.Store, year *int) (*FundingView, error) {
	if year != nil {
		y := *year
		year = &y
	}
	sc, err := cacheFor(ctx, store)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		sg, err := Load(ctx, store, FundingKinds, FundingRelations, year)
		if err != nil {
			return nil, err
		}
		return &FundingView{Year: year, fg: newFundingGraph(sg, year), memo: newMemo(resultsPerGraph)}, nil
	}
	return do(ctx, sc.memo, "funding:"+yearKey(year), func(ctx context.Context) (*FundingView, error) {
		if v, ok := carried[*FundingView](ctx, sc, store, "funding:"+yearKey(year), fundingPart); ok {
			return v, nil
		}
		fg, err := do(ctx, sc.memo, "funding", func(ctx context.Context) (*fundingGraph, error) {
			if v, ok := carried[*fundingGraph](ctx, sc, store, "funding", fundingPart); ok {
				return v, nil
			}
			sg, err := Load(ctx, store, FundingKinds, FundingRelations, nil)
			if err != nil {
				return nil, err
			}
			return newFundingGraph(sg, nil), nil
		})
		if err != nil {
			return nil, err
		}
		return &FundingView{Year: year, fg: fg.at(year), memo: newMemo(resultsPerGraph)}, nil
	})
}

// Summary is FundingSummary of the view's graph and year, over every
// initiative.
func (v *FundingView) Summary(ctx context.Context, groupBy []FundingGroup) (*Summary, error) {
	if err := validateGroups("groupBy", groupBy, 1, MaxGroupBy); err != nil {
		return nil, err
	}
	return do(ctx, v.memo, "summary:"+groupsKey(groupBy), func(ctx context.Context) (*Summary, error) {
		return fundingSummary(ctx, v.fg, groupBy, v.Year, nil)
	})
}

// Flows is FundingFlows of the view's graph and year.
func (v *FundingView) Flows(ctx context.Context, stages []FundingGroup) (*Flows, error) {
	if err := validateGroups("stages", stages, 2, MaxGroupBy+1); err != nil {
		return nil, err
	}
	return do(ctx, v.memo, "flows:"+groupsKey(stages), func(ctx context.Context) (*Flows, error) {
		return fundingFlows(ctx, v.fg, stages, v.Year, nil)
	})
}

// Node returns a node of the view's graph by id, or nil.
func (v *FundingView) Node(id string) *rg.Node { return v.fg.nodes[id] }

func groupsKey(gs []FundingGroup) string {
	var sb strings.Builder
	for _, g := range gs {
		sb.WriteString(string(g))
		sb.WriteByte(',')
	}
	return sb.String()
}
