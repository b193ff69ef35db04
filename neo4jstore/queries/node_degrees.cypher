// NodeDegrees: node $id's relationships by type and direction, for the
// cost estimate of a query about that node (a node that does not exist
// gives no row). Not under the read gate: an estimate.
MATCH (n:Entity {id: $id})-[r]-(:Entity)
RETURN type(r) AS kind, startNode(r) = n AS out, count(r) AS degree
