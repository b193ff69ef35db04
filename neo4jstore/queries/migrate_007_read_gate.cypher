// Migration 7: the read gate. Every read transaction starts with read_gate,
// a MERGE on this constraint's index entry, which holds a shared lock on it
// until the transaction ends; every Apply ends with apply_gate, which
// re-sets the gate's name and so takes that entry's exclusive lock until its
// commit has been applied. Readers therefore never see a batch half
// committed, nor one that commits while they read (Neo4j's own isolation is
// read committed, per record).
CREATE CONSTRAINT read_gate_name IF NOT EXISTS FOR (g:ReadGate) REQUIRE g.name IS UNIQUE;
