package neo4jlocal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Env is the Neo4j a test runs against, as NEO4J_* values.
type Env struct {
	URI, User, Password, Database string
}

// Vars returns env as NEO4J_* variables for a child process.
func (e Env) Vars() map[string]string {
	return map[string]string{"NEO4J_URI": e.URI, "NEO4J_USER": e.User, "NEO4J_PASSWORD": e.Password, "NEO4J_DATABASE": e.Database}
}

// The package's tier: set up by Main, started on the first Require.
var tier struct {
	main    bool
	once    sync.Once
	env     Env
	err     error
	skip    string // why the tier is skipped, when it may be
	server  *Server
	tmp     string
	ran     sync.Map // test name → true, for the tests that ran (not skipped)
	started time.Duration
}

// Required reports whether a missing Neo4j is a failure: under CI=true or
// REGIONGRAPH_REQUIRE_NEO4J=1.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("REGIONGRAPH_REQUIRE_NEO4J") == "1"
}

// Main runs a package's tests with its Neo4j tier (call it from TestMain:
// os.Exit(neo4jlocal.Main(m))). The tier is the Neo4j named by NEO4J_URI
// (with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) or, when NEO4J_URI is
// unset, a local Neo4j that the first Require starts (in a temporary folder,
// on a free port) and that Main stops after the tests. Main prints how many
// tests ran against Neo4j, and appends "package count" to the file named by
// REGIONGRAPH_NEO4J_REPORT when that is set.
func Main(m *testing.M) int {
	tier.main = true
	code := m.Run()
	if tier.server != nil {
		if err := tier.server.Stop(time.Minute); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}
	if tier.tmp != "" {
		_ = os.RemoveAll(tier.tmp)
	}
	n := 0
	tier.ran.Range(func(any, any) bool { n++; return true })
	where := tier.env.URI
	if where == "" {
		where = "local Neo4j servers of the tests' own"
	}
	if tier.server != nil {
		where = fmt.Sprintf("%s (local Neo4j started in %v)", where, tier.started.Round(100*time.Millisecond))
	}
	switch {
	case n > 0:
		fmt.Printf("neo4jlocal: %d tests ran against Neo4j at %s\n", n, where)
	case tier.skip != "":
		fmt.Printf("neo4jlocal: Neo4j tier skipped: %s\n", tier.skip)
	}
	if report := os.Getenv("REGIONGRAPH_NEO4J_REPORT"); report != "" && n > 0 {
		pkg, _ := os.Getwd()
		if root, err := Root(); err == nil {
			if rel, err := filepath.Rel(root, pkg); err == nil {
				pkg = rel
			}
		}
		if f, err := os.OpenFile(report, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s %d\n", pkg, n)
			_ = f.Close()
		}
	}
	return code
}

func setUp() {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		tier.env = Env{URI: uri, User: os.Getenv("NEO4J_USER"), Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}
		return
	}
	if missing := MissingTools(); missing != "" {
		tier.skip = "NEO4J_URI is unset and " + missing + "; install them (or set NEO4J_URI) to run the Neo4j tier"
		tier.err = fmt.Errorf("neo4jlocal: %s", tier.skip)
		return
	}
	dir, err := os.MkdirTemp("", "regiongraph-neo4j-")
	if err != nil {
		tier.err = err
		return
	}
	tier.tmp = dir
	s, err := Start(context.Background(), Options{Data: filepath.Join(dir, "data")})
	if err != nil {
		tier.err = err
		return
	}
	tier.server = s
	tier.started = s.StartedIn
	tier.env = Env{URI: s.URI}
}

// Require returns the package's Neo4j, starting the local one on first use,
// and counts the test (or subtest) as a Neo4j test unless it ends up
// skipped. Without
// NEO4J_URI and without Java or Maven it skips the test with the reason;
// under CI=true or REGIONGRAPH_REQUIRE_NEO4J=1 that is a failure, as is a
// Neo4j that cannot be started.
func Require(t testing.TB) Env {
	t.Helper()
	if !tier.main {
		t.Fatal("neo4jlocal.Require needs the package's TestMain to call neo4jlocal.Main")
	}
	tier.once.Do(setUp)
	if tier.err != nil {
		if tier.skip != "" && !Required() {
			t.Skip("SKIPPED (Neo4j tier): " + tier.skip)
		}
		t.Fatal(tier.err)
	}
	count(t)
	return tier.env
}

// count counts t (once, by name; subtests count apart) among the tests that
// ran against Neo4j, unless it ends up skipped.
func count(t testing.TB) {
	t.Cleanup(func() {
		if !t.Skipped() {
			tier.ran.Store(t.Name(), true)
		}
	})
}

// Dedicated starts a Neo4j of the test's own (in t's temporary folder, on a
// free port; authentication on with user neo4j when password is set), for
// tests that kill or restart it, and stops it when the test ends. It skips or fails as Require does when Java or Maven are missing.
func Dedicated(t testing.TB, password string) *Server {
	t.Helper()
	if missing := MissingTools(); missing != "" {
		if Required() {
			t.Fatalf("neo4jlocal: %s", missing)
		}
		t.Skip("SKIPPED (Neo4j tier): " + missing)
	}
	s, err := Start(context.Background(), Options{Data: filepath.Join(t.TempDir(), "neo4j"), Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(time.Minute); err != nil {
			t.Error(err)
		}
	})
	count(t)
	t.Logf("local Neo4j at %s started in %v", s.URI, s.StartedIn.Round(100*time.Millisecond))
	return s
}

// Clear empties the database of data (every node and relationship, in
// batches), keeping the schema: constraints, indexes and the store's
// :SchemaVersion and :ReadGate nodes, so that the next Open finds the
// migrations applied.
func Clear(ctx context.Context, env Env) error {
	auth := neo4j.NoAuth()
	if env.Password != "" {
		user := env.User
		if user == "" {
			user = "neo4j"
		}
		auth = neo4j.BasicAuth(user, env.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(env.URI, auth)
	if err != nil {
		return fmt.Errorf("neo4jlocal: clear: %w", err)
	}
	defer driver.Close(ctx)
	db := env.Database
	if db == "" {
		db = "neo4j"
	}
	session := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db})
	defer session.Close(ctx)
	res, err := session.Run(ctx, "MATCH (n) WHERE NOT n:SchemaVersion AND NOT n:ReadGate CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return fmt.Errorf("neo4jlocal: clear %s: %w", env.URI, err)
	}
	return nil
}
