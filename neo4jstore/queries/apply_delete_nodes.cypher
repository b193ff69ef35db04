// Deletes nodes. Apply has deleted their relationships first, so a node that
// still has one (created concurrently) fails the transaction with a constraint
// violation instead of silently losing it.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
DELETE n
RETURN count(*) AS n
