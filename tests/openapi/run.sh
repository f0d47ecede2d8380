#!/usr/bin/env bash
# The committed OpenAPI document, read by tools we did not write, as API consumers use them:
# - redocly lints it (recommended rules, redocly.yaml says which are off and why): no error;
# - openapi-python-client generates a Python client and openapi-typescript TypeScript types,
#   each without a warning;
# - a scenario with each (scenario.py, scenario.ts, checked by `tsc --strict`) signs up, logs in,
#   creates an organisation, project, environment and feature, turns the feature on, reads the
#   flags with the SDK key, and provokes a 400, a 403, a 404 and a 401, parsing every answer into
#   the type the document declares for its status; on SQLite and on PostgreSQL.
# Needs a built target/debug/flagstaff and TEST_DATABASE_URL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
document=$PWD/openapi/openapi.json
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Output that mentions a warning fails the run: generation must be clean.
clean() {
  local label=$1 log=$2
  if grep -Eiq 'warn' "$log"; then
    echo "$label printed a warning:" >&2
    cat "$log" >&2
    exit 1
  fi
}

echo "== redocly lint"
npm --prefix "$here" ci --no-audit --no-fund >/dev/null
# Redocly prints a notice that Node.js 20 support is ending; the lint result follows it.
"$here/node_modules/.bin/redocly" lint "$document" --config "$here/redocly.yaml" \
  --format=summary --max-problems 1000 2>&1 | grep -v '[║╔╚]' | sed '/^\s*$/d'

echo "== openapi-python-client"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check \
  'openapi-python-client==0.29.1' 'ruff==0.17.6'
PATH="$work/venv/bin:$PATH" openapi-python-client generate --path "$document" \
  --output-path "$work/python/flagstaff_client" --meta none >"$work/python.log" 2>&1
cat "$work/python.log"
clean openapi-python-client "$work/python.log"

echo "== openapi-typescript"
"$here/node_modules/.bin/openapi-typescript" "$document" -o "$here/schema.d.ts" \
  --default-non-nullable false >"$work/typescript.log" 2>&1
cat "$work/typescript.log"
clean openapi-typescript "$work/typescript.log"
"$here/node_modules/.bin/tsc" -p "$here"

. tests/serve.sh

scenarios() {
  local label=$1 database_url=$2
  echo "== the scenarios on $label"
  start_flagstaff target/debug/flagstaff "$work/$label" "$database_url"
  PYTHONPATH="$work/python" "$work/venv/bin/python" "$here/scenario.py" "$base"
  node "$here/build/scenario.js" "$base"
  stop_flagstaff
}

on_each_backend scenarios "$work"
