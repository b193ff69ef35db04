// The relationships with the given ids.
MATCH (a:Entity)-[r]->(b:Entity)
WHERE r.id IN $ids
RETURN r, a.id AS from, b.id AS to
ORDER BY r.id
