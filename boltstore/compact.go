package boltstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Compact rewrites the data file without its free pages and with its pages
// filled, and returns its size before and after. bbolt never shrinks a
// file: a large import in several transactions leaves behind the pages
// each transaction replaced (copy on write) and half-filled pages where
// keys went in between others. The copy is written beside the file
// (path.compacting) and then takes its place (a rename, atomic: a
// compaction that stops half way leaves the file as it was). Writes wait
// while it runs; reads of the graph do not.
func (s *Store) Compact(ctx context.Context) (before, after int64, err error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.db == nil {
		return 0, 0, errClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("boltstore: %w", err)
	}
	fail := func(err error) (int64, int64, error) {
		return 0, 0, fmt.Errorf("boltstore: compact %s: %w", s.path, err)
	}
	if fi, err := os.Stat(s.path); err == nil {
		before = fi.Size()
	}
	tmp := s.path + ".compacting"
	if err := os.Remove(tmp); err != nil && !os.IsNotExist(err) {
		return fail(err)
	}
	ndb, err := bolt.Open(tmp, 0o600, writeOptions(DefaultTimeout))
	if err != nil {
		return fail(err)
	}
	done := false
	defer func() {
		if !done {
			_ = ndb.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := bolt.Compact(ndb, s.db, 64<<20); err != nil {
		return fail(err)
	}
	if err := ndb.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fail(err)
	}
	done = true
	if d, err := os.Open(filepath.Dir(s.path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	s.mu.Lock()
	old := s.db
	s.db = ndb
	s.mu.Unlock()
	if err := old.Close(); err != nil {
		s.log.Warn("boltstore: close the file before compaction", "path", s.path, "err", err)
	}
	if fi, err := os.Stat(s.path); err == nil {
		after = fi.Size()
	}
	s.log.Info("boltstore: compacted", "path", s.path, "before", before, "after", after)
	return before, after, nil
}

// FileBytes is the size of the data file.
func (s *Store) FileBytes() int64 {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// FreeBytes is how much of the data file its free pages take: what
// Compact would give back at least.
func (s *Store) FreeBytes() int64 {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.db == nil {
		return 0
	}
	return int64(s.db.Stats().FreePageN) * int64(s.db.Info().PageSize)
}
