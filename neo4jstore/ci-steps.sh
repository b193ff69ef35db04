#!/usr/bin/env bash
# CI steps for the Neo4j store, to be called from .ci/run before go test:
# install the pinned Cypher analyser (the Go test fails under CI=true
# without it) and validate docker-compose.yml with Debian's docker-compose.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "node is required for the Cypher analyser check"; exit 1; }
npm ci --prefix neo4jstore/cypherlint --no-audit --no-fund
if ! command -v docker-compose >/dev/null; then
	apt-get update && apt-get install -y docker-compose
fi
# NEO4J_PASSWORD is required by the compose file; any value validates it.
NEO4J_PASSWORD=ci-validate-only docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"
