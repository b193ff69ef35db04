// Migration 4: a full-text index over names and aliases, for ad-hoc use
// (db.index.fulltext.queryNodes('entity_names', ...)). The store's own search
// is the folded substring match on searchText, so that it gives exactly the
// embedded store's answers.
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.aliases];
