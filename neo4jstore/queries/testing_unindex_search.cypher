// Tests only: removes the search tokens from every node, as a database
// written before migration 9 has none.
MATCH (n:Entity)
REMOVE n.searchTokens, n.searchVersion
RETURN count(*) AS n
