// The number of recorded changes of $id and of the relations from or to it.
MATCH (h:Change)
WHERE h.targetId = $id OR h.fromId = $id OR h.toId = $id
RETURN count(h) AS n
