// The number of recorded changes.
MATCH (h:Change)
RETURN count(h) AS n
