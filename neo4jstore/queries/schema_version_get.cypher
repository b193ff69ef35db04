// The number of the last schema migration applied.
MATCH (v:SchemaVersion {name: $name})
RETURN v.version AS version
