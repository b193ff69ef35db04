// Last statement of every Apply: re-setting the gate's name checks its
// uniqueness constraint, which takes the exclusive lock on the gate's index
// entry until this transaction's commit has been applied. It waits for the
// readers inside read_gate to finish, and readers arriving later wait for
// the commit.
MERGE (g:ReadGate {name: 'regiongraph'})
REMOVE g.name
SET g.name = 'regiongraph'
RETURN count(g) AS n
