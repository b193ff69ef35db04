// The allowed relationships holding in $year with both ends among $ids.
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN $ids AND b.id IN $ids
  AND ($relations IS NULL OR type(r) IN $relations)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
RETURN r, a.id AS from, b.id AS to
ORDER BY r.id
