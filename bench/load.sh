#!/usr/bin/env bash
# Load test of the SDK endpoints on each backend: builds the release binary, starts a server
# on a fresh database, seeds a realistic environment through the API, runs wrk against five
# endpoints and prints a markdown table. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BACKENDS=${BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
IDENTITIES=${IDENTITIES:-10000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
WARMUP_IDENTITIES=${WARMUP_IDENTITIES:-8s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
OUT=${OUT:-$ROOT/target/bench-load}
BIN=$ROOT/target/release/flagstaff
export BENCH_LUA_DIR=$BENCH_DIR

SERVER_PID=""
WRK_PID=""
PG_DB=""
TOKEN=""
WORK=""
ROWS=()
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

drop_database() {
  if [[ -n $PG_DB ]]; then
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null ||
      printf 'load.sh: could not drop database %s\n' "$PG_DB" >&2
    PG_DB=""
  fi
}

cleanup() {
  if [[ -n $WRK_PID ]]; then kill "$WRK_PID" 2>/dev/null || true; fi
  stop_server
  drop_database
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in curl jq wrk; do
  command -v "$tool" >/dev/null || die "$tool is required (apt-get install -y $tool)"
done

start_server() {
  local backend=$1 port
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  local env=(env -u DATABASE_URL -u FLAGSTAFF_DATABASE_URL
    "FLAGSTAFF_DATA_DIR=$WORK/data" FLAGSTAFF_LOG_LEVEL=warn)
  local args=(serve --bind "127.0.0.1:$port")
  if [[ $backend == postgres ]]; then
    PG_DB=flagstaff_bench_$$
    psql -q "$PG_URL/postgres" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
    args+=(--database-url "$PG_URL/$PG_DB")
  fi
  "${env[@]}" "$BIN" "${args[@]}" >"$OUT/$backend-server.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$SERVER_PID" "$OUT/$backend-server.log"
}

# to_ms VALUE: wrk's "812.00us" / "1.23ms" / "1.02s" in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.2f", v / 1000
    else if (v ~ /ms$/) printf "%.2f", v + 0
    else if (v ~ /s$/) printf "%.2f", v * 1000
    else printf "?" }'
}

# run_wrk ARGS...: wrk in the background, so that a signal to this script stops it at once.
run_wrk() {
  wrk "$@" &
  WRK_PID=$!
  wait "$WRK_PID"
  WRK_PID=""
}

# measure BACKEND LABEL HEADER [wrk args...]: one warm-up, one measured run; adds a table row.
measure() {
  local backend=$1 label=$2 header=$3 file
  shift 3
  file="$OUT/$backend-$(tr -c 'a-z0-9\n' '_' <<<"$label" | tr -d '\n').txt"
  run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$header" "$@" >/dev/null
  run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency --timeout 10s -H "$header" "$@" >"$file"
  local rps p50 p99 bad socket
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$file")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$file")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$file")")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$file")
  socket=$(awk -F'[ ,]+' '/Socket errors:/ {print $4 + $6 + $8 + $10}' "$file")
  ROWS+=("| $backend | $label | $rps | $p50 | $p99 | $((${bad:-0} + ${socket:-0})) |")
  printf '%-8s %-32s %8s req/s  p50 %6s ms  p99 %6s ms  errors %s\n' \
    "$backend" "$label" "$rps" "$p50" "$p99" "$((${bad:-0} + ${socket:-0}))" >&2
}

# check PATH HEADER [curl args...]: the endpoint answers 200 before it is measured.
check() {
  local path=$1 header=$2 status
  shift 2
  status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path" -H "$header" "$@")
  [[ $status == 200 ]] || die "$path answered $status before the load run"
}

run_backend() {
  local backend=$1
  WORK=$(mktemp -d)
  log "$backend: starting the server"
  start_server "$backend"
  log "$backend: seeding 50 features, 10 segments, $IDENTITIES identities"
  local started=$SECONDS
  seed
  printf 'seeded in %d s\n' $((SECONDS - started)) >&2
  local rss_seeded
  rss_seeded=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")

  log "$backend: load ($THREADS threads, $CONNECTIONS connections, $DURATION each)"
  local sdk="X-Environment-Key: $ENV_KEY" server="X-Environment-Key: $SERVER_KEY"
  local ofrep="X-API-Key: $ENV_KEY" json='Content-Type: application/json'
  check /api/v1/flags/ "$sdk"
  measure "$backend" "GET /api/v1/flags/" "$sdk" "$BASE/api/v1/flags/"
  check "/api/v1/identities/?identifier=user-1" "$sdk"
  # Read every identity once first: the measured reads find them in the identity cache, as
  # a server that has run for a while does.
  run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP_IDENTITIES" -H "$sdk" \
    -s "$BENCH_DIR/identities_walk.lua" "$BASE" -- "$IDENTITIES" >/dev/null
  measure "$backend" "GET /api/v1/identities/" "$sdk" \
    -s "$BENCH_DIR/identities_get.lua" "$BASE" -- "$IDENTITIES"
  curl -s "$BASE/metrics" | awk -v b="$backend" '
    /^flagstaff_identity_cache_total\{result="hit"\}/ {hit = $2}
    /^flagstaff_identity_cache_total\{result="miss"\}/ {miss = $2}
    END {printf "%-8s identity cache: %d hits, %d misses\n", b, hit, miss}' >&2
  check /api/v1/identities/ "$sdk" -X POST -H "$json" \
    --data '{"identifier":"user-1","traits":[{"trait_key":"visits","trait_value":1}]}'
  measure "$backend" "POST /api/v1/identities/" "$sdk" \
    -s "$BENCH_DIR/identities_post.lua" "$BASE" -- "$IDENTITIES"
  check /api/v1/environment-document/ "$server"
  measure "$backend" "GET /api/v1/environment-document/" "$server" \
    "$BASE/api/v1/environment-document/"
  check /ofrep/v1/evaluate/flags "$ofrep" -X POST -H "$json" \
    --data '{"context":{"targetingKey":"user-1"}}'
  measure "$backend" "POST /ofrep/v1/evaluate/flags" "$ofrep" \
    -s "$BENCH_DIR/ofrep.lua" "$BASE" -- "$IDENTITIES"

  local rss_loaded
  rss_loaded=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
  RSS_ROWS+=("| $backend | $((rss_seeded / 1024)) | $((rss_loaded / 1024)) |")
  stop_server
  drop_database
  rm -rf "$WORK"
  WORK=""
}

mkdir -p "$OUT"
log "building the release binary"
(cd "$ROOT" && cargo build --release --quiet)

RSS_ROWS=()
for backend in $BACKENDS; do
  case $backend in
    sqlite) run_backend sqlite ;;
    postgres)
      if psql -q "$PG_URL/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
        run_backend postgres
      else
        printf '\nSKIPPED postgres: nothing answers at %s\n' "$PG_URL" >&2
      fi
      ;;
    *) die "unknown backend $backend (sqlite or postgres)" ;;
  esac
done

cat <<EOF

wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $IDENTITIES identities, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)

| backend | endpoint | req/s | p50 ms | p99 ms | errors |
|---|---|---:|---:|---:|---:|
EOF
printf '%s\n' "${ROWS[@]}"
cat <<EOF

| backend | RSS after seeding (MiB) | RSS after the runs (MiB) |
|---|---:|---:|
EOF
printf '%s\n' "${RSS_ROWS[@]}"
printf '\nRaw wrk output and server logs: %s\n' "$OUT"
