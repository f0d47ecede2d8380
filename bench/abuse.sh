#!/usr/bin/env bash
# Abuse probes (issue 8, "Safe on an open network"): each probe starts a fresh server from the
# given binary (SQLite in a temporary folder, or a fresh PostgreSQL database), does one abusive
# thing and prints what it measured as a row of a markdown table. See bench/README.md.
# Usage: bench/abuse.sh [BINARY]   (default target/release/flagstaff; nothing is built)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BIN=${1:-$ROOT/target/release/flagstaff}
PG_URL=${ABUSE_PG_URL:-postgres://postgres@127.0.0.1:5432}
PROBES=${PROBES:-1 2 3 4 6 7 8 9 10 11 12}
OUT=${OUT:-$ROOT/target/bench-abuse}
EMAIL=admin@example.com
PASSWORD="correct horse battery staple 42"

SERVER_PID=""
PY_PID=""
PROXY_PID=""
PG_DB=""
WORK=""
RUN=""
TOKEN=""
DB_URL=""
NOFILE=""
ROWS=()
MEASURED=""
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
  [[ -r /proc/$1/stat ]] && [[ $(awk '{sub(/^.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

# stop PID: SIGTERM, up to 10 s to go, then SIGKILL (a server stuck in a busy handler may
# never finish its graceful shutdown).
stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    alive "$pid" || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    stop "$SERVER_PID"
    SERVER_PID=""
  fi
  if [[ -n $PROXY_PID ]]; then
    stop "$PROXY_PID"
    PROXY_PID=""
  fi
  if [[ -n $PG_DB ]]; then
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null ||
      printf 'abuse.sh: could not drop database %s\n' "$PG_DB" >&2
    PG_DB=""
  fi
  if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
  WORK=""
  DB_URL=""
  NOFILE=""
}

cleanup() {
  if [[ -n $PY_PID ]]; then stop "$PY_PID"; fi
  stop_server
  if [[ -n $RUN ]]; then rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in curl jq python3; do
  command -v "$tool" >/dev/null || die "$tool is required (apt-get install -y $tool)"
done
[[ -x $BIN ]] || die "no binary at $BIN (build it with cargo build --release, or pass a path)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# start_server NAME [VAR=VALUE...]: a fresh server on a free port, its data folder in a new
# temporary folder (also its working directory), on DB_URL when set (else SQLite), under
# `ulimit -n NOFILE` when set; the log goes to OUT/NAME-server.log.
start_server() {
  local name=$1 attempt
  shift
  WORK=$(mktemp -d -t flagstaff-abuse.XXXXXX)
  SERVER_LOG=$OUT/$name-server.log
  TOKEN=""
  # A port found free may be taken by the time the server binds it: then another port.
  for attempt in 1 2 3; do
    PORT=$(free_port)
    BASE=http://127.0.0.1:$PORT
    local args=(serve --bind "127.0.0.1:$PORT")
    if [[ -n $DB_URL ]]; then args+=(--database-url "$DB_URL"); fi
    (
      cd "$WORK"
      if [[ -n $NOFILE ]]; then ulimit -n "$NOFILE"; fi
      exec env -u DATABASE_URL -u FLAGSTAFF_DATABASE_URL -u FLAGSTAFF_CONFIG \
        "FLAGSTAFF_DATA_DIR=$WORK/data" "$@" "$BIN" "${args[@]}"
    ) >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 300); do
      if curl -sf "$BASE/health/readiness/" >/dev/null 2>&1; then return; fi
      alive "$SERVER_PID" || break
      sleep 0.1
    done
    if alive "$SERVER_PID"; then die "server not ready after 30 s; see $SERVER_LOG"; fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    grep -q 'Address already in use' "$SERVER_LOG" || die "server exited; see $SERVER_LOG"
  done
  die "no port to listen on after $attempt tries; see $SERVER_LOG"
}

# fresh_database: a new database on the shared PostgreSQL (dropped by stop_server); sets PG_DB.
fresh_database() {
  PG_DB=flagstaff_abuse_$$
  psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1
  psql -q "$PG_URL/postgres" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
}

# seed [org|project|env]: the first user (a superuser) and, as far as asked, an organisation,
# a project and an environment, through the API. Sets TOKEN, ORG_ID, PROJECT_ID, ENV_KEY.
seed() {
  local upto=${1:-}
  TOKEN=""
  TOKEN=$(api POST /api/v1/auth/users/ "$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" \
    '{email: $e, password: $p, first_name: "Abuse", last_name: "Admin", superuser: true}')" |
    jq -r .key)
  [[ -n $upto ]] || return 0
  ORG_ID=$(api POST /api/v1/organisations/ '{"name":"Abuse"}' | jq .id)
  [[ $upto != org ]] || return 0
  PROJECT_ID=$(api POST /api/v1/projects/ "{\"name\":\"Shop\",\"organisation\":$ORG_ID}" | jq .id)
  [[ $upto != project ]] || return 0
  ENV_KEY=$(api POST /api/v1/environments/ "{\"name\":\"Production\",\"project\":$PROJECT_ID}" |
    jq -r .api_key)
}

# py PROBE [ARGS...]: runs abuse.py in the background (so that a signal stops it at once) and
# sets MEASURED to its one line. Not to be called in $(...): the subshell would hide PY_PID from
# cleanup, and bash holds a trap until a command substitution ends.
py() {
  python3 "$BENCH_DIR/abuse.py" "$@" --port "$PORT" >"$RUN/py.out" &
  PY_PID=$!
  local status=0
  wait "$PY_PID" || status=$?
  PY_PID=""
  ((status == 0)) || die "abuse.py $1 failed ($status)"
  MEASURED=$(<"$RUN/py.out")
}

# call [curl args...]: "STATUS BODY" of one request to the server, body on one line.
call() {
  local answer
  answer=$(curl -sS -m 30 -w '\n%{http_code}' "$@") || answer=$'\n'"curl failed"
  printf '%s %s' "${answer##*$'\n'}" "$(tr '\n' ' ' <<<"${answer%$'\n'*}" | sed 's/ *$//' | cut -c1-200)"
}

# row N FINDING PROBE MEASURED
row() {
  local measured=${4//|/\\|}
  ROWS+=("| $1 | $2 | $3 | $measured |")
  printf '%s: %s\n' "$1" "$4" >&2
}

json='Content-Type: application/json'

probe_1() {
  log "1: 16,000 unknown keys and a bad field"
  start_server 1a
  seed org
  py fields --pid "$SERVER_PID" --token "$TOKEN" --org "$ORG_ID" --mode one
  row 1a "bad-field report" "POST /api/v1/projects/ with 16,000 unknown keys, one request" \
    "$MEASURED"
  stop_server
  start_server 1b
  seed org
  py fields --pid "$SERVER_PID" --token "$TOKEN" --org "$ORG_ID" --mode two
  row 1b "bad-field report" "two such requests at once; GET /health/liveness/ (2 s)" "$MEASURED"
  stop_server
}

probe_2() {
  log "2: four 200 MiB login bodies"
  start_server 2
  py bodies --pid "$SERVER_PID"
  row 2 "bodies before authentication" "4 × 200 MiB to /api/v1/auth/login/ at once" "$MEASURED"
  stop_server
}

probe_3() {
  log "3: 1,100 idle connections under ulimit -n 1024; a slowloris"
  NOFILE=1024
  start_server 3a
  py idle --pid "$SERVER_PID" --log "$SERVER_LOG"
  row 3a "idle connections" "ulimit -n 1024; 1,100 silent connections, then GET /health/liveness/ (90 s)" \
    "$MEASURED"
  stop_server
  start_server 3b
  py slowloris
  row 3b "slowloris" "one header line a second (60 s)" "$MEASURED"
  stop_server
}

probe_4() {
  log "4: NUL characters on PostgreSQL"
  fresh_database
  DB_URL=$PG_URL/$PG_DB
  start_server 4
  seed env
  local identify login
  identify=$(call -X POST "$BASE/api/v1/identities/" -H "X-Environment-Key: $ENV_KEY" -H "$json" \
    --data '{"identifier":"nul\u0000here","traits":[{"trait_key":"k","trait_value":"v"}]}')
  login=$(call -X POST "$BASE/api/v1/auth/login/" -H "$json" \
    --data "{\"email\":\"admin\\u0000@example.com\",\"password\":\"$PASSWORD\"}")
  row 4 "NUL on PostgreSQL" "SDK identify and login with \\u0000 in identifier / email" \
    "identify: \`$identify\`; login: \`$login\`"
  stop_server
}

probe_6() {
  log "6: lockout"
  local proxies=() xff="" config
  # Read whole: grep -q would close the pipe early, and pipefail would see check-config fail.
  config=$("$BIN" check-config 2>/dev/null || true)
  if grep -q '^num_proxies' <<<"$config"; then
    proxies=(FLAGSTAFF_NUM_PROXIES=1)
    xff=1
  fi
  start_server 6 "${proxies[@]}"
  seed
  local wrong right other forwarded i statuses=()
  wrong=$(jq -nc --arg e "$EMAIL" '{email: $e, password: "wrong password"}')
  right=$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p}')
  for i in $(seq 10); do
    statuses+=("$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/api/v1/auth/login/" \
      -H "$json" --data "$wrong")")
  done
  right=$(call -X POST "$BASE/api/v1/auth/login/" -H "$json" --data "$right")
  other=$(call --interface 127.0.0.2 -X POST "$BASE/api/v1/auth/login/" -H "$json" \
    --data "$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p}')")
  local measured
  measured="wrong: $(printf '%s\n' "${statuses[@]}" | sort | uniq -c |
    awk '{printf "%s%s×%s", (NR > 1 ? ", " : ""), $2, $1}');"
  measured+=" right, same client: \`${right:0:120}\`; right from 127.0.0.2: \`${other%% *}\`"
  if [[ -n $xff ]]; then
    forwarded=$(call -X POST "$BASE/api/v1/auth/login/" -H "$json" \
      -H 'X-Forwarded-For: 203.0.113.9' \
      --data "$(jq -nc --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p}')")
    measured+="; right with num_proxies=1, X-Forwarded-For 203.0.113.9: \`${forwarded%% *}\`"
  else
    measured+="; (no num_proxies setting)"
  fi
  row 6 "lockout" "10 wrong passwords for the admin, then the right one" "$measured"
  stop_server
}

probe_7() {
  log "7: memory per login"
  start_server 7 FLAGSTAFF_LOGIN_THROTTLE_RATE=10000/min
  seed
  py logins --pid "$SERVER_PID" --email "$EMAIL" --password "$PASSWORD"
  row 7 "memory per login" "100 logins at once (throttle 10000/min)" "$MEASURED"
  stop_server
}

probe_8() {
  log "8: query strings that are not UTF-8"
  start_server 8
  seed env
  local ff fe same
  local sdk=(-sS -m 30 -w '\n%{http_code}' -H "X-Environment-Key: $ENV_KEY")
  ff=$(curl "${sdk[@]}" "$BASE/api/v1/identities/?identifier=%FF")
  fe=$(curl "${sdk[@]}" "$BASE/api/v1/identities/?identifier=%FE")
  local ff_id fe_id
  ff_id=$(jq -r '.identifier | strings' <<<"${ff%$'\n'*}" 2>/dev/null || true)
  fe_id=$(jq -r '.identifier | strings' <<<"${fe%$'\n'*}" 2>/dev/null || true)
  if [[ -n $ff_id && $ff_id == "$fe_id" ]]; then
    same="the same identity, \`$ff_id\` ($(printf '%s' "$ff_id" | od -An -tx1 | tr -d ' '))"
  elif [[ -n $ff_id || -n $fe_id ]]; then
    same="different identities (\`$ff_id\`, \`$fe_id\`)"
  else
    same="no identity named; %FF body \`$(jq -c . <<<"${ff%$'\n'*}" 2>/dev/null | cut -c1-120)\`"
  fi
  row 8 "query not UTF-8" "GET /api/v1/identities/?identifier=%FF and %FE" \
    "statuses ${ff##*$'\n'} and ${fe##*$'\n'}; $same"
  stop_server
}

# header NAME FILE: the header's value in a curl -D dump, or "absent".
header() {
  local value
  value=$(grep -i "^$1:" "$2" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //' || true)
  if [[ -z $value ]]; then echo absent; else printf '`%s`' "${value:0:80}"; fi
}

probe_9() {
  log "9: headers"
  start_server 9
  seed project
  curl -sS -m 30 -o /dev/null -D "$RUN/mgmt" "$BASE/api/v1/projects/$PROJECT_ID/" \
    -H "Authorization: Token $TOKEN"
  curl -sS -m 30 -o /dev/null -D "$RUN/docs" "$BASE/api/v1/docs/"
  local preflight
  preflight=$(curl -sS -m 30 -o /dev/null -D "$RUN/cors" -w '%{http_code}' -X OPTIONS \
    "$BASE/api/v1/projects/" -H 'Origin: https://evil.example' \
    -H 'Access-Control-Request-Method: GET')
  local measured
  measured="X-Content-Type-Options $(header X-Content-Type-Options "$RUN/mgmt");"
  measured+=" Referrer-Policy $(header Referrer-Policy "$RUN/mgmt");"
  measured+=" Cache-Control $(header Cache-Control "$RUN/mgmt");"
  measured+=" docs CSP $(header Content-Security-Policy "$RUN/docs");"
  measured+=" preflight $preflight, Access-Control-Allow-Origin $(header Access-Control-Allow-Origin "$RUN/cors")"
  row 9 "headers" \
    "GET /api/v1/projects/{id}/ (token), GET /api/v1/docs/, CORS preflight from https://evil.example" \
    "$measured"
  stop_server
}

probe_10() {
  log "10: file modes"
  start_server 10
  seed
  local modes="" f
  for f in data data/flagstaff.db data/flagstaff.db-wal data/flagstaff.db-shm data/secret_key; do
    if [[ -e $WORK/$f ]]; then
      modes+="${modes:+, }$f $(stat -c %a "$WORK/$f")"
    else
      modes+="${modes:+, }$f absent"
    fi
  done
  row 10 "file modes" "fresh start (umask $(umask))" "$modes"
  stop_server
}

probe_11() {
  log "11: a PostgreSQL outage through a proxy"
  fresh_database
  local pg_port proxy_port
  pg_port=$(sed -E 's#^.*@[^:/]+:?([0-9]*).*$#\1#' <<<"$PG_URL")
  for _ in 1 2 3; do
    proxy_port=$(free_port)
    python3 "$BENCH_DIR/abuse.py" proxy --listen "$proxy_port" --target "${pg_port:-5432}" \
      >"$RUN/proxy.out" 2>&1 &
    PROXY_PID=$!
    for _ in $(seq 50); do
      if grep -qx ready "$RUN/proxy.out" || ! alive "$PROXY_PID"; then break; fi
      sleep 0.1
    done
    if grep -qx ready "$RUN/proxy.out"; then break; fi
    stop "$PROXY_PID"
    PROXY_PID=""
  done
  [[ -n $PROXY_PID ]] || die "the proxy did not start: $(tail -n 1 "$RUN/proxy.out")"
  DB_URL="postgres://postgres@127.0.0.1:$proxy_port/$PG_DB"
  start_server 11
  seed project
  py outage --token "$TOKEN" --proxy-pid "$PROXY_PID" --log "$SERVER_LOG"
  row 11 "outage hint" "PostgreSQL cut for 10 s (a proxy refuses), 20 GET /api/v1/projects/ a second" \
    "$MEASURED"
  stop_server
}

probe_12() {
  log "12: existence oracle"
  start_server 12
  seed project
  local tag_b token_a org_a project_a theirs nothing
  # Organisation B is the superuser's; organisation A belongs to a second, plain user.
  tag_b=$(api POST "/api/v1/projects/$PROJECT_ID/tags/" '{"label":"secret","color":"#000000"}' | jq .id)
  TOKEN=""
  token_a=$(api POST /api/v1/auth/users/ \
    '{"email":"a@example.com","password":"another horse battery staple 7","first_name":"A","last_name":"Admin"}' |
    jq -r .key)
  TOKEN=$token_a
  org_a=$(api POST /api/v1/organisations/ '{"name":"A"}' | jq .id)
  project_a=$(api POST /api/v1/projects/ "{\"name\":\"A\",\"organisation\":$org_a}" | jq .id)
  theirs=$(call -X POST "$BASE/api/v1/projects/$project_a/features/" -H "$json" \
    -H "Authorization: Token $token_a" --data "{\"name\":\"f1\",\"tags\":[$tag_b]}")
  nothing=$(call -X POST "$BASE/api/v1/projects/$project_a/features/" -H "$json" \
    -H "Authorization: Token $token_a" --data "{\"name\":\"f2\",\"tags\":[$((tag_b + 100000))]}")
  local verdict="different"
  if [[ ${theirs%% *} == "${nothing%% *}" &&
    ${theirs#* } == "${nothing#* }" ]]; then verdict="identical"; fi
  # The missing id appears in its own body; compare with it replaced.
  if [[ $verdict == different && ${theirs%% *} == "${nothing%% *}" &&
    ${theirs#* } == "$(sed "s/$((tag_b + 100000))/$tag_b/g" <<<"${nothing#* }")" ]]; then
    verdict="identical but for the id"
  fi
  row 12 "existence oracle" "feature in org A naming org B's tag, and a tag id that does not exist" \
    "$verdict: B's tag \`$theirs\`; none \`$nothing\`"
  stop_server
}

mkdir -p "$OUT"
RUN=$(mktemp -d -t flagstaff-abuse-run.XXXXXX)
if ! psql -q "$PG_URL/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
  printf 'abuse.sh: nothing answers at %s; skipping the PostgreSQL probes (4, 11)\n' "$PG_URL" >&2
  PROBES=$(tr ' ' '\n' <<<"$PROBES" | grep -vx -e 4 -e 11 | tr '\n' ' ')
fi
for probe in $PROBES; do
  declare -F "probe_$probe" >/dev/null || die "no probe $probe"
  "probe_$probe"
done

cat <<EOF

\`$BIN\` (sha256 $(sha256sum "$BIN" | cut -c1-12)), $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)

| # | finding | probe | measured |
|---|---|---|---|
EOF
printf '%s\n' "${ROWS[@]}"
printf '\nServer logs: %s\n' "$OUT"
