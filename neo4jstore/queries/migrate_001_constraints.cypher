// Migration 1: uniqueness of node ids. One constraint over :Entity makes ids
// unique across kinds; one per kind label gives every label its own id index.
CREATE CONSTRAINT schema_version_name IF NOT EXISTS FOR (v:SchemaVersion) REQUIRE v.name IS UNIQUE;
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT municipality_id IF NOT EXISTS FOR (n:Municipality) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT region_id IF NOT EXISTS FOR (n:Region) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT network_id IF NOT EXISTS FOR (n:Network) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT partner_id IF NOT EXISTS FOR (n:Partner) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT fund_id IF NOT EXISTS FOR (n:Fund) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT initiative_id IF NOT EXISTS FOR (n:Initiative) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT focus_area_id IF NOT EXISTS FOR (n:FocusArea) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT strategy_area_id IF NOT EXISTS FOR (n:StrategyArea) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT topic_id IF NOT EXISTS FOR (n:Topic) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE;
