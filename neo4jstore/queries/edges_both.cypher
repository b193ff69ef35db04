// The relationships touching one of $nodeIds, each once, narrowed by ids,
// kinds and year, whole: what Apply reads inside its transaction (reads
// outside Apply use edges_read_*).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE (a.id IN $nodeIds OR b.id IN $nodeIds)
  AND ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
RETURN r, a.id AS from, b.id AS to
ORDER BY r.id
