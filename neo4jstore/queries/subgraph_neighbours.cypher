// One breadth-first step: the ids of the nodes of the allowed kinds joined to
// one of $ids by an allowed relationship that holds in $year, either way;
// the first $limit by id.
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]-(b:Entity)
WHERE ($relations IS NULL OR type(r) IN $relations)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
  AND ($kinds IS NULL OR any(label IN labels(b) WHERE label IN $kinds))
RETURN DISTINCT b.id AS id
ORDER BY id
LIMIT $limit
