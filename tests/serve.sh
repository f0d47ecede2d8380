# Sourced by the scripts that drive a live server (.ci/api-contract.sh, tests/openapi/run.sh,
# tests/sdk/run.sh).
#
#   start_flagstaff BINARY DATA_DIR DATABASE_URL [VAR=VALUE ...]
#
# starts `BINARY serve` on a free loopback port with its data and log in DATA_DIR, waits until
# it is ready, and sets server_pid and base (http://127.0.0.1:PORT). A server that does not
# come up prints its log and fails. stop_flagstaff ends it.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_flagstaff() {
  local binary=$1 data=$2 database_url=$3
  shift 3
  local port; port=$(free_port)
  mkdir -p "$data"
  env FLAGSTAFF_DATA_DIR="$data" FLAGSTAFF_DATABASE_URL="$database_url" FLAGSTAFF_LOG_LEVEL=warn "$@" \
    "$binary" serve --bind "127.0.0.1:$port" >"$data/server.log" 2>&1 &
  server_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$base/health/readiness/" >/dev/null && return; sleep 0.2; done
  echo "Flagstaff did not become ready at $base:" >&2
  cat "$data/server.log" >&2
  return 1
}

stop_flagstaff() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# on_each_backend FUNCTION WORK runs `FUNCTION LABEL DATABASE_URL` on SQLite (a database under
# WORK), then on PostgreSQL (TEST_DATABASE_URL, in a schema of its own, dropped after).
on_each_backend() {
  local run=$1 work=$2 schema="each_$$_$RANDOM" sep='?'
  "$run" sqlite "sqlite://$work/sqlite/flagstaff.db"
  psql "$TEST_DATABASE_URL" -qc "CREATE SCHEMA $schema"
  case "$TEST_DATABASE_URL" in *\?*) sep='&';; esac
  "$run" postgres "${TEST_DATABASE_URL}${sep}options=-c%20search_path%3D$schema"
  psql "$TEST_DATABASE_URL" -qc "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE"
}
