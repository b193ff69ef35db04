// Stats: per relationship type, the nodes relations enter and the most
// that enter one node.
MATCH (:Entity)-[r]->(b:Entity)
WITH type(r) AS kind, b, count(r) AS d
RETURN kind, count(b) AS nodes, sum(d) AS total, max(d) AS maxDegree
