package boltstore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
)

// The history lives in two buckets, both append-only:
//
//   - history: key the entry's seq (8 bytes, big-endian), value the entry in
//     the compact format (encodeEntry): its time, actor, op, id and reason,
//     and the node or relation before and after the change as compact
//     records (codec.go), their repeated strings interned. The seq comes
//     from the bucket's NextSequence in the transaction that writes the
//     change, so entries are numbered 1, 2, 3, ... in commit order and the
//     bucket's sequence is their count.
//   - history_by_id: for each id, the seqs of the entries indexed under it,
//     as posting lists: key the id, a zero byte and the first seq of the
//     chunk (8 bytes, big-endian), value the seqs of the chunk as varint
//     differences, each from the one before (the first from the key's seq,
//     so 0). A chunk takes seqs until it holds postingChunk bytes; then a
//     new one starts. Each entry is indexed under the id it changed and,
//     for a relation, under its two ends, so that a node's history includes
//     its relations' changes.
//
// An import of half a million changes so records each change (the history
// API answers as for any other batch) in about 130 bytes of entry with its
// key, 2 to 3 bytes in each end's posting list and, for a relation, a
// chunk of its own (its id as key, about 70 bytes), where format 1 took
// some 530 bytes of JSON and three index keys of 50 to 70 bytes each
// (national file: history 75 MB and index 52 MB in use, were 310 MB and
// 102 MB).
//
// Files written before the history existed get the buckets with their first
// change; reading a file without them gives an empty history.
var (
	bucketHistory     = []byte("history")
	bucketHistoryByID = []byte("history_by_id")
)

// postingChunk is the size in bytes at which a posting list chunk is
// closed and a new one started.
const postingChunk = 256

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

func indexPrefix(id string) []byte { return append([]byte(id), 0) }

// Ops in the order of their code in an entry: part of the format.
var entryOps = []rg.Op{rg.OpCreateNode, rg.OpUpdateNode, rg.OpDeleteNode, rg.OpCreateEdge, rg.OpUpdateEdge, rg.OpDeleteEdge}

// Tags of the parts of an entry after its fixed fields.
const (
	hBefore = iota + 1
	hAfter
	hBeforeEdge
	hAfterEdge
)

// encodeEntry returns h's record (Seq is the key).
func encodeEntry(e *encoder, h *rg.HistoryEntry) ([]byte, error) {
	op := slices.Index(entryOps, h.Op)
	if op < 0 {
		return nil, fmt.Errorf("history: unknown op %q", h.Op)
	}
	out := binary.AppendVarint(nil, h.At.Unix())
	out = binary.AppendUvarint(out, uint64(h.At.Nanosecond()))
	e.buf = out
	e.ref(&h.Actor)
	e.tag(byte(op))
	e.inline(h.ID)
	e.ref(&h.Reason)
	out = e.buf
	part := func(tag byte, enc func()) {
		e.buf = e.buf[:0]
		enc()
		out = append(out, tag)
		out = binary.AppendUvarint(out, uint64(len(e.buf)))
		out = append(out, e.buf...)
	}
	known := func(tag byte, rec []byte) {
		out = append(out, tag)
		out = binary.AppendUvarint(out, uint64(len(rec)))
		out = append(out, rec...)
	}
	e.buf = nil
	if h.Before != nil {
		part(hBefore, func() { e.node(h.Before) })
	}
	if h.After != nil {
		if rec, ok := e.recs.node(h.After); ok {
			known(hAfter, rec)
		} else {
			part(hAfter, func() { e.node(h.After) })
		}
	}
	if h.BeforeEdge != nil {
		part(hBeforeEdge, func() { e.edge(h.BeforeEdge) })
	}
	if h.AfterEdge != nil {
		if rec, ok := e.recs.edge(h.AfterEdge); ok {
			known(hAfterEdge, rec)
		} else {
			part(hAfterEdge, func() { e.edge(h.AfterEdge) })
		}
	}
	e.buf = nil
	return out, e.err
}

// decodeEntry reads the entry seq from its record.
func decodeEntry(d *decoder, seq uint64, rec []byte) (*rg.HistoryEntry, error) {
	d.b, d.err = rec, nil
	sec := d.sv()
	nsec := d.uv()
	h := &rg.HistoryEntry{Seq: int64(seq), At: time.Unix(sec, int64(nsec)).UTC()}
	h.Actor = d.ref()
	op := d.byte()
	h.ID = d.inline()
	h.Reason = d.ref()
	if d.err != nil {
		return nil, d.err
	}
	if int(op) >= len(entryOps) {
		return nil, fmt.Errorf("unknown op %d", op)
	}
	h.Op = entryOps[op]
	h.Target = rg.TargetOf(h.Op)
	for len(d.b) > 0 {
		tag := d.byte()
		part := d.raw()
		if d.err != nil {
			return nil, d.err
		}
		pd := decoder{tab: d.tab, tx: d.tx}
		var err error
		switch tag {
		case hBefore:
			h.Before, err = pd.decodeNode(h.ID, part)
		case hAfter:
			h.After, err = pd.decodeNode(h.ID, part)
		case hBeforeEdge:
			h.BeforeEdge, err = pd.decodeEdge(h.ID, part)
		case hAfterEdge:
			h.AfterEdge, err = pd.decodeEdge(h.ID, part)
		default:
			err = fmt.Errorf("unknown part %d", tag)
		}
		if err != nil {
			return nil, err
		}
	}
	return h, nil
}

// historyBuckets returns the history buckets, creating them if need be.
func historyBuckets(tx *bolt.Tx) (hb, ib *bolt.Bucket, err error) {
	if hb, err = tx.CreateBucketIfNotExists(bucketHistory); err != nil {
		return nil, nil, fmt.Errorf("create bucket history: %w", err)
	}
	if ib, err = tx.CreateBucketIfNotExists(bucketHistoryByID); err != nil {
		return nil, nil, fmt.Errorf("create bucket history_by_id: %w", err)
	}
	hb.FillPercent, ib.FillPercent = fillAppend, fillRandom
	return hb, ib, nil
}

// writeHistory numbers the entries and writes them with their index, in tx.
// An entry without a reason of its own (Change.Reason) gets reason.
// recs, when not nil, are the records of values the batch wrote, which
// the entries reuse.
func writeHistory(tx *bolt.Tx, tab *strtab, entries []*rg.HistoryEntry, recs *records, at time.Time, actor, reason string) error {
	if len(entries) == 0 {
		return nil
	}
	hb, ib, err := historyBuckets(tx)
	if err != nil {
		return err
	}
	sb, err := tx.CreateBucketIfNotExists(bucketStrings)
	if err != nil {
		return fmt.Errorf("create bucket strings: %w", err)
	}
	enc := &encoder{tab: tab, b: sb, recs: recs}
	// The ids each entry is indexed under, with its seq: sorted by id and
	// seq below, each id's run is its seqs in order.
	type posting struct {
		id  string
		seq uint64
	}
	postings := make([]posting, 0, 3*len(entries))
	for _, h := range entries {
		seq, err := hb.NextSequence()
		if err != nil {
			return fmt.Errorf("history: next sequence: %w", err)
		}
		if seq > math.MaxInt64 {
			return fmt.Errorf("history: sequence %d overflows", seq)
		}
		h.Seq, h.At, h.Actor = int64(seq), at, actor
		if h.Reason == "" {
			h.Reason = reason
		}
		data, err := encodeEntry(enc, h)
		if err != nil {
			return fmt.Errorf("history %d: encode: %w", seq, err)
		}
		if err := hb.Put(seqKey(seq), data); err != nil {
			return fmt.Errorf("history %d: %w", seq, err)
		}
		for _, id := range indexIDs(h) {
			postings = append(postings, posting{id, seq})
		}
	}
	// In key order: bbolt inserts into a sorted page in memory, and keys in
	// random order make a large batch (a spreadsheet import) quadratic.
	slices.SortFunc(postings, func(a, b posting) int {
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	c := ib.Cursor() // repositioned by every appendPostings
	var seqs []uint64
	for i := 0; i < len(postings); {
		id := postings[i].id
		seqs = seqs[:0]
		for ; i < len(postings) && postings[i].id == id; i++ {
			seqs = append(seqs, postings[i].seq)
		}
		if err := appendPostings(ib, c, id, seqs); err != nil {
			return fmt.Errorf("history index %q: %w", id, err)
		}
	}
	return nil
}

// appendPostings adds seqs (ascending, all above those already indexed) to
// the posting list of id.
func appendPostings(ib *bolt.Bucket, c *bolt.Cursor, id string, seqs []uint64) error {
	prefix := indexPrefix(id)
	var v []byte
	k, _ := c.Seek(append(slices.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	var (
		chunk      []byte
		base, last uint64
	)
	if k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8 {
		base = binary.BigEndian.Uint64(k[len(prefix):])
		ss, err := decodePostings(base, v)
		if err != nil {
			return err
		}
		if len(ss) > 0 && len(v) < postingChunk {
			chunk, last = slices.Clone(v), ss[len(ss)-1]
		}
	}
	flush := func() error {
		if chunk == nil {
			return nil
		}
		return ib.Put(append(slices.Clone(prefix), seqKey(base)...), chunk)
	}
	for _, s := range seqs {
		if len(chunk) >= postingChunk {
			if err := flush(); err != nil {
				return err
			}
			chunk = nil
		}
		if chunk == nil {
			base, last, chunk = s, s, make([]byte, 0, 16)
		}
		if s < last {
			return fmt.Errorf("seq %d below %d", s, last)
		}
		chunk = binary.AppendUvarint(chunk, s-last)
		last = s
	}
	return flush()
}

// decodePostings returns the seqs of one chunk.
func decodePostings(base uint64, v []byte) ([]uint64, error) {
	var out []uint64
	prev := base
	for len(v) > 0 {
		d, n := binary.Uvarint(v)
		if n <= 0 {
			return nil, errors.New("posting list ends early")
		}
		v = v[n:]
		prev += d
		out = append(out, prev)
	}
	return out, nil
}

// postingsOf returns every seq indexed under id, ascending.
func postingsOf(ib *bolt.Bucket, id string) ([]uint64, error) {
	prefix := indexPrefix(id)
	var out []uint64
	c := ib.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != len(prefix)+8 {
			continue
		}
		ss, err := decodePostings(binary.BigEndian.Uint64(k[len(prefix):]), v)
		if err != nil {
			return nil, err
		}
		out = append(out, ss...)
	}
	return out, nil
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
		page, err = readHistory(tx, s.tab, f)
		return err
	})
	if err != nil {
		return rg.HistoryPage{}, fmt.Errorf("boltstore: history of %s: %w", s.path, err)
	}
	return page, nil
}

func readHistory(tx *bolt.Tx, tab *strtab, f rg.HistoryFilter) (rg.HistoryPage, error) {
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

	// next walks the matching seqs newest first, below before.
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
		seqs, err := postingsOf(ib, f.ID)
		if err != nil {
			return rg.HistoryPage{}, fmt.Errorf("history index %q: %w", f.ID, err)
		}
		page.TotalCount = len(seqs)
		i, _ := slices.BinarySearch(seqs, before) // seqs[:i] are below before
		next = func() (uint64, bool) {
			if i == 0 {
				return 0, false
			}
			i--
			return seqs[i], true
		}
	}

	d := &decoder{tab: tab, tx: tx}
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
		h, err := decodeEntry(d, seq, v)
		if err != nil {
			return rg.HistoryPage{}, fmt.Errorf("history %d: decode: %w", seq, err)
		}
		page.Entries = append(page.Entries, h)
	}
	if n := len(page.Entries); n > 0 {
		page.EndCursor = rg.HistoryCursor(page.Entries[n-1].Seq)
	}
	return page, nil
}

func (r *records) node(n *rg.Node) ([]byte, bool) {
	if r == nil {
		return nil, false
	}
	rec, ok := r.nodes[n]
	return rec, ok
}

func (r *records) edge(e *rg.Edge) ([]byte, bool) {
	if r == nil {
		return nil, false
	}
	rec, ok := r.edges[e]
	return rec, ok
}
