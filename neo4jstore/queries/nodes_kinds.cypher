// The ids and labels of the nodes with the given ids (in no particular
// order; missing ids give no row): what Apply needs of a relation's ends that
// its batch does not change, without reading their properties.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, labels(n) AS labels
