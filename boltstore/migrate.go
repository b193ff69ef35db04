package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
)

// Format 1 kept nodes and relations as JSON, the history's entries as JSON
// (storedEntry1) and its index as one key per entry and id (the id, a zero
// byte and the seq, with an empty value). Open reads such a file and
// migrates it to the current format (migrate).
const format1 = "1"

// migrateBatch is how many records one transaction of the migration writes.
const migrateBatch = 20000

func decodeNodeJSON(id string, v []byte) (*rg.Node, error) {
	var n rg.Node
	if err := json.Unmarshal(v, &n); err != nil {
		return nil, fmt.Errorf("node %q: %w", id, err)
	}
	if n.ID != id {
		return nil, fmt.Errorf("node %q: stored under key %q", n.ID, id)
	}
	return &n, nil
}

func decodeEdgeJSON(id string, v []byte) (*rg.Edge, error) {
	var e rg.Edge
	if err := json.Unmarshal(v, &e); err != nil {
		return nil, fmt.Errorf("edge %q: %w", id, err)
	}
	if e.ID != id {
		return nil, fmt.Errorf("edge %q: stored under key %q", e.ID, id)
	}
	return &e, nil
}

// storedEntry1 is a history entry as format 1 kept it.
type storedEntry1 struct {
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

// migrate rewrites the file that old holds (of an older format, read into
// l) in the current format: into a new file beside it, path.migrating,
// which then replaces it (a rename, atomic: a migration that stops half
// way leaves the old file as it was, and its leftover is removed by the
// next attempt). The new file is compact: bbolt never shrinks a file, and
// this is when its free pages can be left behind. It returns the new file,
// open, and its graph read back; old is closed.
func migrate(old *bolt.DB, path string, l loaded, opts Options) (_ *bolt.DB, _ loaded, err error) {
	start := time.Now()
	tmp := path + ".migrating"
	if err := os.Remove(tmp); err != nil && !os.IsNotExist(err) {
		_ = old.Close()
		return nil, loaded{}, fmt.Errorf("migrate from format %s: remove a leftover: %w", l.format, err)
	}
	ndb, err := bolt.Open(tmp, 0o600, writeOptions(opts.Timeout))
	if err != nil {
		_ = old.Close()
		return nil, loaded{}, fmt.Errorf("migrate from format %s: %w", l.format, err)
	}
	defer func() {
		if err != nil {
			_ = ndb.Close()
			_ = os.Remove(tmp)
			_ = old.Close()
			err = fmt.Errorf("migrate from format %s to %s: %w", l.format, FormatVersion, err)
		}
	}()
	if l.format != format1 {
		return nil, loaded{}, fmt.Errorf("%w: no migration from format version %q", ErrDamaged, l.format)
	}
	if err := ndb.Update(initBuckets); err != nil {
		return nil, loaded{}, err
	}
	tab := newStrtab()
	// write runs fn in a transaction of the new file with an encoder.
	write := func(fn func(tx *bolt.Tx, enc *encoder) error) error {
		err := ndb.Update(func(tx *bolt.Tx) error {
			return fn(tx, &encoder{tab: tab, b: tx.Bucket(bucketStrings)})
		})
		if err != nil {
			tab.rollback()
			return err
		}
		tab.commit()
		return nil
	}
	for chunk := range slices.Chunk(sortedKeys(l.g.nodes), migrateBatch) {
		err := write(func(tx *bolt.Tx, enc *encoder) error {
			b := tx.Bucket(bucketNodes)
			b.FillPercent = fillRandom
			for _, id := range chunk {
				rec, err := enc.encodeNode(l.g.nodes[id])
				if err == nil {
					err = b.Put([]byte(id), slices.Clone(rec))
				}
				if err != nil {
					return fmt.Errorf("node %q: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, loaded{}, err
		}
	}
	for chunk := range slices.Chunk(sortedKeys(l.g.edges), migrateBatch) {
		err := write(func(tx *bolt.Tx, enc *encoder) error {
			b := tx.Bucket(bucketEdges)
			b.FillPercent = fillRandom
			for _, id := range chunk {
				rec, err := enc.encodeEdge(l.g.edges[id])
				if err == nil {
					err = b.Put([]byte(id), slices.Clone(rec))
				}
				if err != nil {
					return fmt.Errorf("relation %q: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, loaded{}, err
		}
	}
	entries := 0
	err = old.View(func(otx *bolt.Tx) error {
		ohb, oib := otx.Bucket(bucketHistory), otx.Bucket(bucketHistoryByID)
		if ohb == nil {
			return nil // a file from before the history
		}
		// The entries, in seq order, a batch per transaction.
		c := ohb.Cursor()
		k, v := c.First()
		for k != nil {
			err := write(func(tx *bolt.Tx, enc *encoder) error {
				hb, _, err := historyBuckets(tx)
				if err != nil {
					return err
				}
				for n := 0; k != nil && n < migrateBatch; k, v = c.Next() {
					n++
					var se storedEntry1
					if err := json.Unmarshal(v, &se); err != nil {
						return fmt.Errorf("history %x: %w", k, err)
					}
					h := &rg.HistoryEntry{Seq: se.Seq, At: se.At, Actor: se.Actor, Op: se.Op, Target: se.Target, ID: se.ID,
						Before: se.Before, After: se.After, BeforeEdge: se.BeforeEdge, AfterEdge: se.AfterEdge, Reason: se.Reason}
					data, err := encodeEntry(enc, h)
					if err != nil {
						return fmt.Errorf("history %d: %w", se.Seq, err)
					}
					if err := hb.Put(slices.Clone(k), data); err != nil {
						return err
					}
					entries++
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if err := ndb.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketHistory).SetSequence(ohb.Sequence())
		}); err != nil {
			return err
		}
		if oib == nil {
			return nil
		}
		// The index: format 1's keys are the id, a zero byte and the seq,
		// in order of id and then seq: each id's seqs come together.
		ic := oib.Cursor()
		ik, _ := ic.First()
		for ik != nil {
			err := ndb.Update(func(tx *bolt.Tx) error {
				ib := tx.Bucket(bucketHistoryByID)
				ib.FillPercent = fillRandom
				for n := 0; ik != nil && n < migrateBatch; {
					if len(ik) < 9 || ik[len(ik)-9] != 0 {
						return fmt.Errorf("history index: malformed key %q", ik)
					}
					id := ik[:len(ik)-9]
					var seqs []uint64
					for ; ik != nil && len(ik) == len(id)+9 && bytes.HasPrefix(ik, id) && ik[len(id)] == 0; ik, _ = ic.Next() {
						seqs = append(seqs, binary.BigEndian.Uint64(ik[len(id)+1:]))
						n++
					}
					if err := appendPostings(ib, ib.Cursor(), string(id), seqs); err != nil {
						return fmt.Errorf("history index %q: %w", id, err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, loaded{}, err
	}
	// The new file takes the old one's place while both are open and
	// locked, so that no other process opens the old one in between.
	if err := ndb.Sync(); err != nil {
		return nil, loaded{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, loaded{}, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	if err := old.Close(); err != nil {
		opts.Logger.Warn("boltstore: close the file of the old format", "path", path, "err", err)
	}
	var nl loaded
	err = guard(func() error {
		return ndb.View(func(tx *bolt.Tx) error {
			var err error
			nl, err = readGraph(tx)
			return err
		})
	})
	if err != nil {
		_ = ndb.Close()
		return nil, loaded{}, fmt.Errorf("read back the migrated file: %w", err)
	}
	opts.Logger.Info("boltstore: migrated the file", "path", path, "from", l.format, "to", FormatVersion,
		"nodes", len(nl.g.nodes), "edges", len(nl.g.edges), "history", entries, "took", time.Since(start).Round(time.Millisecond))
	return ndb, nl, nil
}
