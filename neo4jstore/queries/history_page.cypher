// One page of the whole history, newest first, below seq $before.
MATCH (h:Change)
WHERE h.seq < $before
RETURN h.seq AS seq, h.at AS at, h.actor AS actor, h.reason AS reason, h.op AS op,
       h.target AS target, h.targetId AS id, h.before AS before, h.after AS after
ORDER BY seq DESC
LIMIT $limit
