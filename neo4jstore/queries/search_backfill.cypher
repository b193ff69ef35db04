// Writes the search tokens computed in Go for the given nodes.
UNWIND $rows AS r
MATCH (n:Entity {id: r.id})
SET n.searchTokens = r.tokens, n.searchVersion = $version
RETURN count(*) AS n
