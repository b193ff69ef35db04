// Records a batch's changes, numbered from the counter locked by
// history_lock: entry i gets seq value + i.offset (offsets 1, 2, 3, ...).
// An entry's own reason (e.reason) wins over the batch's ($reason).
// applyId names the Apply call, so that a retried attempt can tell whether an
// earlier attempt whose commit went unanswered did commit (history_applied);
// only the first entry of each statement carries it (an import's batch of
// 10,000 entries adds one entry to the index of applyId, not 10,000).
MATCH (c:Counter {name: 'history'})
UNWIND $entries AS e
CREATE (h:Change {
  seq: c.value + e.offset, at: $at, actor: $actor, reason: coalesce(e.reason, $reason), applyId: CASE e.offset WHEN 1 THEN $applyId END,
  op: e.op, target: e.target, targetId: e.id, fromId: e.from, toId: e.to,
  before: e.before, after: e.after
})
WITH c, count(h) AS n
SET c.value = c.value + n
REMOVE c.writer
RETURN n
