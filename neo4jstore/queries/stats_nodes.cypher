// Stats: nodes per kind (every label of a node but Entity is its kind).
MATCH (n:Entity)
UNWIND labels(n) AS kind
WITH kind
WHERE kind <> 'Entity'
RETURN kind, count(*) AS n
