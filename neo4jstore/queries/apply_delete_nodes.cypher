// Deletes nodes with their relationships (Apply has already checked that
// deleting them is allowed and accounted for every relationship).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
DETACH DELETE n
RETURN count(*) AS n
