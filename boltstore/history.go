package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
)

// The history lives in two buckets, both append-only:
//
//   - history: key the entry's seq (8 bytes, big-endian), value the entry as
//     JSON (storedEntry). The seq comes from the bucket's NextSequence in the
//     transaction that writes the change, so entries are numbered 1, 2, 3, ...
//     in commit order and the bucket's sequence is their count.
//   - history_by_id: key id, a zero byte and the seq; empty value. Each entry
//     is indexed under the id it changed and, for a relation, under its two
//     ends, so that a node's history includes its relations' changes.
//
// Files written before the history existed get the buckets with their first
// change; reading a file without them gives an empty history.
var (
	bucketHistory     = []byte("history")
	bucketHistoryByID = []byte("history_by_id")
)

// storedEntry is a history entry as kept in the file.
type storedEntry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Op         rg.Op     `json:"op"`
	Target     rg.Target `json:"target"`
	ID         string    `json:"id"`
	Before     *rg.Node  `json:"before,omitempty"`
	After      *rg.Node  `json:"after,omitempty"`
	BeforeEdge *rg.Edge  `json:"beforeEdge,omitempty"`
	AfterEdge  *rg.Edge  `json:"afterEdge,omitempty"`
	Reason     string    `json:"reason,omitempty"`
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

func indexPrefix(id string) []byte { return append([]byte(id), 0) }

// writeHistory numbers the entries and writes them with their index, in tx.
func writeHistory(tx *bolt.Tx, entries []*rg.HistoryEntry, at time.Time, actor, reason string) error {
	if len(entries) == 0 {
		return nil
	}
	hb, err := tx.CreateBucketIfNotExists(bucketHistory)
	if err != nil {
		return fmt.Errorf("create bucket history: %w", err)
	}
	ib, err := tx.CreateBucketIfNotExists(bucketHistoryByID)
	if err != nil {
		return fmt.Errorf("create bucket history_by_id: %w", err)
	}
	hb.FillPercent, ib.FillPercent = fillAppend, fillRandom
	for _, h := range entries {
		seq, err := hb.NextSequence()
		if err != nil {
			return fmt.Errorf("history: next sequence: %w", err)
		}
		if seq > math.MaxInt64 {
			return fmt.Errorf("history: sequence %d overflows", seq)
		}
		h.Seq, h.At, h.Actor, h.Reason = int64(seq), at, actor, reason
		data, err := json.Marshal(storedEntry{
			Seq: h.Seq, At: at, Actor: actor, Op: h.Op, Target: h.Target, ID: h.ID,
			Before: h.Before, After: h.After, BeforeEdge: h.BeforeEdge, AfterEdge: h.AfterEdge, Reason: reason,
		})
		if err != nil {
			return fmt.Errorf("history %d: encode: %w", seq, err)
		}
		if err := hb.Put(seqKey(seq), data); err != nil {
			return fmt.Errorf("history %d: %w", seq, err)
		}
		for _, id := range indexIDs(h) {
			if err := ib.Put(append(indexPrefix(id), seqKey(seq)...), nil); err != nil {
				return fmt.Errorf("history %d: index %q: %w", seq, id, err)
			}
		}
	}
	return nil
}

// indexIDs returns the ids an entry is indexed under.
func indexIDs(h *rg.HistoryEntry) []string {
	ids := []string{h.ID}
	e := h.AfterEdge
	if e == nil {
		e = h.BeforeEdge
	}
	if e != nil {
		for _, id := range []string{e.From, e.To} {
			if id != h.ID && (len(ids) < 2 || ids[1] != id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// History implements regiongraph.Store. It reads the file in a read
// transaction, which never waits for a writer.
func (s *Store) History(ctx context.Context, f rg.HistoryFilter) (rg.HistoryPage, error) {
	if err := ctx.Err(); err != nil {
		return rg.HistoryPage{}, fmt.Errorf("boltstore: %w", err)
	}
	if err := f.Validate(); err != nil {
		return rg.HistoryPage{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return rg.HistoryPage{}, errClosed
	}
	var page rg.HistoryPage
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		page, err = readHistory(tx, f)
		return err
	})
	if err != nil {
		return rg.HistoryPage{}, fmt.Errorf("boltstore: history of %s: %w", s.path, err)
	}
	return page, nil
}

func readHistory(tx *bolt.Tx, f rg.HistoryFilter) (rg.HistoryPage, error) {
	page := rg.HistoryPage{Entries: []*rg.HistoryEntry{}}
	hb := tx.Bucket(bucketHistory)
	if hb == nil {
		return page, nil
	}
	first, _ := rg.PageSize(f.First) // validated
	before := uint64(math.MaxInt64)
	if f.After != "" {
		seq, _ := rg.DecodeHistoryCursor(f.After) // validated
		before = uint64(seq)
	}

	// next walks the matching seqs newest first, starting below before.
	var next func() (uint64, bool)
	if f.ID == "" {
		page.TotalCount = int(hb.Sequence())
		c := hb.Cursor()
		k, _ := c.Seek(seqKey(before))
		started := false
		next = func() (uint64, bool) {
			switch {
			case !started && k == nil:
				k, _ = c.Last()
			default:
				k, _ = c.Prev()
			}
			started = true
			if k == nil {
				return 0, false
			}
			return binary.BigEndian.Uint64(k), true
		}
	} else {
		ib := tx.Bucket(bucketHistoryByID)
		if ib == nil {
			return page, nil
		}
		prefix := indexPrefix(f.ID)
		c := ib.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			page.TotalCount++
		}
		k, _ := c.Seek(append(prefix, seqKey(before)...))
		started := false
		next = func() (uint64, bool) {
			switch {
			case !started && k == nil:
				k, _ = c.Last()
			default:
				k, _ = c.Prev()
			}
			started = true
			if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
				return 0, false
			}
			return binary.BigEndian.Uint64(k[len(prefix):]), true
		}
	}

	for {
		seq, ok := next()
		if !ok {
			break
		}
		if len(page.Entries) == first {
			page.HasNextPage = true
			break
		}
		v := hb.Get(seqKey(seq))
		if v == nil {
			return rg.HistoryPage{}, fmt.Errorf("history %d: indexed but missing", seq)
		}
		var se storedEntry
		if err := json.Unmarshal(v, &se); err != nil {
			return rg.HistoryPage{}, fmt.Errorf("history %d: decode: %w", seq, err)
		}
		page.Entries = append(page.Entries, &rg.HistoryEntry{
			Seq: se.Seq, At: se.At, Actor: se.Actor, Op: se.Op, Target: se.Target, ID: se.ID,
			Before: se.Before, After: se.After, BeforeEdge: se.BeforeEdge, AfterEdge: se.AfterEdge, Reason: se.Reason,
		})
	}
	if n := len(page.Entries); n > 0 {
		page.EndCursor = rg.HistoryCursor(page.Entries[n-1].Seq)
	}
	return page, nil
}
