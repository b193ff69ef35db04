// Full-text search candidates: the nodes whose searchTokens match the
// Lucene query (each term required, as itself or as a prefix), at most
// $limit, as projections, under the read gate. Ranking is done in Go
// (regiongraph.RankCandidates).
{{READ_GATE}}
CALL db.index.fulltext.queryNodes('entity_search', $query) YIELD node
RETURN {{NODE node}} AS n
LIMIT $limit
