#!/bin/sh
set -eu
# Reads the token from the environment; see docs/ops/runbooks/rotate-github-token.md.
curl -fsS -H "Authorization: Bearer ${GITHUB_TOKEN}" https://api.github.com/user >/dev/null
psql "postgres://odoo:${ODOO_DB_PASSWORD}@db.internal:25060/odoo" -c 'select 1'
