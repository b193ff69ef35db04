// Expand: the relations touching one of $nodeIds in either direction,
// narrowed by ids, kinds and year, each with the node at its other end as
// seen from the node of $nodeIds it was reached from (a relation between two
// of $nodeIds gives two rows, one per end).
MATCH (a:Entity)-[r]-(b:Entity)
WHERE a.id IN $nodeIds
  AND ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
RETURN r, startNode(r).id AS from, endNode(r).id AS to, b AS n
