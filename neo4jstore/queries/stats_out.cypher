// Stats: per relationship type, the relations, the nodes they leave and
// the most that leave one node.
MATCH (a:Entity)-[r]->(:Entity)
WITH type(r) AS kind, a, count(r) AS d
RETURN kind, count(a) AS nodes, sum(d) AS total, max(d) AS maxDegree
