#!/usr/bin/env bash
# CI step for the Neo4j store's offline Cypher check (not part of
# `go test ./...`: it takes minutes): install Node 24 from npm (the pinned
# analyser needs Node >= 24.11.1; Debian's is 20), install the pinned
# analyser with that Node first on PATH, and run the check over every
# statement the store can run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm is required for the Cypher analyser check"; exit 1; }
lint=neo4jstore/cypherlint
npm ci --prefix "$lint/node" --no-audit --no-fund
nodebin="$PWD/$lint/node/node_modules/.bin"
if [ ! -x "$nodebin/node" ]; then
	# npm publishes Node only for linux-x64: elsewhere the node on PATH
	# must be new enough (the Go test checks its version).
	nodebin=$(dirname "$(command -v node)")
fi
echo "analyser runs on $("$nodebin/node" --version) ($nodebin/node)"
PATH="$nodebin:$PATH" npm ci --prefix "$lint" --no-audit --no-fund
go vet -tags cypherlint ./neo4jstore/
go tool staticcheck -tags cypherlint ./neo4jstore/
go test -count=1 -timeout 30m -tags cypherlint -v -run '^TestCypherAnalyser' ./neo4jstore/ | grep -v '^=== RUN'
