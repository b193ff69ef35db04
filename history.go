package regiongraph

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Target says whether a history entry is about a node or a relation.
type Target string

const (
	TargetNode     Target = "NODE"
	TargetRelation Target = "RELATION"
)

// TargetOf returns what op changes.
func TargetOf(op Op) Target {
	switch op {
	case OpCreateEdge, OpUpdateEdge, OpUpsertEdge, OpDeleteEdge:
		return TargetRelation
	}
	return TargetNode
}

// HistoryEntry is one applied change, recorded append-only by the store in
// the same transaction as the change itself, so that a batch that fails
// leaves no entry.
//
// Every change of a batch that alters a node or relation gets an entry, in
// the order of the batch; a change that leaves it as it was (an identical
// upsert or update) gets none. A delete with Detach gets an entry
// (DELETE_EDGE) for each relation it removes, before the node's own.
type HistoryEntry struct {
	// Seq is the entry's place in the store's total order of changes:
	// assigned in the write transaction, strictly increasing, never reused.
	Seq int64
	// At is when the batch was applied (the store's clock), the same for
	// every entry of a batch.
	At time.Time
	// Actor is ActorFrom of the context the batch was applied with: the
	// token's name, or ActorSystem.
	Actor string
	// Op is the change as applied: CREATE_*, UPDATE_* or DELETE_*. An upsert
	// is recorded as the create or update it turned out to be.
	Op Op
	// Target and ID name what changed.
	Target Target
	ID     string
	// Before and After are the node (Target NODE) before and after the
	// change; nil before a create and after a delete. BeforeEdge and
	// AfterEdge are the same for a relation.
	Before, After         *Node
	BeforeEdge, AfterEdge *Edge
	// Reason is the change's Change.Reason, or else ReasonFrom of the
	// context the batch was applied with.
	Reason string
}

// Clone returns a deep copy of h.
func (h *HistoryEntry) Clone() *HistoryEntry {
	if h == nil {
		return nil
	}
	c := *h
	c.Before, c.After = h.Before.Clone(), h.After.Clone()
	c.BeforeEdge, c.AfterEdge = h.BeforeEdge.Clone(), h.AfterEdge.Clone()
	return &c
}

// ChangedFields returns the names (as in JSON and GraphQL: "costNok",
// "source", ...) of the fields that differ between before and after, in
// alphabetical order. For a create or a delete it is every field that is set.
func (h *HistoryEntry) ChangedFields() []string {
	var before, after any
	if h.Target == TargetRelation {
		before, after = h.BeforeEdge, h.AfterEdge
	} else {
		before, after = h.Before, h.After
	}
	return changedFields(before, after)
}

func changedFields(a, b any) []string {
	ma, mb := jsonFields(a), jsonFields(b)
	var out []string
	for k, va := range ma {
		if vb, ok := mb[k]; !ok || !bytes.Equal(va, vb) {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// jsonFields returns the JSON encoding of each field of v that is set.
func jsonFields(v any) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	b, err := json.Marshal(v)
	if err != nil || bytes.Equal(b, []byte("null")) {
		return m
	}
	_ = json.Unmarshal(b, &m)
	return m
}

// HistoryFilter selects a page of the history, newest first.
type HistoryFilter struct {
	// ID, when set, restricts the history to changes of the node or relation
	// with this id and, for a node, of the relations that touch it. It need
	// not exist any more: the history of a deleted node stays readable.
	ID    string
	First int    // page size; 0 means DefaultPageSize, capped at MaxPageSize
	After string // cursor from a previous page's EndCursor
}

// HistoryPage is one page of the history, newest entry first.
type HistoryPage struct {
	Entries     []*HistoryEntry
	TotalCount  int // entries matching the filter over all pages
	EndCursor   string
	HasNextPage bool
}

// Validate checks a history filter: a slug id when one is given, the page
// size and the cursor.
func (f HistoryFilter) Validate() error {
	if f.ID != "" {
		if err := checkID("id", f.ID); err != nil {
			return err
		}
	}
	if _, err := PageSize(f.First); err != nil {
		return err
	}
	if f.After != "" {
		if _, err := DecodeHistoryCursor(f.After); err != nil {
			return err
		}
	}
	return nil
}

const historyCursorPrefix = "history:"

// HistoryCursor returns the cursor just after the entry with seq (in the
// newest-first order: the next page holds older entries).
func HistoryCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(historyCursorPrefix + strconv.FormatInt(seq, 10)))
}

// DecodeHistoryCursor returns the seq in a cursor made by HistoryCursor. A
// malformed cursor is BAD_USER_INPUT on the field "after".
func DecodeHistoryCursor(s string) (int64, error) {
	bad := FieldErrorf("after", "malformed cursor")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, bad
	}
	rest, ok := strings.CutPrefix(string(b), historyCursorPrefix)
	if !ok {
		return 0, bad
	}
	seq, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || seq < 1 {
		return 0, bad
	}
	return seq, nil
}
