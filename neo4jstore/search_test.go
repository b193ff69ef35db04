package neo4jstore

import (
	"context"
	"testing"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/storetest"
)

// TestLuceneQuery: every term is required, as its stem, its raw form or,
// from MinPrefix characters, a prefix of its raw form; Lucene's special
// characters are escaped.
func TestLuceneQuery(t *testing.T) {
	for q, want := range map[string]string{
		"fylkesveger": "+(fylkesveg fylkesveger fylkesveger*)",
		"E 134":       "+(e134 e134*)",
		"fv":          "+(fv)",
		"Tromsø nore": "+(tromso tromso*) +(nor nore nore*)",
	} {
		if got := luceneQuery(regiongraph.QueryTerms(q)); got != want {
			t.Errorf("luceneQuery(%q) = %q, want %q", q, got, want)
		}
	}
	if got := luceneQuery([]regiongraph.QueryTerm{{Stem: `a+b`, Raw: `a+b`}}); got != `+(a\+b a\+b*)` {
		t.Errorf("escaping: %q", got)
	}
}

// TestSearchBackfillOnNeo4j: nodes written without search tokens (a
// database from before migration 9) are found after the store is opened
// again, which writes their tokens.
func TestSearchBackfillOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	ctx := context.Background()
	n := storetest.Partner("partner-vegvesenet")
	n.Description = "Riksveier og fylkesveier"
	storetest.MustApply(t, s, regiongraph.Change{Op: regiongraph.OpCreateNode, Node: n})
	if _, err := s.query(ctx, "test", "testing_unindex_search", nil, false); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Search(ctx, regiongraph.SearchQuery{Text: "riksveg"}); err != nil || len(res.Hits) != 0 {
		t.Fatalf("without tokens: %v, %v (want no hit: the test would prove nothing)", res.Hits, err)
	}
	again, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	res, err := again.Search(ctx, regiongraph.SearchQuery{Text: "riksveg"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Node.ID != n.ID {
		t.Errorf("after reopening: %v, want %s", res.Hits, n.ID)
	}
}
