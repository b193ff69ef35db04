// Edges touching one of $nodeIds, each once, narrowed by ids, kinds and year, as
// projections, under the read gate (Edges orders them by id).
{{READ_GATE}}
MATCH (a:Entity)-[r]->(b:Entity)
WHERE (a.id IN $nodeIds OR b.id IN $nodeIds)
  AND ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
RETURN {{RELATION r}} AS rel
