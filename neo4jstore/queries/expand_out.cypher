// Expand: the relations leaving one of $nodeIds, narrowed by ids, kinds and
// year, each with the node it leads to (one row per relation).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN $nodeIds
  AND ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
RETURN r, a.id AS from, b.id AS to, b AS n
