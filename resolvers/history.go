package resolvers

import (
	"context"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// history reads one page of the history (of id, when not "").
func (r *Resolver) history(ctx context.Context, id string, first *int, after *string) (*model.HistoryConnection, error) {
	f := rg.HistoryFilter{ID: id}
	if first != nil {
		f.First = *first
	}
	if after != nil {
		f.After = *after
	}
	p, err := r.Store.History(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &model.HistoryConnection{
		Edges:      make([]*model.HistoryEdge, 0, len(p.Entries)),
		Nodes:      make([]*model.HistoryEntry, 0, len(p.Entries)),
		PageInfo:   &model.PageInfo{HasNextPage: p.HasNextPage, EndCursor: strPtr(p.EndCursor)},
		TotalCount: p.TotalCount,
	}
	for _, h := range p.Entries {
		e := toHistoryEntry(h)
		out.Nodes = append(out.Nodes, e)
		out.Edges = append(out.Edges, &model.HistoryEdge{Cursor: rg.HistoryCursor(h.Seq), Node: e})
	}
	return out, nil
}

func (r *Resolver) historyQuery(ctx context.Context, id *string, first *int, after *string) (*model.HistoryConnection, error) {
	return r.history(ctx, str(id), first, after)
}

func toHistoryEntry(h *rg.HistoryEntry) *model.HistoryEntry {
	out := &model.HistoryEntry{
		Seq: h.Seq, At: h.At, Actor: h.Actor, Op: changeOp(h.Op), Target: model.ChangeTarget(h.Target),
		TargetID: h.ID, Reason: strPtr(h.Reason), ChangedFields: orEmpty(h.ChangedFields()),
	}
	if h.Before != nil {
		out.NodeBefore = toNode(h.Before)
	}
	if h.After != nil {
		out.NodeAfter = toNode(h.After)
	}
	if h.BeforeEdge != nil {
		out.RelationBefore = toRelation(h.BeforeEdge)
	}
	if h.AfterEdge != nil {
		out.RelationAfter = toRelation(h.AfterEdge)
	}
	return out
}
