package analysis

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
	all  *fundingGraph // the graph of every year fg is a view of
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
	key := "funding:" + yearKey(year)
	return do(ctx, sc.memo, key, func(ctx context.Context) (*FundingView, error) {
		// The graph of every year first, so that each version's cache
		// holds it for the next one to carry or patch.
		fg, err := do(ctx, sc.memo, "funding", func(ctx context.Context) (*fundingGraph, error) {
			d := sc.changes(ctx, store)
			if pf, ok := prevValue[*fundingGraph](d, "funding"); ok {
				if !d.touched[fundingPart] {
					return pf, nil
				}
				return pf.patched(ctx, d.entries)
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
		if pv, ok := prevValue[*FundingView](sc.changes(ctx, store), key); ok && pv.all == fg {
			return pv, nil
		}
		return &FundingView{Year: year, fg: fg.at(year), all: fg, memo: newMemo(resultsPerGraph)}, nil
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

// patched returns the funding graph of every year with the changes in
// entries (history entries, oldest first) applied, sharing what they leave
// alone: the nodes and relations as newFundingGraph would have read them
// after the changes, in the same order.
func (fg *fundingGraph) patched(ctx context.Context, entries []*rg.HistoryEntry) (*fundingGraph, error) {
	c := &fundingGraph{nodes: maps.Clone(fg.nodes), out: maps.Clone(fg.out), in: maps.Clone(fg.in), inits: slices.Clone(fg.inits)}
	byID := func(a *rg.Node, id string) int { return strings.Compare(a.ID, id) }
	edgeByID := func(a *rg.Edge, id string) int { return strings.Compare(a.ID, id) }
	remove := func(m map[string][]*rg.Edge, key, id string) {
		if i, ok := slices.BinarySearchFunc(m[key], id, edgeByID); ok {
			m[key] = slices.Delete(slices.Clone(m[key]), i, i+1)
		}
	}
	insert := func(m map[string][]*rg.Edge, key string, e *rg.Edge) {
		i, ok := slices.BinarySearchFunc(m[key], e.ID, edgeByID)
		if ok {
			m[key] = slices.Clone(m[key])
			m[key][i] = e
			return
		}
		m[key] = slices.Insert(slices.Clone(m[key]), i, e)
	}
	for k, h := range entries {
		if k%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("funding: %w", err)
			}
		}
		if h.Target == rg.TargetRelation {
			if e := h.BeforeEdge; e != nil {
				remove(c.out, e.From, e.ID)
				remove(c.in, e.To, e.ID)
			}
			if e := h.AfterEdge; e != nil && slices.Contains(FundingRelations, e.Kind) && c.nodes[e.From] != nil && c.nodes[e.To] != nil {
				insert(c.out, e.From, e)
				insert(c.in, e.To, e)
			}
			continue
		}
		if n := h.Before; n != nil && slices.Contains(FundingKinds, n.Kind) {
			delete(c.nodes, n.ID)
			if i, ok := slices.BinarySearchFunc(c.inits, n.ID, byID); ok {
				c.inits = slices.Delete(c.inits, i, i+1)
			}
		}
		if n := h.After; n != nil && slices.Contains(FundingKinds, n.Kind) {
			c.nodes[n.ID] = n
			if n.Kind == rg.KindInitiative {
				i, _ := slices.BinarySearchFunc(c.inits, n.ID, byID)
				c.inits = slices.Insert(c.inits, i, n)
			}
		}
	}
	return c, nil
}
