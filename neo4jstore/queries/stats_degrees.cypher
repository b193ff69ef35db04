// Stats: the most relationships one node has leaving it, entering it and
// in all.
MATCH (n:Entity)
RETURN coalesce(max(COUNT { (n)-->(:Entity) }), 0) AS maxOut,
       coalesce(max(COUNT { (n)<--(:Entity) }), 0) AS maxIn,
       coalesce(max(COUNT { (n)--(:Entity) }), 0) AS maxBoth
