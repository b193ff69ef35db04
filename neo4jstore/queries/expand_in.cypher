// Expand: the relations entering one of $nodeIds, narrowed by ids, kinds and
// year, each with the node it comes from (one row per relation).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE b.id IN $nodeIds
  AND ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
RETURN r, a.id AS from, b.id AS to, a AS n
