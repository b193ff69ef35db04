// Edges without node ids: every relationship, narrowed by ids, kinds and year
// (a null parameter does not narrow), as projections, under the read gate
// (Edges orders them by id).
{{READ_GATE}}
MATCH (a:Entity)-[r]->(b:Entity)
WHERE ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
RETURN {{RELATION r}} AS rel
