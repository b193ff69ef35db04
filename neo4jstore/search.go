package neo4jstore

import (
	"context"
	"strings"

	"github.com/regiongraph/regiongraph"
)

// luceneSpecial are the characters Lucene's query parser gives meaning to.
const luceneSpecial = `+-&|!(){}[]^"~*?:\/`

// luceneQuery returns the Lucene query for the search terms: every term
// required, as its stem, its raw form or, when q.Prefix, a term its raw
// form starts: "+(stem raw raw*)". The index holds the terms as analysed in
// Go and splits on white space only, so this matches exactly what
// regiongraph.TermMatches (and the embedded store's term index) match.
func luceneQuery(terms []regiongraph.QueryTerm) string {
	esc := func(t string) string {
		var sb strings.Builder
		for _, r := range t {
			if strings.ContainsRune(luceneSpecial, r) {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	parts := make([]string, len(terms))
	for i, q := range terms {
		alts := []string{esc(q.Stem)}
		if q.Raw != q.Stem {
			alts = append(alts, esc(q.Raw))
		}
		if q.Prefix() {
			alts = append(alts, esc(q.Raw)+"*")
		}
		parts[i] = "+(" + strings.Join(alts, " ") + ")"
	}
	return strings.Join(parts, " ")
}

// Search implements regiongraph.Store: candidates from the full-text index
// entity_search (migration 9) in one statement under the read gate (one
// round trip), ranked in Go by regiongraph.RankCandidates, as the embedded
// store ranks them.
func (s *Store) Search(ctx context.Context, q regiongraph.SearchQuery) (regiongraph.SearchResult, error) {
	terms, err := q.Validate()
	if err != nil {
		return regiongraph.SearchResult{}, err
	}
	st, err := s.st.stmt("search_nodes")
	if err != nil {
		return regiongraph.SearchResult{}, err
	}
	recs, err := s.read(ctx, "search", st, map[string]any{
		"query": luceneQuery(terms), "limit": int64(regiongraph.MaxSearchCandidates + 1),
	})
	if err != nil {
		return regiongraph.SearchResult{}, err
	}
	cands := make([]*regiongraph.Node, 0, len(recs))
	for _, rec := range recs {
		v, _ := rec.Get("n")
		n, err := nodeFromList(v)
		if err != nil {
			return regiongraph.SearchResult{}, mapError("search", err)
		}
		cands = append(cands, n)
	}
	return regiongraph.RankCandidates(cands, q, terms)
}

// backfillBatch is how many nodes one backfill statement rewrites.
const backfillBatch = 1000

// backfillSearchTokens writes searchTokens on every node that lacks them or
// has them from another analysis version (nodes written before migration
// 7, or by a build with another regiongraph.SearchAnalysisVersion), in
// batches. Open runs it after the migrations; a current database costs one
// scan that finds nothing.
func (s *Store) backfillSearchTokens(ctx context.Context) error {
	version := int64(regiongraph.SearchAnalysisVersion)
	for {
		recs, err := s.query(ctx, "search backfill", "search_stale", map[string]any{"version": version, "limit": int64(backfillBatch)}, false)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		rows := make([]map[string]any, 0, len(recs))
		for _, rec := range recs {
			n, err := recordNode(rec, "n")
			if err != nil {
				return err
			}
			rows = append(rows, map[string]any{"id": n.ID, "tokens": strings.Join(regiongraph.SearchTokens(n), " ")})
		}
		if _, err := s.query(ctx, "search backfill", "search_backfill", map[string]any{"rows": rows, "version": version}, false); err != nil {
			return err
		}
	}
}
