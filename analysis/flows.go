package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// FlowNode is one node of a Sankey diagram: a key in one stage.
type FlowNode struct {
	ID    string // "<stage index>:<group>:<key id>", unique in the diagram
	Stage int
	Key   Key
	// ValueNok is the amount of the items through this node, each counted
	// once.
	ValueNok int64
}

// FlowLink carries the items that have key Source in one stage and key
// Target in the next.
type FlowLink struct {
	Source, Target string // FlowNode ids
	ValueNok       int64  // each item once
	// SharedNok is the part of ValueNok from items that flow through more
	// than one link between these two stages (several funders, areas...):
	// their whole amount is on each such link, never split.
	SharedNok   int64
	Initiatives []string // ids, ordered
}

// Flows is funding as Sankey-ready nodes and links.
type Flows struct {
	Stages   []FundingGroup
	Year     *int
	TotalNok int64 // every item once
	Nodes    []FlowNode
	Links    []FlowLink
	Excluded []Excluded
}

// FundingFlows returns the items FundingSummary counts as a Sankey
// diagram through stages (at least two, e.g. FUNDER, FUND, FOCUS_AREA).
// Nodes are ordered by stage, then value descending, then key id; links
// by source, then target (in node order).
func FundingFlows(ctx context.Context, sg *rg.Subgraph, stages []FundingGroup, year *int, scope []string) (*Flows, error) {
	if err := validateGroups("stages", stages, 2, MaxGroupBy+1); err != nil {
		return nil, err
	}
	return fundingFlows(ctx, newFundingGraph(sg, year), stages, year, scope)
}

func fundingFlows(ctx context.Context, fg *fundingGraph, stages []FundingGroup, year *int, scope []string) (*Flows, error) {
	items, excluded, err := fg.items(ctx, year, scope)
	if err != nil {
		return nil, err
	}
	f := &Flows{Stages: slices.Clone(stages), Year: year, Excluded: excluded}
	nodes := map[string]*FlowNode{}
	links := map[[2]string]*FlowLink{}
	nodeID := func(stage int, k Key) string { return fmt.Sprintf("%d:%s:%s", stage, k.Group, k.ID()) }
	for _, it := range items {
		f.TotalNok += it.AmountNok
		for st, g := range stages {
			for _, c := range fg.combos(it, []FundingGroup{g}) {
				id := nodeID(st, c[0])
				n := nodes[id]
				if n == nil {
					n = &FlowNode{ID: id, Stage: st, Key: c[0]}
					nodes[id] = n
				}
				n.ValueNok += it.AmountNok
			}
		}
		for st := 0; st+1 < len(stages); st++ {
			pairs := fg.combos(it, stages[st:st+2])
			for _, c := range pairs {
				lk := [2]string{nodeID(st, c[0]), nodeID(st+1, c[1])}
				l := links[lk]
				if l == nil {
					l = &FlowLink{Source: lk[0], Target: lk[1]}
					links[lk] = l
				}
				l.ValueNok += it.AmountNok
				if len(pairs) > 1 {
					l.SharedNok += it.AmountNok
				}
				l.Initiatives = append(l.Initiatives, it.Initiative.ID)
			}
		}
	}
	for _, n := range nodes {
		f.Nodes = append(f.Nodes, *n)
	}
	slices.SortFunc(f.Nodes, func(a, b FlowNode) int {
		return cmp.Or(cmp.Compare(a.Stage, b.Stage), -cmp.Compare(a.ValueNok, b.ValueNok), compareKeys([]Key{a.Key}, []Key{b.Key}))
	})
	pos := map[string]int{}
	for i, n := range f.Nodes {
		pos[n.ID] = i
	}
	for _, l := range links {
		slices.Sort(l.Initiatives)
		l.Initiatives = slices.Compact(l.Initiatives)
		f.Links = append(f.Links, *l)
	}
	slices.SortFunc(f.Links, func(a, b FlowLink) int {
		return cmp.Or(cmp.Compare(pos[a.Source], pos[b.Source]), cmp.Compare(pos[a.Target], pos[b.Target]), strings.Compare(a.Source, b.Source))
	})
	return f, nil
}
