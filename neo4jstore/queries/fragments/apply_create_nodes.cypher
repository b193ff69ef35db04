// Creates nodes of one kind; {{KIND}} is replaced by each regiongraph.Kinds value.
UNWIND $nodes AS props
CREATE (n:Entity:{{KIND}})
SET n = props
RETURN count(*) AS n
