#!/usr/bin/env bash
# The SDK suite: Flagsmith's official SDKs and OpenFeature's OFREP providers, installed at
# pinned versions from PyPI and npm, drive a running Flagstaff on SQLite, then on PostgreSQL.
# Needs a built target/debug/flagstaff (cargo test builds it), python3 and node.
# PostgreSQL: TEST_DATABASE_URL (a fresh database is made next to it and dropped after);
# without it the PostgreSQL leg is skipped, unless CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
binary=${FLAGSTAFF_BIN:-$root/target/debug/flagstaff}

work=$(mktemp -d)
server_pid=""
database=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ -n "$database" ]; then psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $database" || true; fi
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

suite() {
  local label=$1 database_url=$2
  local data="$work/$label"
  start_flagstaff "$binary" "$data" "$database_url"
  python3 tests/sdk/seed.py "$base" "$data/state.json"
  export FLAGSTAFF_SDK_STATE="$data/state.json"
  echo "== Python SDKs against $label"
  (cd "$work" && "$work/venv/bin/pytest" -q -p no:cacheprovider "$root/tests/sdk/python") ||
    { cat "$data/server.log" >&2; exit 1; }
  echo "== JavaScript SDKs against $label"
  (cd tests/sdk/node && node --test --test-concurrency=1 --test-reporter=dot) ||
    { cat "$data/server.log" >&2; exit 1; }
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
database="flagstaff_sdk_$$"
psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE $database"
# The same server, user and options; another database.
postgres_url=$(python3 - "$TEST_DATABASE_URL" "$database" <<'PY'
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))
PY
)
suite postgres "$postgres_url"
