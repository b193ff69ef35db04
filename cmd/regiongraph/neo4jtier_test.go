package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/internal/neo4jlocal"
	"github.com/regiongraph/regiongraph/neo4jstore"
)

// TestMain gives the package its Neo4j tier: NEO4J_URI's server, or a local
// Neo4j started on first use (see internal/neo4jlocal).
func TestMain(m *testing.M) { os.Exit(neo4jlocal.Main(m)) }

// neo4jEnv returns the tier's Neo4j, with the store's schema and no data,
// as the environment of a regiongraph command.
func neo4jEnv(t *testing.T) map[string]string {
	t.Helper()
	env := neo4jlocal.Require(t)
	ctx := context.Background()
	// Opening the store applies the migrations (once per database).
	s, err := neo4jstore.Open(ctx, neo4jstore.Config{URI: env.URI, User: env.User, Password: env.Password, Database: env.Database, ConnectTimeout: time.Minute, QueryTimeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := neo4jlocal.Clear(ctx, env); err != nil {
		t.Fatal(err)
	}
	return env.Vars()
}

var importedLine = regexp.MustCompile(`imported .*: (\d+) created, (\d+) updated, (\d+) unchanged`)
var nothingLine = regexp.MustCompile(`nothing changed: the store already holds .* \((\d+) unchanged\)`)

// TestImportTwiceOnNeo4j: `regiongraph import` loads the bundled dataset
// into an empty Neo4j (everything created), and a second run changes
// nothing and says so.
func TestImportTwiceOnNeo4j(t *testing.T) {
	env := neo4jEnv(t)
	run := func() string {
		var out, errOut bytes.Buffer
		a := &app{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
		if err := a.run(context.Background(), []string{"import", "--store", "neo4j", "--open-timeout", "30s"}); err != nil {
			t.Fatalf("import: %v\n%s", err, errOut.String())
		}
		return out.String()
	}
	first := run()
	m := importedLine.FindStringSubmatch(first)
	if m == nil || m[1] == "0" || m[2] != "0" || m[3] != "0" {
		t.Fatalf("first import into an empty Neo4j: want everything created, got:\n%s", first)
	}
	second := run()
	m2 := nothingLine.FindStringSubmatch(second)
	if m2 == nil || m2[1] != m[1] {
		t.Fatalf("second import: want nothing changed with %s unchanged, got:\n%s", m[1], second)
	}
	t.Logf("first: %s; second: %s", m[0], m2[0])
}
