// Whether an Apply call (by its applyId) has committed: its history entries
// exist. Run by a retried attempt before it does anything, since the driver
// retries a transaction whose commit may have succeeded unanswered.
MATCH (h:Change {applyId: $applyId})
RETURN count(h) AS n
