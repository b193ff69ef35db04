package neo4jlocal

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func count1(ctx context.Context, uri string, auth neo4j.AuthToken, q string) error {
	d, err := neo4j.NewDriverWithContext(uri, auth)
	if err != nil {
		return err
	}
	defer d.Close(ctx)
	_, err = neo4j.ExecuteQuery(ctx, d, q, nil, neo4j.EagerResultTransformer)
	return err
}

// TestServerAuthKillRestart: with a password Neo4j refuses a wrong one and
// accepts the right one for user neo4j; after SIGKILL nothing answers; a
// restart on the same port and data finds the committed data; Stop is a
// clean shutdown.
func TestServerAuthKillRestart(t *testing.T) {
	if missing := MissingTools(); missing != "" {
		if Required() {
			t.Fatal(missing)
		}
		t.Skip("SKIPPED (Neo4j tier): " + missing)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const pw = "local-secret-1"
	s, err := Start(ctx, Options{Data: filepath.Join(t.TempDir(), "neo4j"), Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(time.Minute); err != nil {
			t.Error(err)
		}
	}()
	t.Logf("started in %v", s.StartedIn)
	if err := count1(ctx, s.URI, neo4j.BasicAuth("neo4j", "wrong-password", ""), "RETURN 1"); err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Errorf("a wrong password: %v, want Unauthorized", err)
	}
	right := neo4j.BasicAuth("neo4j", pw, "")
	if err := count1(ctx, s.URI, right, "CREATE (:Probe {v: 42})"); err != nil {
		t.Fatalf("the right password: %v", err)
	}
	s.Kill()
	if err := count1(ctx, s.URI, right, "RETURN 1"); err == nil {
		t.Fatal("a query succeeded after SIGKILL")
	}
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := neo4j.NewDriverWithContext(s.URI, right)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	res, err := neo4j.ExecuteQuery(ctx, d, "MATCH (p:Probe) RETURN p.v AS v", nil, neo4j.EagerResultTransformer)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("after restart: %v, %d records", err, len(res.Records))
	}
	if v, _ := res.Records[0].Get("v"); v != int64(42) {
		t.Fatalf("after restart: v = %v", v)
	}
	t.Logf("restarted on %s in %v with the data", s.URI, s.StartedIn)
}
