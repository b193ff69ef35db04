// Records that the migrations up to $version are applied. Never lowers it.
MERGE (v:SchemaVersion {name: $name})
SET v.version = CASE WHEN v.version IS NULL OR v.version < $version THEN $version ELSE v.version END
RETURN v.version AS version
