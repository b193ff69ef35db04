// Subgraph without roots: the nodes of the allowed kinds by id, at most $limit.
MATCH (n:Entity)
WHERE $kinds IS NULL OR any(label IN labels(n) WHERE label IN $kinds)
RETURN n
ORDER BY n.id
LIMIT $limit
