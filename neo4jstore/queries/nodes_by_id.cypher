// The nodes with the given ids (in no particular order; missing ids give no row).
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n
