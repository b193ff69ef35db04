// The relationships touching one of $nodeIds, each once, narrowed by ids,
// kinds and year, whole: what Apply reads inside its transaction (reads
// outside Apply use edges_read_*). Each node is found by its id index and
// its relationships expanded: never a scan of all relationships.
UNWIND $nodeIds AS id
MATCH (n:Entity {id: id})-[r]-(:Entity)
WHERE ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
WITH DISTINCT r
RETURN r, startNode(r).id AS from, endNode(r).id AS to
ORDER BY r.id
