// The number of relationships (every relationship is a domain relation), from
// Neo4j's count store, for regiongraph.Versioned.
MATCH ()-[r]->()
RETURN count(r) AS relations
