#!/usr/bin/env bash
# Resident memory of the server around a burst of parallel password logins: starts
# `flagstaff serve` on SQLite in a temporary folder, reads VmRSS at idle, after one login,
# right after BURST parallel logins (half with the right password, half wrong: both hash) and
# SETTLE seconds later, then after 50 light requests (the allocator hands freed memory back
# lazily, on later activity), ROUNDS times. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BIN=${BIN:-}
BURST=${BURST:-100}
ROUNDS=${ROUNDS:-3}
SETTLE=${SETTLE:-5}
EMAIL=admin@example.com
PASSWORD='correct horse battery staple 42'

SERVER_PID=""
WORK=""

die() { printf 'logins.sh: %s\n' "$*" >&2; exit 1; }

cleanup() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v curl >/dev/null || die "curl is required (apt-get install -y curl)"
if [[ -z $BIN ]]; then
  (cd "$ROOT" && cargo build --release --quiet)
  BIN=$ROOT/target/release/flagstaff
fi
[[ -x $BIN ]] || die "$BIN is not an executable"

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
hwm_mib() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }

# login PASSWORD: prints the status code.
login() {
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "$BASE/api/v1/auth/login/" \
    -H 'Content-Type: application/json' \
    --data "{\"email\":\"$EMAIL\",\"password\":\"$1\"}"
}
export -f login

WORK=$(mktemp -d)
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
export BASE EMAIL
# The throttle and the lockout are set out of the way: this measures hashing, not refusals.
env -u DATABASE_URL -u FLAGSTAFF_DATABASE_URL \
  FLAGSTAFF_DATA_DIR="$WORK/data" FLAGSTAFF_LOG_LEVEL=warn \
  FLAGSTAFF_ADMIN_INITIATION=true FLAGSTAFF_ADMIN_EMAIL="$EMAIL" \
  FLAGSTAFF_ADMIN_PASSWORD="$PASSWORD" \
  FLAGSTAFF_LOGIN_THROTTLE_RATE=100000/min FLAGSTAFF_LOGIN_FAILURE_LIMIT=100000 \
  "$BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
  if curl -sf "$BASE/health/readiness/" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || die "server exited: $(cat "$WORK/server.log")"
  sleep 0.1
done
sleep 1

printf '%s, %d cores\n' "$("$BIN" version 2>/dev/null | head -1 || echo flagstaff)" "$(nproc)"
printf '| moment | VmRSS MiB | statuses |\n|---|---|---|\n'
printf '| idle | %s | |\n' "$(rss_mib)"
[[ $(login "$PASSWORD") == 200 ]] || die "the admin cannot log in"
printf '| after one login | %s | 200 |\n' "$(rss_mib)"
for round in $(seq "$ROUNDS"); do
  statuses=$(seq "$BURST" | xargs -P "$BURST" -I{} bash -c \
    'if (( {} % 2 )); then login "$0"; else login wrong-password; fi' "$PASSWORD" |
    sort | uniq -c | awk '{ printf "%s%s×%s", sep, $2, $1; sep = " " }')
  printf '| round %d: right after %d parallel logins | %s | %s |\n' \
    "$round" "$BURST" "$(rss_mib)" "$statuses"
  sleep "$SETTLE"
  printf '| round %d: %s s later, idle | %s | |\n' "$round" "$SETTLE" "$(rss_mib)"
  for _ in $(seq 50); do curl -s -o /dev/null "$BASE/api/v1/flags/"; done
  printf '| round %d: then after 50 light requests | %s | |\n' "$round" "$(rss_mib)"
done
printf '| peak (VmHWM) | %s | |\n' "$(hwm_mib)"
