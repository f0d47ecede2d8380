#!/usr/bin/env bash
# The SDK suite: Flagsmith's official SDKs and OpenFeature's OFREP providers, installed at
# pinned versions from PyPI and npm, drive a running Flagstaff on SQLite, then on PostgreSQL,
# then on instances moved from SQLite to PostgreSQL and back with `export | import`.
# Needs a built target/debug/flagstaff (cargo test builds it), python3 and node.
# PostgreSQL: TEST_DATABASE_URL (a fresh database is made next to it and dropped after);
# without it the PostgreSQL leg is skipped, unless CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
binary=${FLAGSTAFF_BIN:-$root/target/debug/flagstaff}

work=$(mktemp -d)
server_pid=""
databases=()
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ -f "$work/report.txt" ]; then
    echo "== measured"
    cat "$work/report.txt"
  fi
  for database in "${databases[@]}"; do
    psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $database" || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

[ -x "$binary" ] || { echo "no Flagstaff binary at $binary (run cargo build first)" >&2; exit 1; }

echo "installing the Python SDKs"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check -r tests/sdk/requirements.txt
echo "installing the JavaScript SDKs"
(cd tests/sdk/node && npm ci --silent --no-audit --no-fund)

. tests/serve.sh

# The Python, then the JavaScript tests, against the server at $base with the seed in $1.
sdk_tests() {
  local label=$1 state=$2 data=$3
  export FLAGSTAFF_SDK_STATE="$state"
  export FLAGSTAFF_SDK_REPORT="$work/report.txt"
  echo "-- $label" >>"$FLAGSTAFF_SDK_REPORT"
  echo "== Python SDKs against $label"
  (cd "$work" && "$work/venv/bin/pytest" -q -p no:cacheprovider "$root/tests/sdk/python") ||
    { cat "$data/server.log" >&2; exit 1; }
  echo "== JavaScript SDKs against $label"
  (cd tests/sdk/node && node --test --test-concurrency=1 --test-reporter=dot) ||
    { cat "$data/server.log" >&2; exit 1; }
}

suite() {
  local label=$1 database_url=$2
  local data="$work/$label"
  start_flagstaff "$binary" "$data" "$database_url"
  python3 tests/sdk/seed.py "$base" "$data/state.json"
  sdk_tests "$label" "$data/state.json" "$data"
  stop_flagstaff
}

# Seeds a server on one database, moves the instance to another with
# `flagstaff export | flagstaff import`, and runs the SDK tests against a server on the copy:
# same keys, same ids, same answers.
moved_suite() {
  local label=$1 from_url=$2 to_url=$3
  local data="$work/$label"
  start_flagstaff "$binary" "$data/before" "$from_url"
  python3 tests/sdk/seed.py "$base" "$data/state.json"
  stop_flagstaff
  echo "== moving the instance: $label"
  FLAGSTAFF_DATA_DIR="$data/before" "$binary" export --database-url "$from_url" |
    FLAGSTAFF_DATA_DIR="$data/after" "$binary" import --database-url "$to_url"
  start_flagstaff "$binary" "$data/after" "$to_url"
  python3 - "$data/state.json" "$base" <<'PY'
import json, sys
path, base = sys.argv[1], sys.argv[2]
state = json.load(open(path))
state["base"] = base
json.dump(state, open(path, "w"), indent=2)
PY
  sdk_tests "$label" "$data/state.json" "$data/after"
  stop_flagstaff
}

suite sqlite "sqlite://$work/sqlite/flagstaff.db"

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if [ "${CI:-}" = true ]; then
    echo "TEST_DATABASE_URL is not set: the PostgreSQL leg cannot run" >&2
    exit 1
  fi
  echo "SKIPPED: the SDK suite on PostgreSQL (set TEST_DATABASE_URL to run it)"
  exit 0
fi
# The same server, user and options; another database.
database_url() {
  python3 - "$TEST_DATABASE_URL" "$1" <<'PY'
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))
PY
}
for suffix in "" _moved_in _moved_out; do
  databases+=("flagstaff_sdk_$$$suffix")
  psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE flagstaff_sdk_$$$suffix"
done
suite postgres "$(database_url "flagstaff_sdk_$$")"
moved_suite sqlite-to-postgres "sqlite://$work/moved-out/flagstaff.db" "$(database_url "flagstaff_sdk_$$_moved_in")"
moved_suite postgres-to-sqlite "$(database_url "flagstaff_sdk_$$_moved_out")" "sqlite://$work/moved-in/flagstaff.db"
