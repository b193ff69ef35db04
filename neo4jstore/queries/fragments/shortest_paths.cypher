// All shortest undirected paths of at most {{HOPS}} relationships between two
// nodes; {{HOPS}} is replaced by each of 1..regiongraph.MaxHops. Relationships
// must be of the allowed kinds and hold in $year; nodes between the ends must
// be of the allowed kinds. Ordered by the node ids along the path, then the
// relationship ids.
MATCH (a:Entity {id: $from})
MATCH (b:Entity {id: $to})
MATCH p = allShortestPaths((a)-[*..{{HOPS}}]-(b))
WHERE all(r IN relationships(p) WHERE ($relations IS NULL OR type(r) IN $relations)
        AND ($year IS NULL OR ((r.fromYear IS NULL OR r.fromYear <= $year) AND (r.toYear IS NULL OR $year <= r.toYear))))
  AND all(x IN nodes(p) WHERE x = a OR x = b OR $kinds IS NULL OR any(label IN labels(x) WHERE label IN $kinds))
RETURN p
ORDER BY [x IN nodes(p) | x.id], [r IN relationships(p) | r.id]
LIMIT $first
