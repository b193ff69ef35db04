// Expand: the relations entering one of $nodeIds, narrowed by ids, kinds and
// year, and the nodes they come from, under the read gate: one row, each
// relation and each node once, as projections.
{{READ_GATE}}
MATCH (a:Entity)-[r]->(b:Entity)
WHERE b.id IN $nodeIds
  AND ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
WITH collect(r) AS rs, collect(DISTINCT a) AS ns
RETURN [r IN rs | {{RELATION r}}] AS rels, [n IN ns | {{NODE n}}] AS nodes
