// Migration 3: indexes for what FindNodes filters and orders by. searchText
// gets a text index, which serves CONTAINS.
CREATE INDEX entity_plan_year IF NOT EXISTS FOR (n:Entity) ON (n.planYear);
CREATE INDEX entity_code IF NOT EXISTS FOR (n:Entity) ON (n.code);
CREATE INDEX entity_name_key IF NOT EXISTS FOR (n:Entity) ON (n.nameKey);
CREATE INDEX entity_cost_nok IF NOT EXISTS FOR (n:Entity) ON (n.costNok);
CREATE TEXT INDEX entity_search_text IF NOT EXISTS FOR (n:Entity) ON (n.searchText);
