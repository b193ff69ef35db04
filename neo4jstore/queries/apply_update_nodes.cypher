// Replaces the properties of existing nodes (the kind label never changes).
UNWIND $nodes AS props
MATCH (n:Entity {id: props.id})
SET n = props
RETURN count(*) AS n
