// Migration 2: relationship ids. Relationship uniqueness constraints are
// Enterprise-only in Neo4j 5, so Community gets a range index on id per
// relationship type; Apply checks that an id is free inside its transaction.
CREATE INDEX member_of_id IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.id);
CREATE INDEX participates_in_id IF NOT EXISTS FOR ()-[r:PARTICIPATES_IN]-() ON (r.id);
CREATE INDEX facilitates_id IF NOT EXISTS FOR ()-[r:FACILITATES]-() ON (r.id);
CREATE INDEX coordinates_id IF NOT EXISTS FOR ()-[r:COORDINATES]-() ON (r.id);
CREATE INDEX funds_id IF NOT EXISTS FOR ()-[r:FUNDS]-() ON (r.id);
CREATE INDEX administers_id IF NOT EXISTS FOR ()-[r:ADMINISTERS]-() ON (r.id);
CREATE INDEX partner_of_id IF NOT EXISTS FOR ()-[r:PARTNER_OF]-() ON (r.id);
CREATE INDEX represented_in_id IF NOT EXISTS FOR ()-[r:REPRESENTED_IN]-() ON (r.id);
CREATE INDEX in_focus_area_id IF NOT EXISTS FOR ()-[r:IN_FOCUS_AREA]-() ON (r.id);
CREATE INDEX in_strategy_area_id IF NOT EXISTS FOR ()-[r:IN_STRATEGY_AREA]-() ON (r.id);
CREATE INDEX relevant_for_id IF NOT EXISTS FOR ()-[r:RELEVANT_FOR]-() ON (r.id);
CREATE INDEX part_of_id IF NOT EXISTS FOR ()-[r:PART_OF]-() ON (r.id);
CREATE INDEX concerns_id IF NOT EXISTS FOR ()-[r:CONCERNS]-() ON (r.id);
CREATE INDEX in_plan_id IF NOT EXISTS FOR ()-[r:IN_PLAN]-() ON (r.id);
CREATE INDEX overlaps_id IF NOT EXISTS FOR ()-[r:OVERLAPS]-() ON (r.id);
