#!/usr/bin/env bash
# Soak test: the release server on its own throwaway PostgreSQL cluster, mixed SDK and
# management load at a bounded rate for SOAK_MINUTES (30), PostgreSQL restarted every few
# minutes, one row a minute (RSS, requests, p99, answers by status, errors, log warnings) and a
# summary. Never touches the machine's shared PostgreSQL. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
MINUTES=${SOAK_MINUTES:-30}
RATE=${SOAK_RATE:-200}
WRITE_RATE=${SOAK_WRITE_RATE:-3}
AUDIT_RATE=${SOAK_AUDIT_RATE:-0.5}
IDENTITIES=${IDENTITIES:-10000}
PG_DOWN=${SOAK_PG_DOWN:-5}
LOG_LEVEL=${SOAK_LOG_LEVEL:-info,flagstaff::access=warn,refinery_core=warn,tokio_postgres=warn,poem::server=warn}
OUT=${OUT:-$ROOT/target/bench-soak}
BIN=$ROOT/target/release/flagstaff
PG_BIN=${SOAK_PG_BIN:-$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)}
# Every 4 minutes, or about three times in a short run; none in the last 30 s.
if [[ -z ${SOAK_PG_EVERY:-} ]]; then
  if ((MINUTES >= 12)); then SOAK_PG_EVERY=240; else SOAK_PG_EVERY=$((MINUTES * 60 / 3)); fi
  if ((SOAK_PG_EVERY < 30)); then SOAK_PG_EVERY=30; fi
fi
PG_EVERY=$SOAK_PG_EVERY

SERVER_PID=""
LOAD_PID=""
RESTARTER_PID=""
PG_DIR=""
PG_UP=""
WORK=""
TOKEN=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# as_pg COMMAND...: PostgreSQL's tools refuse root, so as root they run as the postgres user.
as_pg() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ctl() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" "$@"
}

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

cleanup() {
  if [[ -n $LOAD_PID ]]; then kill "$LOAD_PID" 2>/dev/null || true; fi
  if [[ -n $RESTARTER_PID ]]; then
    # It finishes a pg_ctl under way first, so that nothing starts the cluster after the stop.
    kill "$RESTARTER_PID" 2>/dev/null || true
    wait "$RESTARTER_PID" 2>/dev/null || true
  fi
  stop_server
  if [[ -n $PG_UP ]]; then pg_ctl stop -m immediate >/dev/null 2>&1 || true; fi
  if [[ -n $PG_DIR ]]; then
    cp "$PG_DIR/postgres.log" "$OUT/postgres.log" 2>/dev/null || true
    rm -rf "$PG_DIR"
  fi
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in curl jq python3; do
  command -v "$tool" >/dev/null || die "$tool is required (apt-get install -y $tool)"
done
[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] ||
  die "PostgreSQL's server binaries are required (apt-get install -y postgresql, or set SOAK_PG_BIN)"
if ((EUID == 0)); then id postgres >/dev/null 2>&1 || die "as root, a postgres OS user is required"; fi
((MINUTES >= 1)) || die "SOAK_MINUTES must be at least 1"

# A cluster of our own in a temporary folder, on a free loopback port, trust auth.
start_postgres() {
  PG_DIR=$(mktemp -d -t flagstaff-soak-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  if ((EUID == 0)); then chown postgres: "$PG_DIR"; fi
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
    --no-sync >"$OUT/initdb.log" 2>&1 || die "initdb failed; see $OUT/initdb.log"
  PG_PORT=$(free_port)
  cat >>"$PG_DIR/data/postgresql.conf" <<EOF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
EOF
  PG_UP=1
  pg_ctl -w -t 60 start >/dev/null || die "PostgreSQL did not start; see $PG_DIR/postgres.log"
}

# In the background: every PG_EVERY seconds, half a minute past the mark (so that an event falls
# inside one row of the report), `pg_ctl restart -m fast`; every third time from the second an
# immediate stop (a crash, so recovery runs), PG_DOWN seconds down, and a start. One line per
# event in the events file, which soak.py reports.
pg_restarter() {
  trap - EXIT INT
  set +e
  local sleeper="" n=0 at began kind
  trap 'if [[ -n $sleeper ]]; then kill "$sleeper" 2>/dev/null; fi; exit 0' TERM
  while :; do
    n=$((n + 1))
    at=$((LOAD_START + n * PG_EVERY + 30))
    if ((at > LOAD_START + MINUTES * 60 - 30)); then break; fi
    sleep $((at > $(date +%s) ? at - $(date +%s) : 0)) &
    sleeper=$!
    wait "$sleeper"
    sleeper=""
    began=$(date +%s.%N)
    if ((n % 3 == 2)); then
      kind="immediate stop, ${PG_DOWN} s down, start"
      pg_ctl -w stop -m immediate >/dev/null 2>&1 || kind="$kind (stop FAILED)"
      sleep "$PG_DOWN"
      pg_ctl -w -t 60 start >/dev/null 2>&1 || kind="$kind (start FAILED)"
    else
      kind="restart -m fast"
      pg_ctl -w -t 60 restart -m fast >/dev/null 2>&1 || kind="$kind (FAILED)"
    fi
    printf '%s %s (%s s)\n' "$(date -d "@${began%.*}" +%T)" "$kind" \
      "$(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')" >>"$WORK/events"
  done
}

start_server() {
  local port
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  SERVER_LOG=$OUT/server.log
  env -u DATABASE_URL -u FLAGSTAFF_DATABASE_URL "FLAGSTAFF_DATA_DIR=$WORK/data" \
    "FLAGSTAFF_LOG_LEVEL=$LOG_LEVEL" FLAGSTAFF_LOG_FORMAT=json \
    "$BIN" serve --bind "127.0.0.1:$port" \
    --database-url "postgres://postgres@127.0.0.1:$PG_PORT/postgres" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  wait_ready "$SERVER_PID" "$SERVER_LOG"
}

# check PATH HEADER [curl args...]: the endpoint answers 200 before the load.
check() {
  local path=$1 header=$2 status
  shift 2
  status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path" -H "$header" "$@")
  [[ $status == 200 ]] || die "$path answered $status before the load"
}

mkdir -p "$OUT"
WORK=$(mktemp -d)
: >"$WORK/events"
log "building the release binary"
(cd "$ROOT" && cargo build --release --quiet)

log "starting a PostgreSQL cluster of our own ($PG_BIN)"
start_postgres
log "starting the server on it"
start_server
log "seeding 50 features, 10 segments, $IDENTITIES identities"
started=$SECONDS
seed
printf 'seeded in %d s\n' $((SECONDS - started)) >&2
STATE_IDS=$(api GET "/api/v1/environments/$ENV_KEY/featurestates/" | jq -r '[.results[].id] | join(",")')
[[ -n $STATE_IDS ]] || die "no feature states to toggle"
json='Content-Type: application/json'
check /api/v1/flags/ "X-Environment-Key: $ENV_KEY"
check "/api/v1/identities/?identifier=user-1" "X-Environment-Key: $ENV_KEY"
check /ofrep/v1/evaluate/flags "X-API-Key: $ENV_KEY" -X POST -H "$json" \
  --data '{"context":{"targetingKey":"user-1"}}'
check "/api/v1/projects/$PROJECT_ID/audit/" "Authorization: Token $TOKEN"

log "soak: $MINUTES minutes"
PG_VERSION=$("$PG_BIN/postgres" --version | awk '{print $3}')
cat <<EOF

$(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg),
$IDENTITIES identities, SDK $RATE req/s (flags 40 %, identity GET 20 %, identity POST 15 %,
OFREP 25 %), management writes $WRITE_RATE/s, audit log reads $AUDIT_RATE/s; PostgreSQL
$PG_VERSION (a cluster of our own) restarted every $PG_EVERY s.

EOF
LOAD_START=$(date +%s)
pg_restarter &
RESTARTER_PID=$!
python3 "$BENCH_DIR/soak.py" --base "$BASE" --env-key "$ENV_KEY" --token "$TOKEN" \
  --project "$PROJECT_ID" --state-ids "$STATE_IDS" --identities "$IDENTITIES" \
  --minutes "$MINUTES" --rate "$RATE" --write-rate "$WRITE_RATE" --audit-rate "$AUDIT_RATE" \
  --server-pid "$SERVER_PID" --server-log "$SERVER_LOG" --events "$WORK/events" \
  --out "$OUT/soak.md" &
LOAD_PID=$!
status=0
wait "$LOAD_PID" || status=$?
LOAD_PID=""
kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during the run; see $SERVER_LOG"
((status == 0)) || die "the load generator failed ($status)"
printf '\nTables: %s; server log: %s; PostgreSQL log: %s\n' \
  "$OUT/soak.md" "$SERVER_LOG" "$OUT/postgres.log"
