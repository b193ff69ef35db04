package neo4jstore

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// explain runs EXPLAIN st in session, as an auto-commit transaction (one
// round trip, no retries), and returns the server's error, or its
// notifications of severity WARNING, as problems.
func explain(ctx context.Context, session neo4j.SessionWithContext, st Statement) []string {
	res, err := session.Run(ctx, "EXPLAIN "+st.Query, st.Params)
	var summary neo4j.ResultSummary
	if err == nil {
		summary, err = res.Consume(ctx)
	}
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, n := range summary.Notifications() {
		if n.RawSeverityLevel() == "WARNING" {
			out = append(out, fmt.Sprintf("%s: %s", n.Code(), n.Description()))
		}
	}
	return out
}

// explainSession opens a session on the store's database for explain.
func explainSession(ctx context.Context, t *testing.T, s *Store) neo4j.SessionWithContext {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database})
	t.Cleanup(func() { _ = session.Close(context.Background()) })
	return session
}

// loadForExplain fills the database with the bundled dataset and one
// recorded change, so that every label, relationship type and property key
// the store writes exists and a statement naming one the store never writes
// draws Neo4j's "unknown" warning.
func loadForExplain(t *testing.T, s *Store) {
	t.Helper()
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx := regiongraph.WithReason(regiongraph.WithPrincipal(context.Background(), regiongraph.Principal{Name: "explain-test"}), "load")
	if _, err := s.Apply(ctx, ds.Changes()); err != nil {
		t.Fatalf("load the bundled dataset: %v", err)
	}
	// An update and a delete, for the history's before property.
	n, e := ds.Nodes[0], ds.Edges[0]
	n2 := *n
	n2.Name += " (renamed)"
	if _, err := s.Apply(ctx, []regiongraph.Change{
		{Op: regiongraph.OpUpdateNode, Node: &n2, Fields: []string{"name"}},
		{Op: regiongraph.OpDeleteEdge, ID: e.ID},
	}); err != nil {
		t.Fatalf("update and delete: %v", err)
	}
}

// TestEveryStatementExplainsOnNeo4j has the live server plan every statement
// the store can run (Statements(): the statement files, the migrations'
// statements and every composed FindNodes, creation and shortest-path
// variant) with its parameters: no error, no warning.
func TestEveryStatementExplainsOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	loadForExplain(t, s)
	ctx := context.Background()
	all := Statements()
	if len(all) == 0 {
		t.Fatal("Statements() is empty")
	}
	sts := explainSet(all, os.Getenv("REGIONGRAPH_EXPLAIN_ALL") == "1")
	t.Logf("planning %d of the %d statements (REGIONGRAPH_EXPLAIN_ALL=1, as .ci/run sets, plans all)", len(sts), len(all))
	start := time.Now()
	type result struct {
		st       Statement
		problems []string
		took     time.Duration
	}
	jobs := make(chan Statement)
	results := make(chan result)
	var wg sync.WaitGroup
	// Planning is the server's work (one core per statement): three
	// sessions keep two cores busy while the answers travel.
	for range 3 {
		session := explainSession(ctx, t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for st := range jobs {
				t0 := time.Now()
				results <- result{st, explain(ctx, session, st), time.Since(t0)}
			}
		}()
	}
	schema := 0
	go func() {
		for _, st := range sts {
			if isSchemaCommand(st.Query) {
				// EXPLAIN does not plan schema commands; Open has just run
				// every one of them on this server (a fresh database), and
				// TestMigrationsRerunOnNeo4j runs them all again.
				schema++
				continue
			}
			jobs <- st
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	bad, planned := 0, 0
	var slowest result
	for r := range results {
		planned++
		if r.took > slowest.took {
			slowest = r
		}
		for _, p := range r.problems {
			bad++
			if bad <= 30 {
				t.Errorf("%s: %s\n%s", r.st.Name, p, r.st.Query)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d problems in %d statements", bad, len(sts))
	}
	if planned+schema != len(sts) {
		t.Fatalf("planned %d and skipped %d schema commands of %d statements", planned, schema, len(sts))
	}
	t.Logf("Neo4j planned %d statements without an error or a warning in %v, the slowest %s in %v (%d schema commands run by the migrations instead)",
		planned, time.Since(start).Round(time.Millisecond), slowest.st.Name, slowest.took.Round(time.Millisecond), schema)
}

// explainSet returns the statements to plan: all of them, or every
// statement but most composed FindNodes statements, which are 1 280 of the
// ~1 400 and combine independent fragments, covered instead by
//   - every order with and without a cursor, with no filter and with all,
//   - every filter combination, in an order and cursor rotating over the
//     combinations,
//
// so that every fragment is planned, alone and beside every other.
func explainSet(all []Statement, everything bool) []Statement {
	if everything {
		return all
	}
	keep := map[string]bool{}
	vs := findVariants()
	for _, v := range vs {
		if len(v.Filters) == 0 || len(v.Filters) == len(findFilters) {
			keep[v.name()] = true
		}
	}
	perMask := len(findOrders) * 2 // each filter set: every order, with and without a cursor
	for i := 0; i*perMask < len(vs); i++ {
		keep[vs[i*perMask+i%perMask].name()] = true
	}
	var out []Statement
	for _, st := range all {
		if !strings.HasPrefix(st.Name, "find_nodes[") || keep[st.Name] {
			out = append(out, st)
		}
	}
	return out
}

func isSchemaCommand(q string) bool {
	for _, p := range []string{"CREATE CONSTRAINT", "CREATE INDEX", "CREATE TEXT INDEX", "CREATE FULLTEXT INDEX", "CREATE RANGE INDEX", "DROP INDEX", "DROP CONSTRAINT"} {
		if strings.HasPrefix(strings.TrimSpace(q), p) {
			return true
		}
	}
	return false
}

// TestExplainReportsBrokenStatements proves the check can fail: each of
// these draws an error or a warning from the live server.
func TestExplainReportsBrokenStatements(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	loadForExplain(t, s)
	ctx := context.Background()
	session := explainSession(ctx, t, s)
	for _, st := range []Statement{
		{Name: "unknown label", Query: "MATCH (n:Nope) RETURN n.id", Params: map[string]any{}},
		{Name: "unknown property", Query: "MATCH (n:Entity) RETURN n.nope", Params: map[string]any{}},
		{Name: "unknown relationship type", Query: "MATCH (:Entity)-[r:NOPE]->(:Entity) RETURN r.id", Params: map[string]any{}},
		{Name: "syntax error", Query: "MATCH (n:Entity RETURN n", Params: map[string]any{}},
		{Name: "missing parameter", Query: "MATCH (n:Entity) WHERE n.id = $nope RETURN n", Params: map[string]any{}},
		{Name: "deprecated function", Query: "MATCH (n:Entity) RETURN id(n)", Params: map[string]any{}},
		{Name: "unknown function", Query: "MATCH (n:Entity) RETURN nope(n.id)", Params: map[string]any{}},
		{Name: "deprecated subquery import", Query: "MATCH (n:Entity) CALL { WITH n RETURN n.id AS x } RETURN x", Params: map[string]any{}},
	} {
		problems := explain(ctx, session, st)
		if len(problems) == 0 {
			t.Errorf("%s: the server reported nothing for %q", st.Name, st.Query)
			continue
		}
		t.Logf("%s: %s", st.Name, strings.Join(problems, "; "))
	}
}

// TestMigrationsRerunOnNeo4j runs every migration again on a migrated
// database, as a store that crashed between a migration's statements and its
// version record would: each is idempotent, and the schema ends the same.
func TestMigrationsRerunOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	ctx := context.Background()
	before := schemaObjects(t, s)
	if _, err := s.query(ctx, "reset version", "schema_version_set", map[string]any{"name": schemaName, "version": int64(0)}, false); err != nil {
		t.Fatal(err)
	}
	s2 := openLive(t, cfg) // applies every migration again
	if v, err := s2.schemaVersion(ctx); err != nil || v != SchemaVersion() {
		t.Fatalf("schema version after re-running the migrations: %d, %v; want %d", v, err, SchemaVersion())
	}
	after := schemaObjects(t, s2)
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Fatalf("the schema changed on re-running the migrations:\nbefore %v\nafter  %v", before, after)
	}
	for _, k := range regiongraph.RelKinds {
		want := strings.ToLower(string(k)) + "_id_unique"
		found := false
		for _, o := range after {
			found = found || strings.HasPrefix(o, "constraint "+want+" ")
		}
		if !found {
			t.Errorf("no relationship uniqueness constraint %s", want)
		}
	}
	t.Logf("%d constraints and indexes, the same after re-running all %d migrations", len(after), SchemaVersion())
}

// schemaObjects lists the constraints and indexes by name and type.
func schemaObjects(t *testing.T, s *Store) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, q := range []string{
		"SHOW CONSTRAINTS YIELD name, type RETURN 'constraint ' + name + ' ' + type AS o ORDER BY o",
		"SHOW INDEXES YIELD name, type, state RETURN 'index ' + name + ' ' + type + ' ' + state AS o ORDER BY o",
	} {
		res, err := neo4j.ExecuteQuery(ctx, s.driver, q, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			o, _ := r.Get("o")
			out = append(out, o.(string))
		}
	}
	return out
}

// TestRelationshipIDUniqueOnNeo4j: Neo4j itself refuses a second
// relationship of a type with an existing id (migration 8), whatever wrote
// it.
func TestRelationshipIDUniqueOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	ctx := context.Background()
	if _, err := s.Apply(ctx, []regiongraph.Change{
		{Op: regiongraph.OpCreateNode, Node: partner("a")}, {Op: regiongraph.OpCreateNode, Node: partner("b")},
		{Op: regiongraph.OpCreateEdge, Edge: partnerOf("e1", "a", "b")},
	}); err != nil {
		t.Fatal(err)
	}
	_, err := neo4j.ExecuteQuery(ctx, s.driver,
		"MATCH (a:Entity {id: 'a'}), (b:Entity {id: 'b'}) CREATE (b)-[:PARTNER_OF {id: 'e1'}]->(a)", nil,
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
	if err == nil || !strings.Contains(err.Error(), "ConstraintValidationFailed") {
		t.Fatalf("a second PARTNER_OF with id e1: %v, want a constraint violation", err)
	}
	t.Logf("Neo4j refused it: %v", err)
}

// TestExplainSetCoversEveryFragment checks the default EXPLAIN set: every
// statement that is not a composed FindNodes statement, every filter
// combination, every order and cursor fragment with no filter and with
// every filter, and far fewer statements than all.
func TestExplainSetCoversEveryFragment(t *testing.T) {
	all := Statements()
	set := explainSet(all, false)
	names := map[string]bool{}
	for _, st := range set {
		names[st.Name] = true
	}
	for _, st := range all {
		if !strings.HasPrefix(st.Name, "find_nodes[") && !names[st.Name] {
			t.Errorf("%s is not planned", st.Name)
		}
	}
	masks := map[string]bool{}
	for _, v := range findVariants() {
		if names[v.name()] {
			masks[v.name()[:strings.Index(v.name(), ";")]] = true
		}
		if len(v.Filters) == 0 || len(v.Filters) == len(findFilters) {
			if !names[v.name()] {
				t.Errorf("%s is not planned", v.name())
			}
		}
	}
	if want := 1 << len(findFilters); len(masks) != want {
		t.Errorf("FindNodes planned for %d filter combinations, want %d", len(masks), want)
	}
	if len(set)*3 > len(all) {
		t.Errorf("the default set plans %d of %d statements: not a third", len(set), len(all))
	}
	if got := explainSet(all, true); len(got) != len(all) {
		t.Errorf("REGIONGRAPH_EXPLAIN_ALL plans %d of %d", len(got), len(all))
	}
	t.Logf("the default set plans %d of %d statements", len(set), len(all))
}
