// The relationships of type {{REL}} with the ids $ids, with their ends: what
// Apply reads inside its transaction. Relation ids are unique across types,
// but Neo4j indexes a relationship property per type only, so Apply runs
// this statement for every type ({{REL}} is each regiongraph.RelKinds
// value), each seeking the type's id index (migration 8) for every id:
// never a scan of all relationships.
MATCH (a:Entity)-[r:{{REL}}]->(b:Entity)
WHERE r.id IN $ids
RETURN r, a.id AS from, b.id AS to
