package boltstore

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// FailWrites makes every write transaction of s fail with fault() until
// it is called again with nil, as a full disk or a read-only file system
// would.
func FailWrites(s *Store, fault func() error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.writeFault = fault
}

// ReopenReadOnly closes s's file and opens it again read-only, so that
// bbolt itself refuses every write (ErrDatabaseReadOnly).
func ReopenReadOnly(s *Store) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return err
	}
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	s.db = db
	return nil
}
