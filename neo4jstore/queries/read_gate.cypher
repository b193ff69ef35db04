// First statement of every read transaction: a shared lock on the read
// gate's index entry (MERGE finds the gate under a shared lock and keeps it
// until the transaction ends; it creates the gate if it is missing). Apply's
// last statement (apply_gate) takes the same entry's exclusive lock, so a
// reader never sees a batch commit while it reads. Needs a write-mode
// transaction, as MERGE is a write clause.
MERGE (g:ReadGate {name: 'regiongraph'})
RETURN count(g) AS n
