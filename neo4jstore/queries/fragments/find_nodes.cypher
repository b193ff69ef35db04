// Fragments FindNodes composes its statements from. Each fragment starts at a
// line "// == name" and runs to the next; other comment lines are dropped.
// The composed statement counts and pages in one statement under the read
// gate (one round trip, see Store.read):
//
//   {{READ_GATE}}
//   match [WHERE filter AND ...] count
//   page [WHERE filter AND ... AND after.FIELD.DIR] order.FIELD.DIR limit
//
// with the filters in the order below, each present only when the filter is
// set (the same in both parts). Every value is a parameter; names choose
// fragments, never values. The page's OPTIONAL MATCH keeps the one row
// that carries the total when no node is on the page (collect drops the
// null). Ordering: the sort value, missing values last ascending and first
// descending (Neo4j orders null so), then the id ascending in both
// directions (as regiongraph.CompareKeys). Ordering by ID sorts by the id
// itself, the cursor's value being the id. The page's nodes are collected
// in that order (collect keeps the order of its rows), as projections.
// (Neo4j 5.0 has no CALL () { ... }, and 5.26 deprecates CALL { ... }:
// hence one query in two parts rather than two subqueries.)

// == match
MATCH (n:Entity)

// == filter.kinds
any(label IN labels(n) WHERE label IN $kinds)

// == filter.ids
n.id IN $ids

// == filter.text
n.searchText CONTAINS $text

// == filter.planYear
n.planYear = $planYear

// == filter.code
n.code = $code

// == filter.related
all(rel IN $related WHERE EXISTS {
    MATCH (n)-[r]-(m:Entity)
    WHERE type(r) = rel.kind AND m.id IN rel.nodeIds
      AND (rel.direction = 'BOTH' OR (rel.direction = 'OUT' AND startNode(r) = n) OR (rel.direction = 'IN' AND endNode(r) = n))
      AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
  })

// == count
WITH count(n) AS total

// A statement with the related filter starts instead from the nodes the
// first related filter names, along their relationships of its kind (an
// index seek and their relationships, not a scan of every node with a
// subquery each), and keeps the matching nodes for the page:
//
//   {{READ_GATE}}
//   match.related [WHERE filter AND ...] collect.related
//   page.related or page.related.after order.FIELD.DIR limit
//
// The filters are all checked again on those nodes (related among them,
// every related filter). The page's list of one null keeps the row that
// carries the total when no node is on the page (collect drops the null).

// == match.related
UNWIND $related[0].nodeIds AS relatedId
MATCH (m:Entity {id: relatedId})-[r]-(n:Entity)
WHERE type(r) = $related[0].kind
  AND ($related[0].direction = 'BOTH' OR ($related[0].direction = 'OUT' AND startNode(r) = n) OR ($related[0].direction = 'IN' AND endNode(r) = n))
  AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear)))
WITH DISTINCT n

// == collect.related
WITH collect(n) AS matched
WITH matched, size(matched) AS total

// == page.related
WITH total, matched AS rest
UNWIND (CASE WHEN size(rest) = 0 THEN [null] ELSE rest END) AS n

// == page.related.after
WITH total, [n IN matched WHERE {{AFTER}}] AS rest
UNWIND (CASE WHEN size(rest) = 0 THEN [null] ELSE rest END) AS n

// == page
OPTIONAL MATCH (n:Entity)

// == limit
LIMIT $limit
RETURN total, [x IN collect(n) | {{NODE x}}] AS nodes

// == order.ID.ASC
WITH total, n
ORDER BY n.id ASC

// == order.ID.DESC
WITH total, n
ORDER BY n.id DESC

// == after.ID.ASC
n.id > $afterId

// == after.ID.DESC
n.id < $afterId

// == order.NAME.ASC
WITH total, n
ORDER BY n.nameKey ASC, n.id ASC

// == order.NAME.DESC
WITH total, n
ORDER BY n.nameKey DESC, n.id ASC

// == after.NAME.ASC
(($afterValue IS NULL AND n.nameKey IS NULL AND n.id > $afterId)
    OR ($afterValue IS NOT NULL AND (n.nameKey > $afterValue OR (n.nameKey = $afterValue AND n.id > $afterId) OR n.nameKey IS NULL)))

// == after.NAME.DESC
(($afterValue IS NULL AND (n.nameKey IS NOT NULL OR n.id > $afterId))
    OR ($afterValue IS NOT NULL AND n.nameKey IS NOT NULL AND (n.nameKey < $afterValue OR (n.nameKey = $afterValue AND n.id > $afterId))))

// == order.PLAN_YEAR.ASC
WITH total, n
ORDER BY n.planYear ASC, n.id ASC

// == order.PLAN_YEAR.DESC
WITH total, n
ORDER BY n.planYear DESC, n.id ASC

// == after.PLAN_YEAR.ASC
(($afterValue IS NULL AND n.planYear IS NULL AND n.id > $afterId)
    OR ($afterValue IS NOT NULL AND (n.planYear > $afterValue OR (n.planYear = $afterValue AND n.id > $afterId) OR n.planYear IS NULL)))

// == after.PLAN_YEAR.DESC
(($afterValue IS NULL AND (n.planYear IS NOT NULL OR n.id > $afterId))
    OR ($afterValue IS NOT NULL AND n.planYear IS NOT NULL AND (n.planYear < $afterValue OR (n.planYear = $afterValue AND n.id > $afterId))))

// == order.COST_NOK.ASC
WITH total, n
ORDER BY n.costNok ASC, n.id ASC

// == order.COST_NOK.DESC
WITH total, n
ORDER BY n.costNok DESC, n.id ASC

// == after.COST_NOK.ASC
(($afterValue IS NULL AND n.costNok IS NULL AND n.id > $afterId)
    OR ($afterValue IS NOT NULL AND (n.costNok > $afterValue OR (n.costNok = $afterValue AND n.id > $afterId) OR n.costNok IS NULL)))

// == after.COST_NOK.DESC
(($afterValue IS NULL AND (n.costNok IS NOT NULL OR n.id > $afterId))
    OR ($afterValue IS NOT NULL AND n.costNok IS NOT NULL AND (n.costNok < $afterValue OR (n.costNok = $afterValue AND n.id > $afterId))))

// == order.CODE.ASC
WITH total, n
ORDER BY n.code ASC, n.id ASC

// == order.CODE.DESC
WITH total, n
ORDER BY n.code DESC, n.id ASC

// == after.CODE.ASC
(($afterValue IS NULL AND n.code IS NULL AND n.id > $afterId)
    OR ($afterValue IS NOT NULL AND (n.code > $afterValue OR (n.code = $afterValue AND n.id > $afterId) OR n.code IS NULL)))

// == after.CODE.DESC
(($afterValue IS NULL AND (n.code IS NOT NULL OR n.id > $afterId))
    OR ($afterValue IS NOT NULL AND n.code IS NOT NULL AND (n.code < $afterValue OR (n.code = $afterValue AND n.id > $afterId))))
