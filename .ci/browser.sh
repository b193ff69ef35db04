#!/usr/bin/env bash
# Installs what the browser test (e2e/browser_test.go: the partnership map
# and the GraphQL explorer) needs: Debian's chromium and the pinned
# playwright-core from e2e/browser/package-lock.json. No browser is
# downloaded by npm. .ci/run calls this before `go test ./...`; with CI=true
# the browser test fails when any of it is missing.
#
# It also rebuilds the explorer's bundle (web/explorer, pinned by its
# package-lock.json) and fails when the committed web/static/explorer/
# differs from the fresh build.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

export DEBIAN_FRONTEND=noninteractive
as_root apt-get update
as_root apt-get install -y chromium
chromium --version

command -v node >/dev/null || { echo "node is missing: the browser test needs Node 20 and npm" >&2; exit 1; }
node --version
npm ci --prefix e2e/browser --no-audit --no-fund

npm ci --prefix web/explorer --no-audit --no-fund
npm run --prefix web/explorer check
