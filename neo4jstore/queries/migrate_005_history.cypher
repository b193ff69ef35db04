// Migration 5: the change history. One (:Change) node per recorded change,
// numbered by seq from the (:Counter {name: 'history'}) node, which every
// writer locks first (see history_lock), so seqs follow commit order.
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE;
CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (h:Change) REQUIRE h.seq IS UNIQUE;
CREATE INDEX change_target_id IF NOT EXISTS FOR (h:Change) ON (h.targetId);
CREATE INDEX change_from_id IF NOT EXISTS FOR (h:Change) ON (h.fromId);
CREATE INDEX change_to_id IF NOT EXISTS FOR (h:Change) ON (h.toId);
