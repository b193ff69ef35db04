// The ids of the relationships of type {{REL}} from $lo to $hi (a range of
// the type's id index, migration 8): how Apply finds which of many ids, in
// id order, are stored, one statement per type as edges_by_id, before
// reading those with edges_by_id. An import applies its relations in id
// order, so the range of a batch holds little more than the batch's own
// stored ids, and the statement carries two ids rather than the batch's.
MATCH ()-[r:{{REL}}]->()
WHERE $lo <= r.id <= $hi
RETURN r.id AS id
