package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/regiongraph/regiongraph"
)

// TestOneStatementReadsWaitForACommitOnNeo4j: the reads that run as one
// auto-commit statement (Store.read) take the read gate before they read
// anything. A transaction writes a node and a relation and then takes the
// gate's exclusive lock with apply_gate, as Apply's last statement does;
// while it is open, each read must be blocked by it (Neo4j's SHOW
// TRANSACTIONS says so), and once it commits each read must answer with
// what it wrote. A read that took the gate after reading (or not at all)
// would not be blocked, and would answer without the new node.
func TestOneStatementReadsWaitForACommitOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	ctx := context.Background()
	if _, err := s.Apply(ctx, []regiongraph.Change{{Op: regiongraph.OpCreateNode, Node: partner("a")}}); err != nil {
		t.Fatal(err)
	}

	// The writer: b and a -e1-> b, then the gate, left open.
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, AccessMode: neo4j.AccessModeWrite})
	defer func() { _ = session.Close(ctx) }()
	tx, err := session.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Close(ctx) }()
	b := partner("b")
	b.Name = "Gatekeeper Bravo"
	for _, w := range []struct {
		q      string
		params map[string]any
	}{
		{"CREATE (n:Entity:Partner) SET n = $props", map[string]any{"props": nodeProps(b)}},
		{"MATCH (a:Entity {id: 'a'}), (b:Entity {id: 'b'}) CREATE (a)-[r:PARTNER_OF]->(b) SET r = $props", map[string]any{"props": edgeProps(partnerOf("e1", "a", "b"))}},
		{s.st.byName["apply_gate"].Query, map[string]any{}},
	} {
		res, err := tx.Run(ctx, w.q, w.params)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			t.Fatalf("%s: %v", w.q, err)
		}
	}

	type answer struct {
		what string
		ok   bool   // saw b (and e1)
		got  string // what it saw
		err  error
	}
	reads := map[string]func() answer{
		"FindNodes": func() answer {
			p, err := s.FindNodes(ctx, regiongraph.NodeFilter{})
			return answer{ok: p.TotalCount == 2 && len(p.Nodes) == 2, got: fmt.Sprintf("total %d, %d nodes", p.TotalCount, len(p.Nodes)), err: err}
		},
		"Nodes": func() answer {
			ns, err := s.Nodes(ctx, []string{"a", "b"})
			return answer{ok: len(ns) == 2, got: fmt.Sprintf("%d nodes", len(ns)), err: err}
		},
		"Expand": func() answer {
			x, err := s.Expand(ctx, regiongraph.EdgeFilter{NodeIDs: []string{"a"}, Direction: regiongraph.Out})
			return answer{ok: len(x.Edges) == 1 && len(x.Nodes) == 1 && x.Nodes[0].Name == b.Name, got: fmt.Sprintf("%d relations, %d nodes", len(x.Edges), len(x.Nodes)), err: err}
		},
		"Edges": func() answer {
			es, err := s.Edges(ctx, regiongraph.EdgeFilter{})
			return answer{ok: len(es) == 1, got: fmt.Sprintf("%d relations", len(es)), err: err}
		},
		"Search": func() answer {
			r, err := s.Search(ctx, regiongraph.SearchQuery{Text: "gatekeeper"})
			return answer{ok: r.TotalCount == 1, got: fmt.Sprintf("%d hits", r.TotalCount), err: err}
		},
	}
	answers := make(chan answer, len(reads))
	for what, read := range reads {
		go func() {
			a := read()
			a.what = what
			answers <- a
		}()
	}

	// Wait until every read is blocked by the writer (a bound, not a
	// measurement: a read that does not take the gate never blocks).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		blocked, err := blockedReads(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if blocked == len(reads) {
			break
		}
		select {
		case a := <-answers:
			t.Fatalf("%s answered while the writer held the gate (%s, %v): it did not wait for the commit", a.what, a.got, a.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes %d of the %d reads are blocked by the writer", blocked, len(reads))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var done []string
	for range reads {
		a := <-answers
		if a.err != nil {
			t.Errorf("%s: %v", a.what, a.err)
		} else if !a.ok {
			t.Errorf("%s after the commit: %s, want what the writer wrote", a.what, a.got)
		}
		done = append(done, a.what)
	}
	slices.Sort(done)
	t.Logf("blocked by the writer, then answered with its commit: %s", strings.Join(done, ", "))
}

// blockedReads counts the transactions blocked while running a statement
// that takes the read gate ({{READ_GATE}}).
func blockedReads(ctx context.Context, s *Store) (int, error) {
	res, err := neo4j.ExecuteQuery(ctx, s.driver,
		"SHOW TRANSACTIONS YIELD currentQuery, status WHERE status STARTS WITH 'Blocked' AND currentQuery STARTS WITH 'MERGE (g:ReadGate' RETURN count(*) AS n",
		nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
	if err != nil {
		return 0, err
	}
	n, err := recordInt(res.Records[0], "n")
	return int(n), err
}
