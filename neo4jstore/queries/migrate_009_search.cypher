// Migration 9: full-text search over what the plans say (issue 16). Every
// node carries searchTokens, its regiongraph.SearchTokens joined by spaces:
// the text is analysed in Go (folding, Norwegian spellings, stemming), so
// the index only splits on white space, and the terms are the embedded
// store's. Search finds its candidates here with
// db.index.fulltext.queryNodes and ranks them in Go as the embedded store
// does. Not eventually consistent: a search sees what was committed.
CREATE FULLTEXT INDEX entity_search IF NOT EXISTS FOR (n:Entity) ON EACH [n.searchTokens] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}};
