package neo4jstore

import (
	"context"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/internal/neo4jlocal"
	"github.com/regiongraph/regiongraph/storetest"
)

// liveConfig returns the Neo4j to run against: the one NEO4J_URI (with
// NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) names, or else a local Neo4j
// the package starts itself (internal/neo4jlocal). Without NEO4J_URI and
// without Java and Maven the test is skipped, unless CI=true or
// REGIONGRAPH_REQUIRE_NEO4J=1 makes that a failure.
func liveConfig(t *testing.T) Config {
	t.Helper()
	env := neo4jlocal.Require(t)
	cfg := Config{URI: env.URI, User: env.User, Password: env.Password, Database: env.Database}
	// Generous bounds: the tests assert outcomes, and on a loaded machine
	// twenty writers queued on one node's lock (ConcurrentUpdatesOfOneNode)
	// wait minutes for their turn.
	cfg.ConnectTimeout = time.Minute
	cfg.QueryTimeout = 5 * time.Minute
	return cfg
}

// openLive opens the store and empties the database (keeping the schema).
func openLive(t *testing.T, cfg Config) *Store {
	t.Helper()
	neo4jlocal.Require(t) // counts the subtest
	ctx := context.Background()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", cfg.address(), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.clear(ctx); err != nil {
		t.Fatalf("empty the database: %v", err)
	}
	return s
}

// clear deletes every domain node and relationship, then the history, in
// batches.
func (s *Store) clear(ctx context.Context) error {
	for _, name := range []string{"testing_clear", "testing_clear_history"} {
		if err := s.clearWith(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) clearWith(ctx context.Context, name string) error {
	for {
		recs, err := s.query(ctx, "clear", name, map[string]any{"limit": int64(10_000)}, false)
		if err != nil {
			return err
		}
		if len(recs) != 1 {
			return errNoRows
		}
		n, err := recordInt(recs[0], "n")
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}

func TestConformanceOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	storetest.Run(t, func(t *testing.T) regiongraph.Store { return openLive(t, cfg) })
}

func TestReopenAppliesNoMigrationTwice(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	ctx := context.Background()
	v, err := s.schemaVersion(ctx)
	if err != nil {
		t.Fatalf("schema version: %v", err)
	}
	if v != SchemaVersion() {
		t.Fatalf("schema version %d after Open, want %d", v, SchemaVersion())
	}
	if got := s.st.pendingMigrations(v); len(got) != 0 {
		t.Fatalf("%d migrations pending after Open", len(got))
	}
	s2 := openLive(t, cfg)
	if v2, err := s2.schemaVersion(ctx); err != nil || v2 != v {
		t.Fatalf("schema version after reopening: %d, %v; want %d", v2, err, v)
	}
	if err := s2.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
}
