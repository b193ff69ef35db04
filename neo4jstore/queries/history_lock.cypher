// First statement of every Apply: takes the write lock on the history
// counter, so that batches are applied one at a time, each reading what the
// one before committed, and their changes are numbered in commit order.
// Returns the last seq used so far.
MERGE (c:Counter {name: 'history'})
  ON CREATE SET c.value = 0
SET c.writer = $writer
RETURN c.value AS value
