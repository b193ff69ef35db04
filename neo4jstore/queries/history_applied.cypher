// Whether an Apply call (by its applyId) has committed: the first of its
// history entries (which carries the applyId) exists. Run by a retried
// attempt before it does anything, since the driver
// retries a transaction whose commit may have succeeded unanswered.
MATCH (h:Change {applyId: $applyId})
RETURN count(h) AS n
