package neo4jstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/regiongraph/regiongraph"
)

// The history is kept as (:Change) nodes, written by history_append in the
// same transaction as the batch they record. Every Apply first locks the
// (:Counter {name: 'history'}) node (history_lock), which serialises
// writers: each batch reads what the one before committed, and seqs follow
// commit order without gaps. before and after are the node's or relation's
// JSON (as regiongraph.Node or Edge encode), targetId/fromId/toId index an
// entry under the changed id and, for a relation, its ends.

// record appends a history entry for one change of the batch; the values
// are copied. The entry's reason is the change's own (Change.Reason), if any.
func (p *play) record(op regiongraph.Op, id string, before, after *regiongraph.Node, beforeEdge, afterEdge *regiongraph.Edge) {
	p.log = append(p.log, &regiongraph.HistoryEntry{
		Op: op, Target: regiongraph.TargetOf(op), ID: id,
		Before: before.Clone(), After: after.Clone(), BeforeEdge: beforeEdge.Clone(), AfterEdge: afterEdge.Clone(),
		Reason: p.reason,
	})
}

// lockHistory runs history_lock: the first statement of a write.
func lockHistory(ctx context.Context, r txRunner) error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	recs, err := r.run(ctx, "history_lock", map[string]any{"writer": hex.EncodeToString(b[:])})
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return fmt.Errorf("neo4jstore: history_lock: %w", errNoRows)
	}
	return nil
}

// applied reports whether the Apply call applyID has committed: whether its
// history entries exist.
func applied(ctx context.Context, r txRunner, applyID string) (bool, error) {
	recs, err := r.run(ctx, "history_applied", map[string]any{"applyId": applyID})
	if err != nil {
		return false, err
	}
	if len(recs) != 1 {
		return false, fmt.Errorf("neo4jstore: history_applied: %w", errNoRows)
	}
	n, err := recordInt(recs[0], "n")
	if err != nil {
		return false, fmt.Errorf("neo4jstore: history_applied: %w", err)
	}
	return n > 0, nil
}

// appendHistory writes the batch's entries, numbered after the counter. An
// entry without a reason of its own gets reason.
func appendHistory(ctx context.Context, r txRunner, log []*regiongraph.HistoryEntry, at time.Time, actor, reason, applyID string) error {
	for chunk := range slices.Chunk(log, applyBatch) {
		rows := make([]any, 0, len(chunk))
		for i, h := range chunk {
			row := map[string]any{"offset": int64(i + 1), "op": string(h.Op), "target": string(h.Target), "id": h.ID, "from": nil, "to": nil, "reason": nil}
			if h.Reason != "" {
				row["reason"] = h.Reason
			}
			var before, after []byte
			var err1, err2 error
			if h.Target == regiongraph.TargetRelation {
				e := h.AfterEdge
				if e == nil {
					e = h.BeforeEdge
				}
				row["from"], row["to"] = e.From, e.To
				before, err1 = jsonOrNil(h.BeforeEdge)
				after, err2 = jsonOrNil(h.AfterEdge)
			} else {
				before, err1 = jsonOrNil(h.Before)
				after, err2 = jsonOrNil(h.After)
			}
			if err := errors.Join(err1, err2); err != nil {
				return fmt.Errorf("neo4jstore: history %s %s: encode: %w", h.Op, h.ID, err)
			}
			row["before"], row["after"] = stringOrNil(before), stringOrNil(after)
			rows = append(rows, row)
		}
		var reasonParam any
		if reason != "" {
			reasonParam = reason
		}
		recs, err := r.run(ctx, "history_append", map[string]any{"entries": rows, "at": at, "actor": actor, "reason": reasonParam, "applyId": applyID})
		if err != nil {
			return err
		}
		if len(recs) != 1 {
			return fmt.Errorf("neo4jstore: history_append: %w", errNoRows)
		}
		if n, err := recordInt(recs[0], "n"); err != nil || int(n) != len(rows) {
			return fmt.Errorf("neo4jstore: history_append wrote %d of %d entries (%v)", n, len(rows), err)
		}
	}
	return nil
}

// jsonOrNil encodes v, or returns nil for a nil pointer.
func jsonOrNil[T any](v *T) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// stringOrNil is b as a string parameter, or null.
func stringOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// History implements regiongraph.Store.
func (s *Store) History(ctx context.Context, f regiongraph.HistoryFilter) (regiongraph.HistoryPage, error) {
	if err := f.Validate(); err != nil {
		return regiongraph.HistoryPage{}, err
	}
	first, _ := regiongraph.PageSize(f.First) // validated
	before := int64(math.MaxInt64)
	if f.After != "" {
		before, _ = regiongraph.DecodeHistoryCursor(f.After) // validated
	}
	return inTx(ctx, s, "history", false, func(ctx context.Context, r txRunner) (regiongraph.HistoryPage, error) {
		page := regiongraph.HistoryPage{Entries: []*regiongraph.HistoryEntry{}}
		pageName, countName := "history_page", "history_count"
		params := map[string]any{"before": before, "limit": int64(first + 1)}
		countParams := map[string]any{}
		if f.ID != "" {
			pageName, countName = "history_page_by_id", "history_count_by_id"
			params["id"], countParams["id"] = f.ID, f.ID
		}
		recs, err := r.run(ctx, countName, countParams)
		if err != nil {
			return page, err
		}
		if len(recs) != 1 {
			return page, fmt.Errorf("neo4jstore: %s: %w", countName, errNoRows)
		}
		n, err := recordInt(recs[0], "n")
		if err != nil {
			return page, err
		}
		page.TotalCount = int(n)
		if recs, err = r.run(ctx, pageName, params); err != nil {
			return page, err
		}
		for _, rec := range recs {
			if len(page.Entries) == first {
				page.HasNextPage = true
				break
			}
			h, err := recordHistory(rec)
			if err != nil {
				return page, err
			}
			page.Entries = append(page.Entries, h)
		}
		if k := len(page.Entries); k > 0 {
			page.EndCursor = regiongraph.HistoryCursor(page.Entries[k-1].Seq)
		}
		return page, nil
	})
}

// recordHistory maps one row of history_page.
func recordHistory(rec *neo4jRecord) (*regiongraph.HistoryEntry, error) {
	h := &regiongraph.HistoryEntry{}
	var err error
	if h.Seq, err = recordInt(rec, "seq"); err != nil {
		return nil, err
	}
	if h.At, err = recordValue[time.Time](rec, "at"); err != nil {
		return nil, err
	}
	h.At = h.At.UTC()
	for _, c := range []struct {
		key string
		dst *string
	}{{"actor", &h.Actor}, {"id", &h.ID}} {
		if *c.dst, err = recordValue[string](rec, c.key); err != nil {
			return nil, err
		}
	}
	op, err := recordValue[string](rec, "op")
	if err != nil {
		return nil, err
	}
	target, err := recordValue[string](rec, "target")
	if err != nil {
		return nil, err
	}
	h.Op, h.Target = regiongraph.Op(op), regiongraph.Target(target)
	if v, ok := rec.Get("reason"); ok && v != nil {
		if h.Reason, ok = v.(string); !ok {
			return nil, fmt.Errorf("neo4jstore: column reason is %T", v)
		}
	}
	for _, c := range []struct {
		key  string
		node **regiongraph.Node
		edge **regiongraph.Edge
	}{{"before", &h.Before, &h.BeforeEdge}, {"after", &h.After, &h.AfterEdge}} {
		v, ok := rec.Get(c.key)
		if !ok || v == nil {
			continue
		}
		js, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("neo4jstore: column %s is %T", c.key, v)
		}
		if h.Target == regiongraph.TargetRelation {
			*c.edge = &regiongraph.Edge{}
			err = json.Unmarshal([]byte(js), *c.edge)
		} else {
			*c.node = &regiongraph.Node{}
			err = json.Unmarshal([]byte(js), *c.node)
		}
		if err != nil {
			return nil, fmt.Errorf("neo4jstore: history %d %s: %w", h.Seq, c.key, err)
		}
	}
	return h, nil
}
