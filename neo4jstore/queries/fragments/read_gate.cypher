// {{READ_GATE}}: the read gate (migration 7) as the first clauses of a read
// statement that runs alone in its transaction (Store.read, an auto-commit
// transaction: one round trip). MERGE finds the gate under a shared lock on
// its index entry and keeps it until the transaction ends, as read_gate
// does for the reads in a managed transaction: Apply's last statement
// (apply_gate) takes that entry's exclusive lock, so the statement never
// sees a batch commit while it reads. The aggregation ends the gate's part
// before the rest of the statement reads anything (the rest is planned on
// top of it), so every read of the statement happens under the lock. A
// write clause: the transaction is write-mode.
MERGE (g:ReadGate {name: 'regiongraph'})
WITH count(g) AS gate
