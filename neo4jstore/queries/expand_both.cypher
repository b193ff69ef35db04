// Expand: the relations touching one of $nodeIds in either direction,
// narrowed by ids, kinds and year, and the nodes at their other ends as
// seen from the node of $nodeIds they were reached from (a relation between
// two of $nodeIds brings both ends), under the read gate: one row, each
// relation and each node once, as projections.
{{READ_GATE}}
MATCH (a:Entity)-[r]-(b:Entity)
WHERE a.id IN $nodeIds
  AND ($ids IS NULL OR r.id IN $ids)
  AND ($kinds IS NULL OR type(r) IN $kinds)
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
WITH collect(DISTINCT r) AS rs, collect(DISTINCT b) AS ns
RETURN [r IN rs | {{RELATION r}}] AS rels, [n IN ns | {{NODE n}}] AS nodes
