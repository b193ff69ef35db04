// Full-text search candidates: the nodes whose searchTokens match the
// Lucene query (each term required, as itself or as a prefix), at most
// $limit. Ranking is done in Go (regiongraph.RankCandidates).
CALL db.index.fulltext.queryNodes('entity_search', $query) YIELD node
RETURN node AS n
LIMIT $limit
