// Nodes whose searchTokens are missing or from another analysis version
// (written before migration 9, or by an older build), at most $limit.
MATCH (n:Entity)
WHERE n.searchVersion IS NULL OR n.searchVersion <> $version
RETURN n
LIMIT $limit
