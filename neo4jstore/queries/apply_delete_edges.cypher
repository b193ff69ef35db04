// Deletes relationships, each found by its ends and id.
UNWIND $edges AS e
MATCH (a:Entity {id: e.from})-[r]->(b:Entity {id: e.to})
WHERE r.id = e.id
DELETE r
RETURN count(*) AS n
