// One page of the history of a node or relation: the changes of $id and of
// the relations from or to it, newest first, below seq $before. (The three
// equalities are each indexed; the planner unions the index seeks.)
MATCH (h:Change)
WHERE (h.targetId = $id OR h.fromId = $id OR h.toId = $id) AND h.seq < $before
RETURN h.seq AS seq, h.at AS at, h.actor AS actor, h.reason AS reason, h.op AS op,
       h.target AS target, h.targetId AS id, h.before AS before, h.after AS after
ORDER BY seq DESC
LIMIT $limit
