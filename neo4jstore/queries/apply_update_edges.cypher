// Replaces the properties of existing relationships, each found by its ends and id.
UNWIND $edges AS e
MATCH (a:Entity {id: e.from})-[r]->(b:Entity {id: e.to})
WHERE r.id = e.id
SET r = e.props
RETURN count(*) AS n
