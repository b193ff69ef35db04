// Tests only: deletes up to $limit history entries and the counter. Run
// until it deletes nothing.
MATCH (n)
WHERE n:Change OR n:Counter
WITH n LIMIT $limit
DELETE n
RETURN count(*) AS n
