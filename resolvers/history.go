package resolvers

import (
	"context"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
	"github.com/regiongraph/regiongraph/live"
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

func (r *Resolver) historyQuery(ctx context.Context, id *string, first *int, after *string, since *int64) (*model.HistoryConnection, error) {
	if since != nil {
		return r.historySince(ctx, id, first, after, *since)
	}
	return r.history(ctx, str(id), first, after)
}

// historySince reads the entries after since, oldest first.
func (r *Resolver) historySince(ctx context.Context, id *string, first *int, after *string, since int64) (*model.HistoryConnection, error) {
	switch {
	case id != nil:
		return nil, rg.FieldErrorf("id", "since takes no id")
	case after != nil:
		return nil, rg.FieldErrorf("after", "since takes no after: ask again with nextSince")
	}
	n := 50
	if first != nil {
		n = *first
	}
	entries, next, more, total, err := live.Since(ctx, r.Store, since, n)
	if err != nil {
		return nil, err
	}
	out := &model.HistoryConnection{
		Edges:      make([]*model.HistoryEdge, 0, len(entries)),
		Nodes:      make([]*model.HistoryEntry, 0, len(entries)),
		PageInfo:   &model.PageInfo{HasNextPage: more},
		TotalCount: int(total),
		NextSince:  &next,
	}
	for _, h := range entries {
		e := toHistoryEntry(h)
		out.Nodes = append(out.Nodes, e)
		out.Edges = append(out.Edges, &model.HistoryEdge{Cursor: rg.HistoryCursor(h.Seq), Node: e})
	}
	if len(entries) > 0 {
		out.PageInfo.EndCursor = strPtr(rg.HistoryCursor(entries[len(entries)-1].Seq))
	}
	return out, nil
}

// changes streams the history for the changes subscription.
func (r *Resolver) changes(ctx context.Context, since *int64) (<-chan *model.HistoryBatch, error) {
	if r.Hub == nil {
		return nil, rg.Errorf(rg.EUNAVAILABLE, "this server does not stream changes")
	}
	in, err := r.Hub.Stream(ctx, r.Store, since)
	if err != nil {
		return nil, err
	}
	out := make(chan *model.HistoryBatch)
	go func() {
		defer close(out)
		for b := range in {
			mb := &model.HistoryBatch{Entries: make([]*model.HistoryEntry, len(b.Entries)), LastSeq: b.LastSeq}
			for i, h := range b.Entries {
				mb.Entries[i] = toHistoryEntry(h)
			}
			select {
			case out <- mb:
			case <-ctx.Done():
				for range in { // let the stream end
				}
				return
			}
		}
	}()
	return out, nil
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
