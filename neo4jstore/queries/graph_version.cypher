// The graph's version for regiongraph.Versioned: the number of domain nodes
// (from Neo4j's count store) and the last history seq, which every Apply that
// changes the graph advances (see history_lock).
MATCH (n:Entity)
WITH count(n) AS nodes
OPTIONAL MATCH (c:Counter {name: 'history'})
RETURN coalesce(c.value, 0) AS seq, nodes
