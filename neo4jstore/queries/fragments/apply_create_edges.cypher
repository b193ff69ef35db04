// Creates relationships of one kind; {{REL}} is replaced by each regiongraph.RelKinds value.
UNWIND $edges AS e
MATCH (a:Entity {id: e.from})
MATCH (b:Entity {id: e.to})
CREATE (a)-[r:{{REL}}]->(b)
SET r = e.props
RETURN count(*) AS n
