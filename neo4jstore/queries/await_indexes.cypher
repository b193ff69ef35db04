// After migrations: wait (up to 300 s) until every index is online, so the
// first queries and the uniqueness checks use them.
CALL db.awaitIndexes(300)
