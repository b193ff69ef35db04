// Migration 8: relationship ids unique per type, enforced by Neo4j.
// Relationship uniqueness constraints exist in Community since Neo4j 5.7; a
// constraint cannot share its schema with an index, so each type's range
// index from migration 2 is dropped first (the constraint's own index serves
// the same lookups). Apply still checks ids across types in its transaction,
// since a relation id is unique among all relations.
DROP INDEX member_of_id IF EXISTS;
CREATE CONSTRAINT member_of_id_unique IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() REQUIRE r.id IS UNIQUE;
DROP INDEX participates_in_id IF EXISTS;
CREATE CONSTRAINT participates_in_id_unique IF NOT EXISTS FOR ()-[r:PARTICIPATES_IN]-() REQUIRE r.id IS UNIQUE;
DROP INDEX facilitates_id IF EXISTS;
CREATE CONSTRAINT facilitates_id_unique IF NOT EXISTS FOR ()-[r:FACILITATES]-() REQUIRE r.id IS UNIQUE;
DROP INDEX coordinates_id IF EXISTS;
CREATE CONSTRAINT coordinates_id_unique IF NOT EXISTS FOR ()-[r:COORDINATES]-() REQUIRE r.id IS UNIQUE;
DROP INDEX funds_id IF EXISTS;
CREATE CONSTRAINT funds_id_unique IF NOT EXISTS FOR ()-[r:FUNDS]-() REQUIRE r.id IS UNIQUE;
DROP INDEX administers_id IF EXISTS;
CREATE CONSTRAINT administers_id_unique IF NOT EXISTS FOR ()-[r:ADMINISTERS]-() REQUIRE r.id IS UNIQUE;
DROP INDEX partner_of_id IF EXISTS;
CREATE CONSTRAINT partner_of_id_unique IF NOT EXISTS FOR ()-[r:PARTNER_OF]-() REQUIRE r.id IS UNIQUE;
DROP INDEX represented_in_id IF EXISTS;
CREATE CONSTRAINT represented_in_id_unique IF NOT EXISTS FOR ()-[r:REPRESENTED_IN]-() REQUIRE r.id IS UNIQUE;
DROP INDEX in_focus_area_id IF EXISTS;
CREATE CONSTRAINT in_focus_area_id_unique IF NOT EXISTS FOR ()-[r:IN_FOCUS_AREA]-() REQUIRE r.id IS UNIQUE;
DROP INDEX in_strategy_area_id IF EXISTS;
CREATE CONSTRAINT in_strategy_area_id_unique IF NOT EXISTS FOR ()-[r:IN_STRATEGY_AREA]-() REQUIRE r.id IS UNIQUE;
DROP INDEX relevant_for_id IF EXISTS;
CREATE CONSTRAINT relevant_for_id_unique IF NOT EXISTS FOR ()-[r:RELEVANT_FOR]-() REQUIRE r.id IS UNIQUE;
DROP INDEX part_of_id IF EXISTS;
CREATE CONSTRAINT part_of_id_unique IF NOT EXISTS FOR ()-[r:PART_OF]-() REQUIRE r.id IS UNIQUE;
DROP INDEX concerns_id IF EXISTS;
CREATE CONSTRAINT concerns_id_unique IF NOT EXISTS FOR ()-[r:CONCERNS]-() REQUIRE r.id IS UNIQUE;
DROP INDEX in_plan_id IF EXISTS;
CREATE CONSTRAINT in_plan_id_unique IF NOT EXISTS FOR ()-[r:IN_PLAN]-() REQUIRE r.id IS UNIQUE;
DROP INDEX overlaps_id IF EXISTS;
CREATE CONSTRAINT overlaps_id_unique IF NOT EXISTS FOR ()-[r:OVERLAPS]-() REQUIRE r.id IS UNIQUE;
