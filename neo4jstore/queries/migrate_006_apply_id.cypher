// Migration 6: find a batch's history entries by the id of the Apply call
// that wrote them (history_applied), so retries of a committed batch are
// recognised without scanning the history.
CREATE INDEX change_apply_id IF NOT EXISTS FOR (h:Change) ON (h.applyId);
