package resolvers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/graph/model"
)

// importFile is the name the dataset's error messages give the YAML.
const importFile = "dataset.yaml"

// importDataset parses the YAML, compares it with the store and, unless
// dryRun or something is rejected, applies it as upserts in one batch.
func (r *Resolver) importDataset(ctx context.Context, yaml string, dryRun *bool, reason *string) (*model.ImportPayload, error) {
	out := &model.ImportPayload{
		DryRun:  dryRun != nil && *dryRun,
		Created: []*model.ImportItem{}, Updated: []*model.ImportItem{}, Unchanged: []*model.ImportItem{},
		Rejected: []*model.ImportRejection{},
	}
	if reason != nil {
		if err := rg.ValidateReason(*reason); err != nil {
			return nil, err
		}
	}
	ds, err := dataset.ParseBytes([]byte(yaml), importFile)
	if err != nil {
		if rg.ErrorCode(err) != rg.EBADINPUT {
			return nil, fmt.Errorf("import: parse: %w", err)
		}
		out.Rejected = parseRejections(rg.ErrorMessage(err))
		return out, nil
	}
	if err := r.diff(ctx, ds, out); err != nil {
		return nil, err
	}
	if out.DryRun || len(out.Rejected) > 0 {
		return out, nil
	}
	changes := ds.Changes()
	if len(changes) > 0 {
		if _, err := r.Store.Apply(withReason(ctx, reason), changes); err != nil {
			r.clearLoaders(ctx)
			rej, ok := applyRejection(err, changes)
			if !ok {
				return nil, fmt.Errorf("import: %w", err)
			}
			out.Rejected = append(out.Rejected, rej)
			return out, nil
		}
		r.clearLoaders(ctx)
	}
	out.Applied = true
	return out, nil
}

var errLine = regexp.MustCompile(`^` + regexp.QuoteMeta(importFile) + `:(\d+): (.*)$`)

// parseRejections splits the dataset's error message into one rejection per
// "file:line: reason" line.
func parseRejections(msg string) []*model.ImportRejection {
	var out []*model.ImportRejection
	for _, l := range strings.Split(msg, "\n") {
		if l == "" {
			continue
		}
		rej := &model.ImportRejection{Reason: l}
		if m := errLine.FindStringSubmatch(l); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				rej.Line = &n
			}
			rej.Reason = m[2]
		}
		out = append(out, rej)
	}
	return out
}

// applyRejection turns the store's refusal of change i into a rejection of
// that node or relation; errors that are not about the input are not.
func applyRejection(err error, changes []rg.Change) (*model.ImportRejection, bool) {
	var e *rg.Error
	if !errors.As(err, &e) || (e.Code != rg.EBADINPUT && e.Code != rg.ECONFLICT && e.Code != rg.ENOTFOUND) {
		return nil, false
	}
	rej := &model.ImportRejection{Reason: e.Message}
	if strings.HasPrefix(e.Field, "changes[") {
		end := strings.IndexByte(e.Field, ']')
		if i, err := strconv.Atoi(e.Field[len("changes["):max(end, len("changes["))]); end > 0 && err == nil && i >= 0 && i < len(changes) {
			id := changes[i].ID
			if n := changes[i].Node; n != nil {
				id = n.ID
			} else if ed := changes[i].Edge; ed != nil {
				id = ed.ID
			}
			rej.ID = &id
			if rest := strings.TrimLeft(e.Field[end+1:], "."); rest != "" {
				rej.Reason = rest + ": " + e.Message
			}
		}
	}
	return rej, true
}

// diff sorts every node and relation of ds into created, updated, unchanged
// or rejected (a node whose kind, or a relation whose kind or ends, differ
// from the store's: an import never changes those).
func (r *Resolver) diff(ctx context.Context, ds *dataset.Dataset, out *model.ImportPayload) error {
	have := map[string]*rg.Node{}
	for ids := range chunks(nodeIDs(ds.Nodes), rg.MaxBatchIDs) {
		ns, err := r.Store.Nodes(ctx, ids)
		if err != nil {
			return fmt.Errorf("import: read nodes: %w", err)
		}
		for _, n := range ns {
			have[n.ID] = n
		}
	}
	for _, n := range ds.Nodes {
		item := &model.ImportItem{Target: model.ChangeTargetNode, ID: n.ID, Kind: string(n.Kind), ChangedFields: []string{}}
		old := have[n.ID]
		switch {
		case old == nil:
			out.Created = append(out.Created, item)
		case old.Kind != n.Kind:
			id := n.ID
			out.Rejected = append(out.Rejected, &model.ImportRejection{ID: &id,
				Reason: fmt.Sprintf("node %q is a %s in the store; the dataset makes it a %s, and a node's kind never changes", n.ID, old.Kind, n.Kind)})
		case rg.SameNode(old, n):
			out.Unchanged = append(out.Unchanged, item)
		default:
			item.ChangedFields = (&rg.HistoryEntry{Target: rg.TargetNode, Before: old, After: n}).ChangedFields()
			out.Updated = append(out.Updated, item)
		}
	}
	haveEdges := map[string]*rg.Edge{}
	for ids := range chunks(edgeIDs(ds.Edges), rg.MaxBatchIDs) {
		es, err := r.Store.Edges(ctx, rg.EdgeFilter{IDs: ids})
		if err != nil {
			return fmt.Errorf("import: read relations: %w", err)
		}
		for _, e := range es {
			haveEdges[e.ID] = e
		}
	}
	for _, e := range ds.Edges {
		item := &model.ImportItem{Target: model.ChangeTargetRelation, ID: e.ID, Kind: string(e.Kind), ChangedFields: []string{}}
		old := haveEdges[e.ID]
		switch {
		case old == nil:
			out.Created = append(out.Created, item)
		case old.Kind != e.Kind || old.From != e.From || old.To != e.To:
			id := e.ID
			out.Rejected = append(out.Rejected, &model.ImportRejection{ID: &id,
				Reason: fmt.Sprintf("relation %q is %s %s -> %s in the store; the dataset makes it %s %s -> %s, and a relation's kind and ends never change",
					e.ID, old.Kind, old.From, old.To, e.Kind, e.From, e.To)})
		case rg.SameEdge(old, e):
			out.Unchanged = append(out.Unchanged, item)
		default:
			item.ChangedFields = (&rg.HistoryEntry{Target: rg.TargetRelation, BeforeEdge: old, AfterEdge: e}).ChangedFields()
			out.Updated = append(out.Updated, item)
		}
	}
	return nil
}

func nodeIDs(ns []*rg.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func edgeIDs(es []*rg.Edge) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// chunks yields xs in slices of at most n.
func chunks(xs []string, n int) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(xs) > 0 {
			k := min(n, len(xs))
			if !yield(xs[:k]) {
				return
			}
			xs = xs[k:]
		}
	}
}
