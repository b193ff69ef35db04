// Tests only: deletes up to $limit domain nodes with their relationships,
// keeping the schema and the schema version. Run until it deletes nothing.
MATCH (n:Entity)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS n
