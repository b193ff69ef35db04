// Nodes: the nodes with the given ids (in no particular order; missing ids
// give no row), as projections, under the read gate.
{{READ_GATE}}
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN {{NODE n}} AS n
