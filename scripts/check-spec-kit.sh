#!/usr/bin/env bash
# Validates the Spec Kit bundles under spec/ (spec/bundle and spec/tasks) and nothing else.
# Extra arguments go to the gates (e.g. --format json). Exit codes are the gates': 0 clean,
# 1 findings at error level, 2 usage or internal error.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx gates/cli.ts check --only spec "$@"
