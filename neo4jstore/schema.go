package neo4jstore

import (
	"context"
	"fmt"
)

// schemaName names the :SchemaVersion node of this store.
const schemaName = "regiongraph"

// SchemaVersion is the number of the last migration this build knows.
func SchemaVersion() int {
	s, err := loadedStatements()
	if err != nil {
		return 0
	}
	return len(s.migrations)
}

// pendingMigrations returns the migrations after version, in order.
func (s *stmts) pendingMigrations(version int) []migration {
	var out []migration
	for _, m := range s.migrations {
		if m.Number > version {
			out = append(out, m)
		}
	}
	return out
}

// migrate reads the recorded schema version and applies each later
// migration: its statements (all idempotent: IF NOT EXISTS), then the new
// version. Re-opening finds the version current and applies nothing.
func (s *Store) migrate(ctx context.Context) error {
	version, err := s.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if version > len(s.st.migrations) {
		return fmt.Errorf("neo4jstore: the database has schema version %d, newer than this build's %d", version, len(s.st.migrations))
	}
	pending := s.st.pendingMigrations(version)
	for _, m := range pending {
		for _, st := range m.Statements {
			if _, err := s.queryStatement(ctx, "migrate "+st.Name, st, nil, false); err != nil {
				return err
			}
		}
		if _, err := s.query(ctx, "migrate "+m.Name, "schema_version_set", map[string]any{"name": schemaName, "version": int64(m.Number)}, false); err != nil {
			return err
		}
	}
	if len(pending) > 0 {
		// New indexes populate in the background: wait until they are online.
		if _, err := s.query(ctx, "await indexes", "await_indexes", nil, false); err != nil {
			return err
		}
	}
	return nil
}

// schemaVersion returns the recorded schema version, 0 when none is.
func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	recs, err := s.query(ctx, "read schema version", "schema_version_get", map[string]any{"name": schemaName}, false)
	if err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		return 0, nil
	}
	v, ok := recs[0].Get("version")
	if !ok || v == nil {
		return 0, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("neo4jstore: schema version is %T, want an integer", v)
	}
	return int(n), nil
}
